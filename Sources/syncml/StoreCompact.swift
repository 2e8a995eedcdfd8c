import ArgumentParser
import SyncMLStore

/// `syncml compact`: drops old versions from the journal by hand, under the
/// retention policy `serve` runs on its schedule.
struct CompactStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Drop journal versions older than the history to keep.",
        discussion: """
            A replaced version goes when it is older than --keep-history, not among its record's newest --keep-versions, \\
            and every device syncing its datastore has acknowledged what replaced it: a device that has not synced for a \\
            long time keeps what it still needs. Live records and deletions are never dropped. Prints what it removed \\
            (the space is reused by the store; the file does not shrink). `syncml serve` does the same on a schedule \\
            (--compact-every). Safe while `serve` runs on the same store.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("How long replaced versions stay: a number and a unit (s, m, h, d, w), such as 90d (the default).", valueName: "age"))
    var keepHistory = "90d"

    @Option(help: ArgumentHelp("Each record keeps at least its newest N versions, however old.", valueName: "n"))
    var keepVersions = 1

    @OptionGroup var output: JSONFlag

    /// What `--json` prints.
    struct Report: Encodable {
        var keepHistory: String
        var keepVersions: Int
        var datastores: Int
        var removedVersions: Int
        var removedBytes: Int
    }

    func validate() throws {
        guard DurationText.parse(keepHistory) != nil else {
            throw ValidationError("--keep-history must be a number and a unit (s, m, h, d, w), such as 90d")
        }
        guard keepVersions >= 1 else { throw ValidationError("--keep-versions must be at least 1") }
    }

    func run() throws {
        let (store, json) = (self.store, output.json)
        let history = DurationText.parse(keepHistory) ?? RetentionPolicy.standard.keepHistory
        let policy = RetentionPolicy(keepHistory: history, keepVersions: keepVersions)
        try Self.runningStore {
            let result = try await store.openExisting().compact(keeping: policy)
            let report = Report(keepHistory: DurationText.format(history), keepVersions: policy.keepVersions, datastores: result.datastores,
                                removedVersions: result.removedVersions, removedBytes: result.removedBytes)
            if json {
                try JSONOutput.write(report)
            } else {
                print(Self.line(report))
            }
        }
    }

    /// `compacted 2 datastores (history kept: 90d, at least 1 version): removed 14 versions, 5.2 KB`.
    static func line(_ report: Report) -> String {
        let versions = report.removedVersions == 1 ? "1 version" : "\(report.removedVersions) versions"
        let stores = report.datastores == 1 ? "1 datastore" : "\(report.datastores) datastores"
        let kept = report.keepVersions == 1 ? "1 version" : "\(report.keepVersions) versions"
        return "compacted \(stores) (history kept: \(report.keepHistory), at least \(kept)): removed \(versions), \(byteText(report.removedBytes))"
    }

    /// `512 bytes`, `5.2 KB`, `3.1 MB` (decimal units).
    static func byteText(_ bytes: Int) -> String {
        if bytes < 1_000 { return bytes == 1 ? "1 byte" : "\(bytes) bytes" }
        let (value, unit) = bytes < 1_000_000 ? (Double(bytes) / 1e3, "KB") : bytes < 1_000_000_000 ? (Double(bytes) / 1e6, "MB") : (Double(bytes) / 1e9, "GB")
        return "\((value * 10).rounded() / 10) \(unit)"
    }
}
