import ArgumentParser
import SyncMLCore

/// `syncml fingerprint`: what the engine compares records by.
struct FingerprintRecords: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fingerprint",
        abstract: "Print each record's fingerprint, kind and match key.",
        discussion: "Reads vCard and iCalendar/vCalendar files (a file may hold many records). Two records with the same fingerprint are the same record however they are written; see docs/RECORDS.md."
    )

    @Argument(help: "The .vcf/.ics files.")
    var files: [String]

    @Flag(help: "Also print the canonical form that was hashed.")
    var canonical = false

    func run() throws {
        try Self.reportingFailures {
            for file in files {
                for (index, record) in try RecordFile.read(file).enumerated() {
                    let signature = RecordSignature(record)
                    print("\(signature.fingerprint)  \(signature.kind.rawValue)  \(file)#\(index + 1)  \(signature.matchKey)")
                    if canonical {
                        for line in signature.canonical.lines { print("    \(line)") }
                    }
                }
            }
        }
    }
}

/// `syncml match`: pairs the records of two files as a slow sync would.
struct MatchRecords: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Pair the records of two files as a first (slow) sync would, and explain each pair."
    )

    @Argument(help: "The first side (e.g. the server's records).")
    var first: String

    @Argument(help: "The second side (e.g. a client's records).")
    var second: String

    func run() throws {
        try Self.reportingFailures {
            func entries(_ file: String) throws -> [RecordMatcher.Entry] {
                try RecordFile.read(file).enumerated().map { index, record in
                    RecordMatcher.Entry(id: "\(file)#\(index + 1)", signature: RecordSignature(record))
                }
            }
            let result = RecordMatcher.match(try entries(first), try entries(second))
            for pair in result.pairs.sorted(by: { $0.left < $1.left }) {
                print("pair  \(pair.left)  \(pair.right)  (\(pair.reason))")
            }
            for id in result.unmatchedLeft.sorted() { print("only  \(id)") }
            for id in result.unmatchedRight.sorted() { print("only  \(id)") }
            print("\(result.pairs.count) pairs, \(result.unmatchedLeft.count) only in \(first), \(result.unmatchedRight.count) only in \(second)")
        }
    }
}

/// Reads the records of a file (vCard, iCalendar/vCalendar or SIF), errors as
/// one line naming the file and line.
enum RecordFile {
    static func read(_ path: String) throws -> [VComponent] {
        var source = try ByteSource(path: path)
        defer { source.close() }
        var bytes: [UInt8] = []
        while let chunk = try source.next() { bytes.append(contentsOf: chunk) }
        do {
            // A SIF document (Outlook's plug-in format) is XML and holds one record.
            let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            if bytes[start...].first(where: { !$0.isXMLWhitespace }) == UInt8(ascii: "<") {
                return [try SIF.toVComponent(bytes)]
            }
            return try VObjectParser.parse(bytes)
        } catch {
            throw CommandFailure("\(path): \(error)")
        }
    }
}
