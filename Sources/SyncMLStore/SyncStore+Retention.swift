/// How much history the journal keeps: what `syncml serve` compacts to on its
/// schedule and `syncml compact` by hand (`--keep-history 90d`).
///
/// A version goes only when every rule of `SyncStore.compact(datastore:keepVersions:keepDays:)`
/// allows it: older than `keepHistory`, not among its item's newest `keepVersions`,
/// and acknowledged by every device that syncs its datastore (a device that has not
/// synced for a year keeps what it still needs, however old).
public struct RetentionPolicy: Sendable, Hashable {
    /// Versions younger than this are kept.
    public var keepHistory: Duration
    /// Each item keeps at least its newest `keepVersions` versions, however old (at least 1).
    public var keepVersions: Int

    /// A policy; `keepVersions` below 1 makes compaction throw `.invalidArgument`.
    public init(keepHistory: Duration, keepVersions: Int = 1) {
        self.keepHistory = keepHistory
        self.keepVersions = keepVersions
    }

    /// 90 days of history, then the newest version of each item.
    public static let standard = RetentionPolicy(keepHistory: .seconds(90 * 86_400))

    /// `keepHistory` in days, as the journal's compaction counts.
    var keepDays: Double {
        let (seconds, attoseconds) = keepHistory.components
        return (Double(seconds) + Double(attoseconds) / 1e18) / 86_400
    }
}

/// What one compaction of the whole store removed.
public struct RetentionReport: Sendable, Hashable {
    /// Datastores looked at (every datastore of every user).
    public var datastores: Int
    /// Journal versions removed.
    public var removedVersions: Int
    /// Their stored (compressed) payload bytes; SQLite reuses the freed pages, the file does not shrink.
    public var removedBytes: Int

    /// A report; the store fills one in as it compacts.
    public init(datastores: Int = 0, removedVersions: Int = 0, removedBytes: Int = 0) {
        self.datastores = datastores
        self.removedVersions = removedVersions
        self.removedBytes = removedBytes
    }
}

extension SyncStore {
    /// Compacts every datastore under `policy`, a `CompactionJob` step at a time. Each
    /// step is one short transaction (at most 5,000 new journal rows collected, or 512
    /// items examined) and its own call on the store, so a sync waits for one step at
    /// most, never for a datastore's or the whole store's compaction.
    public nonisolated func compact(keeping policy: RetentionPolicy) async throws(StoreError) -> RetentionReport {
        guard policy.keepHistory >= .zero else { throw StoreError(.invalidArgument, "the history to keep must not be negative") }
        var report = RetentionReport()
        for datastore in try await datastoreIDs() {
            var job = try CompactionJob(datastore: datastore, keepVersions: policy.keepVersions, keepDays: policy.keepDays)
            while !job.isDone { job = try await compactionStep(job) }
            report.datastores += 1
            report.removedVersions += job.result.removedVersions
            report.removedBytes += job.result.removedBytes
        }
        return report
    }

    /// Bytes the store occupies (SQLite: page count × page size; PostgreSQL:
    /// its tables' relation sizes), read without the checkpoint `fileSize()`
    /// makes: cheap enough for every metrics scrape.
    public func approximateSize() throws(StoreError) -> Int {
        try database.storedBytes(settled: false)
    }

    /// A trivial read of the journal (its last sequence, one index lookup):
    /// throws when the store cannot answer (the health check of `syncml serve`).
    public func probe() throws(StoreError) {
        _ = try database.integer("SELECT max(seq) FROM journal")
    }
}
