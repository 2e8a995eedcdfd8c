// `syncml-bench`: one measurement per process, printed as one JSON line per
// figure, so each figure has its own clean peak RSS. Benchmarks/side-by-side.py
// runs it next to the bare C baselines and the peers on the same generated data.

import ArgumentParser
import Foundation
import SyncMLBenchSupport
import SyncMLClient
import SyncMLCodec
import SyncMLRecords
import SyncMLHTTP
import SyncMLSampleData
import SyncMLStore

@main
struct SyncMLBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syncml-bench",
        abstract: "Measure one stage of the engine on generated contacts; prints JSON lines.",
        subcommands: [SyncCommand.self, ClientCommand.self, FirstSyncCommand.self, DedupeCommand.self, RecordsCommand.self, JournalCommand.self, HashCommand.self, DecodeCommand.self]
    )
}

/// Prints one figure as a JSON object on one line.
func emit(_ figure: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: figure, options: [.sortedKeys])
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// `syncml-bench sync`: a slow sync of N contacts to an empty server, then a
/// two-way sync after `--changes` edits, client and server in this process.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "In-process slow sync of N generated contacts to an empty server, then a two-way sync of --changes edits."
    )

    @Option(help: "Contacts in the book.") var contacts: Int
    @Option(help: "Contacts edited before the two-way sync (0: skip it).") var changes = 1_000
    @Option(help: "Generator seed.") var seed: UInt64 = 1
    @Option(help: "Directory for the two SQLite stores.") var directory = NSTemporaryDirectory()

    func validate() throws {
        guard contacts >= 0, changes >= 0 else { throw ValidationError("--contacts and --changes must not be negative") }
    }

    func run() async throws {
        let book = GeneratedBook(count: contacts, seed: seed)
        let rig = try await SyncRig(book: book, directory: directory)
        defer { rig.remove() }

        var before = ProcessUsage.now()
        var started = ContinuousClock.now
        let slow = try await rig.client.sync()
        var wall = seconds(since: started)
        var after = ProcessUsage.now()
        guard slow.datastores.first?.remote.added == contacts else { throw ValidationError("slow sync: \(slow)") }
        emit(["step": "slow", "contacts": contacts, "seconds": wall, "cpu_seconds": after.cpuSeconds - before.cpuSeconds,
              "us_per_contact": wall * 1e6 / Double(max(contacts, 1)), "peak_rss_bytes": after.peakResidentBytes])

        guard changes > 0 else { return }
        await book.edit(changes, round: 1)
        before = ProcessUsage.now()
        started = ContinuousClock.now
        let twoWay = try await rig.client.sync()
        wall = seconds(since: started)
        after = ProcessUsage.now()
        let expected = min(changes, contacts)
        guard twoWay.datastores.first?.remote.updated == expected else { throw ValidationError("two-way sync: \(twoWay)") }
        emit(["step": "incremental", "contacts": contacts, "changes": expected, "seconds": wall,
              "cpu_seconds": after.cpuSeconds - before.cpuSeconds, "peak_rss_bytes": after.peakResidentBytes])
    }
}

/// `syncml-bench client`: the same two syncs as `sync`, as a client of a
/// running server over HTTP (`syncml serve`), so the server's memory and CPU
/// can be read from its own process.
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Slow sync of N generated contacts to a server over HTTP, then a two-way sync of --changes edits."
    )

    @Option(help: "The server's URL.") var url: String
    @Option(help: "User name.") var user: String
    @Option(help: "Password.") var password: String
    @Option(help: "Contacts in the book.") var contacts: Int
    @Option(help: "Contacts edited before the two-way sync (0: skip it).") var changes = 1_000
    @Option(help: "Directory for the client's state store.") var directory = NSTemporaryDirectory()
    @Option(help: "The client's state store at this path, kept afterwards (default: a temporary one in --directory).") var state: String?
    @Flag(help: "Skip the slow sync: --state and the server's store are copies of those a run with --changes 0 left.") var twoWayOnly = false
    @Option(help: "The client's MaxMsgSize in bytes (its messages are at most this, and at most the server's; the client's default: 150,000).")
    var maxMessageSize = 150_000

    func validate() throws {
        guard contacts >= 0, changes >= 0 else { throw ValidationError("--contacts and --changes must not be negative") }
        guard !twoWayOnly || (state != nil && changes > 0) else { throw ValidationError("--two-way-only needs --state and --changes > 0") }
        guard maxMessageSize > 0 else { throw ValidationError("--max-message-size must be positive") }
    }

    func run() async throws {
        let book = GeneratedBook(count: contacts)
        let statePath = state ?? directory + "/syncml-bench-http-client-\(UUID().uuidString).sqlite"
        defer { if state == nil { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: statePath + suffix) } } }
        let transport = try HTTPClientTransport(configuration: .init(connectTimeout: .seconds(600), requestTimeout: .seconds(600)))
        var configuration = ClientConfiguration(serverURL: url, user: user, password: password, deviceID: "bench-http")
        configuration.maxMessageSize = maxMessageSize
        let client = SyncClient(configuration: configuration,
                                datastores: [ClientDatastore(name: "contacts", kind: .contacts, source: book)],
                                transport: transport, state: try ClientState(path: statePath))
        do {
            try await syncs(client, book: book)
        } catch {
            await transport.shutdown()
            throw error
        }
        await transport.shutdown()
    }

    private func syncs(_ client: SyncClient, book: GeneratedBook) async throws {
        if !twoWayOnly {
            let started = ContinuousClock.now
            let slow = try await client.sync()
            guard slow.datastores.first?.remote.added == contacts else { throw ValidationError("slow sync: \(slow)") }
            emit(["step": "slow", "contacts": contacts, "seconds": seconds(since: started), "client_peak_rss_bytes": ProcessUsage.now().peakResidentBytes])
        }
        guard changes > 0 else { return }
        // A fresh book's change token is "0" whether or not this process ran the slow sync: the edit makes the same changes.
        await book.edit(changes, round: 1)
        let before = ProcessUsage.now()
        let started = ContinuousClock.now
        let twoWay = try await client.sync()
        let wall = seconds(since: started)
        let cpu = ProcessUsage.now().cpuSeconds - before.cpuSeconds
        guard twoWay.datastores.first?.remote.updated == min(changes, contacts) else { throw ValidationError("two-way sync: \(twoWay)") }
        emit(["step": "incremental", "contacts": contacts, "changes": min(changes, contacts), "seconds": wall, "client_cpu_seconds": cpu])
    }
}

