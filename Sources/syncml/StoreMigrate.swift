import ArgumentParser
import Foundation
import SyncMLPostgres
import SyncMLStore

/// `syncml migrate`: moves a store between SQLite and PostgreSQL (either way, or
/// file to file) with its whole history, and checks the copy.
struct MigrateStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy a whole store, with its history, between SQLite and PostgreSQL.",
        discussion: """
            Copies every user, record, journal version, device, map, anchor and session from --from into --to, with \\
            their ids and sequence numbers, so devices keep syncing from where they were; then reads every row back from \\
            both and compares them, fingerprints included. --to is created when missing and must be empty; it is written \\
            in one transaction, so a failure leaves it empty. --from is only read (an older SQLite file is first brought to the \\
            current schema, as by every command). Stop the servers on both stores first.
            """
    )

    @Option(help: ArgumentHelp("The store to copy: a file, or postgres://USER@HOST[:PORT]/DATABASE[?schema=NAME].", valueName: "path|url"))
    var from: String

    @Option(help: ArgumentHelp("The empty store to copy into (created when missing): a file or a postgres:// URL.", valueName: "path|url"))
    var to: String

    @Option(help: ArgumentHelp("Rows read and written at a time.", valueName: "n"))
    var batchSize = 1_000

    @OptionGroup var output: JSONFlag

    /// What `--json` prints.
    struct Report: Encodable {
        var from: String
        var to: String
        /// Rows copied per table.
        var tables: [String: Int]
        var rows: Int
        var fingerprintsCompared: Int
    }

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        guard from != to else { throw ValidationError("--from and --to name the same store") }
    }

    func run() throws {
        let (from, to, batchSize, json) = (self.from, self.to, self.batchSize, output.json)
        let progress = ProgressLine()
        try Self.runningStore {
            let source: SyncStore
            if PostgresStore.isPostgresURL(from) {
                source = try StoreOptions.open(from, creating: false)
            } else {
                try StoreOptions.requireFile(from, "store")
                source = try StoreOptions.open(from)
            }
            let created = !PostgresStore.isPostgresURL(to) && !FileManager.default.fileExists(atPath: to)
            let destination = try StoreOptions.open(to)
            let copied: StoreTransferReport
            do {
                copied = try await source.transfer(into: destination, batchSize: batchSize) { table, rows in
                    progress.update("copying \(table): rows", rows)
                }
                progress.finish()
            } catch {
                progress.finish()
                // A file this command made holds nothing worth keeping.
                if created { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: to + suffix) } }
                throw CommandFailure("nothing was migrated: \((error as? StoreError)?.message ?? "\(error)")")
            }
            let report = Report(from: StoreOptions.displayName(from), to: StoreOptions.displayName(to),
                                tables: Dictionary(uniqueKeysWithValues: copied.rows.map { ($0.table, $0.count) }),
                                rows: copied.rows.reduce(0) { $0 + $1.count }, fingerprintsCompared: copied.fingerprints)
            if json {
                try JSONOutput.write(report)
            } else {
                print(Self.line(report))
            }
        }
    }

    /// `migrated a.sqlite → postgres://…: 2 users, 3 devices, 120 records, 310 versions (412 rows in 12 tables); every row read back equal, 420 fingerprints`.
    static func line(_ report: Report) -> String {
        func count(_ table: String, _ one: String, _ many: String) -> String {
            let n = report.tables[table] ?? 0
            return "\(n) \(n == 1 ? one : many)"
        }
        return "migrated \(report.from) → \(report.to): \(count("users", "user", "users")), \(count("devices", "device", "devices")), "
            + "\(count("items", "record", "records")), \(count("journal", "version", "versions")) "
            + "(\(report.rows) rows in \(report.tables.count) tables); every row read back equal, \(report.fingerprintsCompared) fingerprints"
    }
}
