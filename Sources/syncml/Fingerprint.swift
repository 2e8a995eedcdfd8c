import ArgumentParser
import SyncMLRecords
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

    @Flag(help: "Print JSON Lines: one object per record, as the files are read (see the README, \"JSON output\").")
    var json = false

    func run() throws {
        try Self.reportingFailures {
            for file in files {
                for (index, record) in try RecordFile.read(file).enumerated() {
                    let signature = RecordSignature(record)
                    if json {
                        try JSONOutput.write(FingerprintReport(file: file, record: index + 1, signature: signature, canonical: canonical))
                        continue
                    }
                    print("\(signature.fingerprint)  \(signature.kind.rawValue)  \(file)#\(index + 1)  \(signature.matchKey)")
                    if canonical {
                        for line in signature.canonical.lines { print("    \(line)") }
                    }
                }
            }
        }
    }
}

/// One line of `syncml fingerprint --json`.
struct FingerprintReport: Encodable {
    var file: String
    /// The record's place in its file, from 1.
    var record: Int
    var fingerprint: String
    var kind: String
    var matchKey: String
    /// The canonical form's lines with --canonical, else null.
    var canonical: [String]?

    init(file: String, record: Int, signature: RecordSignature, canonical: Bool) {
        (self.file, self.record) = (file, record)
        (fingerprint, kind, matchKey) = ("\(signature.fingerprint)", signature.kind.rawValue, "\(signature.matchKey)")
        self.canonical = canonical ? signature.canonical.lines : nil
    }

    private enum CodingKeys: CodingKey { case file, record, fingerprint, kind, matchKey, canonical }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(record, forKey: .record)
        try container.encode(fingerprint, forKey: .fingerprint)
        try container.encode(kind, forKey: .kind)
        try container.encode(matchKey, forKey: .matchKey)
        try container.encode(canonical, forKey: .canonical)
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

    @OptionGroup var output: JSONFlag

    func run() throws {
        try Self.reportingFailures {
            func entries(_ file: String) throws -> [RecordMatcher.Entry] {
                try RecordFile.read(file).enumerated().map { index, record in
                    RecordMatcher.Entry(id: "\(file)#\(index + 1)", signature: RecordSignature(record))
                }
            }
            let result = RecordMatcher.match(try entries(first), try entries(second))
            if output.json {
                return try JSONOutput.write(MatchReport(
                    first: first, second: second,
                    pairs: result.pairs.sorted(by: { $0.left < $1.left }).map { .init(left: $0.left, right: $0.right, reason: "\($0.reason)") },
                    onlyFirst: result.unmatchedLeft.sorted(), onlySecond: result.unmatchedRight.sorted()))
            }
            for pair in result.pairs.sorted(by: { $0.left < $1.left }) {
                print("pair  \(pair.left)  \(pair.right)  (\(pair.reason))")
            }
            for id in result.unmatchedLeft.sorted() { print("only  \(id)") }
            for id in result.unmatchedRight.sorted() { print("only  \(id)") }
            print("\(result.pairs.count) pairs, \(result.unmatchedLeft.count) only in \(first), \(result.unmatchedRight.count) only in \(second)")
        }
    }
}

/// `syncml match --json`: records are named `FILE#N` (N from 1).
struct MatchReport: Encodable {
    struct Pair: Encodable {
        var left: String
        var right: String
        var reason: String
    }

    var first: String
    var second: String
    var pairs: [Pair]
    var onlyFirst: [String]
    var onlySecond: [String]
}

/// Reads the records of a file (vCard, iCalendar/vCalendar or SIF) by the
/// rule every record file follows (`RecordFiles`, shared with `syncml sync`);
/// errors as one line naming the file and line.
enum RecordFile {
    static func read(_ path: String) throws -> [VComponent] {
        var source = try ByteSource(path: path)
        defer { source.close() }
        var bytes: [UInt8] = []
        while let chunk = try source.next() { bytes.append(contentsOf: chunk) }
        do {
            return try RecordFiles.parse(bytes, name: path)
        } catch {
            throw CommandFailure(error.description)
        }
    }
}