/// `syncml-bench first-sync`: the duplicate scenario. The server holds book A
/// (a first device's slow sync); a second device brings book B, `--overlap`
/// percent of it A's people written differently. Measures B's slow sync and
/// counts what the server holds after it: anything over |A| + |B| − twins is a duplicate.
struct FirstSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "first-sync",
        abstract: "Slow sync of book B (with --overlap % of book A's people) to a server holding book A; counts duplicates."
    )

    @Option(help: "Contacts in each book.") var contacts: Int
    @Option(help: "Percent of book B that are book A's people, written differently.") var overlap = 30
    @Option(help: "Directory for the SQLite stores.") var directory = NSTemporaryDirectory()

    func validate() throws {
        guard contacts >= 0 else { throw ValidationError("--contacts must not be negative") }
        guard (0...100).contains(overlap) else { throw ValidationError("--overlap must be 0...100") }
    }

    func run() async throws {
        let rig = try await SyncRig(book: GeneratedBook(count: contacts), directory: directory)
        defer { rig.remove() }
        try await rig.client.sync()
        let phone = try rig.client(deviceID: "phone", book: GeneratedBook(count: contacts, overlap: overlap))
        let before = ProcessUsage.now()
        let started = ContinuousClock.now
        let report = try await phone.sync()
        let wall = seconds(since: started)
        let after = ProcessUsage.now()
        let twins = contacts * overlap / 100
        let held = try await rig.serverContacts(), expected = 2 * contacts - twins
        emit(["step": "first-sync", "contacts": contacts, "overlap_percent": overlap, "twins": twins,
              "seconds": wall, "cpu_seconds": after.cpuSeconds - before.cpuSeconds, "server_contacts": held,
              "expected_contacts": expected, "duplicates": max(0, held - expected), "merged_beyond_twins": max(0, expected - held),
              "sent_to_phone": report.datastores.first?.local.added ?? 0])
    }
}

