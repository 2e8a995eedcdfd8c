import ArgumentParser
import SyncMLCodec
/// `syncml decode`: WBXML or XML in, indented XML out — or, with `--stats`,
/// where a captured session's bytes go.
struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode a SyncML message (WBXML or XML, detected) to indented XML.",
        discussion: """
            Reads the file (or standard input for -) in chunks and writes XML as it is read, token by token: \
            elements come out in the order they were sent (DevInf flags and unknown elements too), as libwbxml2's \
            wbxml2xml shows them, and memory is bounded by the longest text or OPAQUE value. A malformed message \
            prints one line with the byte offset and exits with status 1. With --stats, prints per-command counts \
            and byte sizes of one or more messages instead (a whole captured session, say).
            """
    )

    @Argument(help: "The message(s) to decode, or - for standard input.")
    var inputs: [String]

    @Flag(help: "Print per-command counts and byte sizes instead of XML.")
    var stats = false

    @Flag(help: "With --stats: print them as JSON (see the README, \"JSON output\").")
    var json = false

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("Name a message file, or - for standard input.") }
        guard stats || inputs.count == 1 else { throw ValidationError("Decode one message at a time (or use --stats).") }
        guard stats || !json else { throw ValidationError("--json goes with --stats (the XML is the output otherwise)") }
    }

    func run() throws {
        try Self.reportingFailures {
            if stats {
                var table = CommandStatistics()
                for input in inputs { try table.add(input) }
                if json { return try JSONOutput.write(table.json()) }
                print(table.report(), terminator: "")
            } else {
                try Transcoder.run(input: inputs[0], to: .xml, indent: true)
            }
        }
    }
}

/// Counts and byte sizes per command path (`Sync/Add`), item data included.
struct CommandStatistics {
    private struct Row {
        var count = 0
        var bytes = 0
        var itemBytes = 0
    }

    private var rows: [String: Row] = [:]
    private var messages = 0
    private var totalBytes = 0

    mutating func add(_ path: String) throws {
        var source = try ByteSource(path: path)
        defer { source.close() }
        var decoder = SyncMLDecoder()
        var open: [String] = []
        var ended = false
        do {
            while !ended {
                if let chunk = try source.next() {
                    decoder.feed(chunk)
                    totalBytes += chunk.count
                } else {
                    decoder.finish()
                }
                while let event = try decoder.next() {
                    let size = decoder.lastEventByteCount
                    switch event {
                    case .header:
                        record("SyncHdr", size: size, itemBytes: 0)
                    case .begin(let container):
                        open.append(container.name)
                        record(open.joined(separator: "/"), size: size, itemBytes: 0)
                    case .command(let command):
                        record((open + [command.name]).joined(separator: "/"), size: size, itemBytes: command.itemDataBytes)
                    case .end:
                        _ = open.popLast()
                    case .final:
                        record("Final", size: size, itemBytes: 0)
                    case .endOfMessage:
                        ended = true
                        messages += 1
                    }
                }
            }
        } catch let error as SyncMLDecodingError {
            throw CommandFailure("\(path == "-" ? "standard input" : path): \(error)")
        }
    }

    private mutating func record(_ key: String, size: Int, itemBytes: Int) {
        rows[key, default: Row()].count += 1
        rows[key, default: Row()].bytes += size
        rows[key, default: Row()].itemBytes += itemBytes
    }

    /// `decode --stats --json`: the rows of `report()`, largest first.
    struct JSONReport: Encodable {
        struct Command: Encodable {
            /// `SyncHdr`, `Sync/Add`, `Final`…
            var command: String
            var count: Int
            var bytes: Int
            var averageBytes: Int
            var itemBytes: Int
            /// Percent of all bytes, 0-100.
            var share: Double
        }

        var messages: Int
        var bytes: Int
        var commands: [Command]
    }

    func json() -> JSONReport {
        JSONReport(messages: messages, bytes: totalBytes, commands: rows.sorted(by: { ($0.value.bytes, $1.key) > ($1.value.bytes, $0.key) }).map { key, row in
            JSONReport.Command(command: key, count: row.count, bytes: row.bytes, averageBytes: row.bytes / max(1, row.count), itemBytes: row.itemBytes,
                               share: totalBytes > 0 ? (Double(row.bytes) * 1000 / Double(totalBytes)).rounded() / 10 : 0)
        })
    }

    func report() -> String {
        func pad(_ text: String, _ width: Int, right: Bool = true) -> String {
            let fill = String(repeating: " ", count: max(0, width - text.count))
            return right ? fill + text : text + fill
        }
        var out = "\(messages) message(s), \(totalBytes) bytes\n"
        out += pad("command", 28, right: false) + pad("count", 9) + pad("bytes", 12) + pad("avg", 9) + pad("item data", 12) + pad("share", 8) + "\n"
        for (key, row) in rows.sorted(by: { $0.value.bytes > $1.value.bytes }) {
            let share = totalBytes > 0 ? Double(row.bytes) * 100 / Double(totalBytes) : 0
            out += pad(key, 28, right: false) + pad(String(row.count), 9) + pad(String(row.bytes), 12)
                + pad(String(row.bytes / max(1, row.count)), 9) + pad(String(row.itemBytes), 12)
                + pad(String(Int(share.rounded())) + "%", 8) + "\n"
        }
        return out
    }
}

extension Command {
    /// Bytes of item data a command carries (DevInf and markup count as 0).
    var itemDataBytes: Int {
        let items: [Item]
        switch self {
        case .add(let c), .replace(let c), .delete(let c), .copy(let c), .move(let c): items = c.items
        case .put(let c), .get(let c): items = c.items
        case .results(let c): items = c.items
        case .alert(let c): items = c.items
        case .status(let c): items = c.items
        case .exec(let c): items = c.items
        default: items = []
        }
        return items.reduce(0) { total, item in
            if case .bytes(let bytes)? = item.data { return total + bytes.count }
            return total
        }
    }
}