/// `syncml-bench records`: the generated contacts, NUL-separated, for the C baselines.
struct RecordsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "records", abstract: "Write N generated vCards to a file, separated by NUL bytes.")

    @Option(help: "Contacts.") var contacts: Int
    @Option(help: "Generator seed.") var seed: UInt64 = 1
    @Option(name: .shortAndLong, help: "Output file.") var output: String

    func validate() throws {
        guard contacts >= 0 else { throw ValidationError("--contacts must not be negative") }
    }

    func run() throws {
        guard let file = FileHandle(forWritingAtPath: output) ?? {
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            return FileHandle(forWritingAtPath: output)
        }() else { throw ValidationError("cannot write \(output)") }
        try file.truncate(atOffset: 0)
        var generator = ContactGenerator(seed: seed)
        var chunk: [UInt8] = []
        for _ in 0..<contacts {
            chunk += generator.next()
            chunk.append(0)
            if chunk.count > 1 << 20 {
                try file.write(contentsOf: chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        try file.write(contentsOf: chunk)
        try file.close()
    }
}

/// `syncml-bench journal`: appending N contacts to the change journal, as the
/// server does for a phone's first sync (1,000 per transaction).
struct JournalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "journal", abstract: "Append N generated contacts to a store's journal.")

    @Option(help: "Contacts.") var contacts: Int
    @Option(help: "Generator seed.") var seed: UInt64 = 1
    @Option(help: "Directory for the store.") var directory = NSTemporaryDirectory()

    func validate() throws {
        guard contacts >= 0 else { throw ValidationError("--contacts must not be negative") }
    }

    func run() async throws {
        var generator = ContactGenerator(seed: seed)
        let changes = try (0..<contacts).map { index in
            let bytes = generator.next()
            let signature = try RecordSignature(parsing: bytes)
            return ItemChange(.add, luid: "luid-\(index)", payload: bytes, fingerprint: signature.fingerprint,
                              matchKeys: signature.matchKey.indexKeys)
        }
        let path = directory + "/syncml-bench-journal-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try SyncStore(path: path)
        let user = try await store.user(named: "bench")
        let datastore = try await store.datastore(named: "contacts", user: user)
        let phone = try await store.device(devID: "IMEI:bench", user: user)
        let session = try await store.beginSession(device: phone)
        let statementsBefore = await store.statementsRun
        let started = ContinuousClock.now
        for start in stride(from: 0, to: changes.count, by: 1_000) {
            _ = try await store.apply(Array(changes[start..<min(start + 1_000, changes.count)]), datastore: datastore, device: phone, session: session)
        }
        let wall = seconds(since: started)
        let statements = await store.statementsRun - statementsBefore
        try await store.endSession(session)
        emit(["step": "journal", "contacts": contacts, "ns_per_record": wall * 1e9 / Double(max(contacts, 1)),
              "statements_per_record": Double(statements) / Double(max(contacts, 1)),
              "bytes_on_disk_per_record": try await store.fileSize() / max(contacts, 1)])
    }
}

/// `syncml-bench hash`: the fingerprint hash over each record's bytes, and the
/// whole per-record work (parse, normalize, fingerprint).
struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hash", abstract: "Hash and parse+normalize+fingerprint N generated contacts.")

    @Option(help: "Contacts.") var contacts: Int
    @Option(help: "Generator seed.") var seed: UInt64 = 1
    @Option(help: "Runs; the median is printed.") var repeats = 5

    func validate() throws {
        guard contacts >= 0 else { throw ValidationError("--contacts must not be negative") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        var generator = ContactGenerator(seed: seed)
        let records = (0..<contacts).map { _ in generator.next() }
        let bytes = records.reduce(0) { $0 + $1.count }
        var hashRuns: [Double] = [], parseRuns: [Double] = []
        var sink: UInt8 = 0
        for _ in 0..<repeats {
            var started = ContinuousClock.now
            for record in records { sink ^= UInt8(truncatingIfNeeded: Fingerprint.hash(record, seed: 0).high) }
            hashRuns.append(seconds(since: started))
            started = ContinuousClock.now
            for record in records { sink ^= UInt8(truncatingIfNeeded: try RecordSignature(parsing: record).fingerprint.high) }
            parseRuns.append(seconds(since: started))
        }
        emit(["step": "hash", "contacts": contacts, "bytes": bytes, "hash_ns": median(hashRuns) * 1e9 / Double(max(contacts, 1)),
              "hash_gbps": Double(bytes) / median(hashRuns) / 1e9, "parse_ns": median(parseRuns) * 1e9 / Double(max(contacts, 1)),
              "sink": Int(sink & 1)])
    }
}

/// `syncml-bench decode`: WBXML or XML → SyncML commands. The file is read
/// into memory first and fed to the decoder 1 MiB at a time, every event pulled
/// after each piece, as a server reading a request body would; with `--whole`,
/// into one `SyncMLMessage` tree, as the server decodes a request today.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode", abstract: "Decode a SyncML message file to commands (median of runs).")

    @Argument(help: "A WBXML or XML SyncML message.") var file: String
    @Option(help: "Runs; the median is printed.") var repeats = 5
    @Flag(help: "Decode the whole message into one SyncMLMessage, as the server does.") var whole = false

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        guard let handle = FileHandle(forReadingAtPath: file), let bytes = try handle.readToEnd().map(Array.init) else {
            throw ValidationError("cannot read \(file)")
        }
        var runs: [Double] = []
        var commands = 0
        for _ in 0..<repeats {
            let started = ContinuousClock.now
            if whole {
                commands = try SyncMLMessage(decoding: bytes).commands.reduce(0) { $0 + 1 + $1.children.count }
                runs.append(seconds(since: started))
                continue
            }
            var decoder = SyncMLDecoder()
            commands = 0
            for start in stride(from: 0, to: bytes.count, by: 1 << 20) {
                decoder.feed(bytes[start..<min(start + (1 << 20), bytes.count)])
                if start + (1 << 20) >= bytes.count { decoder.finish() }
                while let event = try decoder.next() {
                    if case .command = event { commands += 1 }
                }
            }
            runs.append(seconds(since: started))
        }
        emit(["step": "decode", "bytes": bytes.count, "commands": commands, "seconds": median(runs),
              "mb_per_s": Double(bytes.count) / median(runs) / 1e6, "peak_rss_bytes": ProcessUsage.now().peakResidentBytes])
    }
}
