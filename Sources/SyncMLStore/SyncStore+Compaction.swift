// MARK: Compaction: dropping versions nobody can need any more

/// One datastore's compaction, done a step at a time (`SyncStore.compactionStep(_:)`),
/// each step one short transaction.
///
/// Only an item with more than one version can lose one, so a compaction looks only
/// at such items: those in `compaction_pending` (items that kept old versions at an
/// earlier compaction, which may have become removable since, by age or by the
/// devices' acknowledgements), and those with a later version (`prev_seq <> 0`)
/// written since the datastore's watermark `compacted_through`, found in the partial
/// index `journal_store_later`. First versions of items never changed are not read.
package struct CompactionJob: Sendable {
    enum Stage: Sendable, Equatable {
        /// Later versions since the watermark go to `compaction_pending`, a step at a time.
        case collecting
        /// The pending items after this id are examined next.
        case examining(after: Int64)
        case done
    }

    let datastore: DatastoreID
    let keepVersions: Int
    let keepDays: Double
    /// Journal rows read per collecting step.
    let rowsPerStep: Int
    /// Items examined per step (their versions all read in that step).
    let itemsPerStep: Int
    var stage = Stage.collecting
    /// What the steps so far removed.
    var result = CompactionResult(removedVersions: 0, removedBytes: 0)

    /// A job; `keepVersions` below 1 is `.invalidArgument`.
    package init(datastore: DatastoreID, keepVersions: Int, keepDays: Double, rowsPerStep: Int = 5_000, itemsPerStep: Int = 512) throws(StoreError) {
        guard keepVersions >= 1 else { throw StoreError(.invalidArgument, "keepVersions must be at least 1") }
        self.datastore = datastore
        self.keepVersions = keepVersions
        self.keepDays = keepDays
        self.rowsPerStep = max(1, rowsPerStep)
        self.itemsPerStep = max(1, itemsPerStep)
    }

    /// True when no step is left.
    package var isDone: Bool { stage == .done }
}

extension SyncStore {
    /// Drops old versions of `datastore`. A version is dropped only when all hold:
    /// it is not among its item's newest `keepVersions`; it is older than
    /// `keepDays`; every device that syncs the datastore has acknowledged it;
    /// and it is not the newest version at or below the lowest acknowledged
    /// sequence (the base every device has, which changes-since and undo read).
    ///
    /// Runs `CompactionJob`'s steps back to back, each its own transaction; the
    /// work grows with the items changed since the last compaction and those still
    /// keeping old versions, not with the datastore.
    public func compact(datastore: DatastoreID, keepVersions: Int = 10, keepDays: Double = 30) throws(StoreError) -> CompactionResult {
        var job = try CompactionJob(datastore: datastore, keepVersions: keepVersions, keepDays: keepDays)
        while !job.isDone { job = try compactionStep(job) }
        return job.result
    }

    /// Runs `job`'s next step in one transaction and returns the job advanced.
    package func compactionStep(_ job: CompactionJob) throws(StoreError) -> CompactionJob {
        var job = job
        switch job.stage {
        case .collecting:
            if try collectChangedItems(job) { job.stage = .examining(after: 0) }
        case .examining(let after):
            if let next = try examinePendingItems(after: after, job: &job) {
                job.stage = .examining(after: next)
            } else {
                // The edits' fingerprints waiting out of their index join it with the journal's clean-up.
                try indexUnindexedFingerprints(datastore: job.datastore)
                job.stage = .done
            }
        case .done:
            break
        }
        return job
    }

    /// Datastore ids, for the compaction of all (`datastores()` counts items, which the whole store's compaction need not).
    func datastoreIDs() throws(StoreError) -> [DatastoreID] {
        var ids: [DatastoreID] = []
        try database.forEach("SELECT id FROM datastores ORDER BY id") { ids.append(DatastoreID(rawValue: $0.integer(0))) }
        return ids
    }

    /// Adds the items of up to `rowsPerStep` later versions past the watermark to
    /// `compaction_pending` and moves the watermark past them; true when none was left.
    /// Holds the datastore's journal (PostgreSQL) so no version in flight is passed over.
    private func collectChangedItems(_ job: CompactionJob) throws(StoreError) -> Bool {
        try database.transaction { () throws(StoreError) -> Bool in
            try holdJournal(of: job.datastore)
            let store = SQLValue.integer(job.datastore.rawValue)
            let from = try database.integer("SELECT compacted_through FROM datastores WHERE id = ?", [store]) ?? 0
            var items: Set<Int64> = []
            var (last, count) = (from, 0)
            try database.forEach("""
                SELECT seq, item_id FROM journal WHERE datastore_id = ? AND seq > ? AND prev_seq <> 0 ORDER BY seq LIMIT ?
                """, [store, .integer(from), .integer(Int64(job.rowsPerStep))]) { row in
                last = row.integer(0)
                items.insert(row.integer(1))
                count += 1
            }
            let finished = count < job.rowsPerStep
            for chunk in Self.slices(items.sorted()) {
                try database.run("INSERT INTO compaction_pending(datastore_id, item_id) VALUES " + Self.tuples(chunk.count, of: 2) + " ON CONFLICT DO NOTHING",
                                 chunk.flatMap { [store, .integer($0)] })
            }
            // Past the last later version read, the rest are first versions: the watermark passes them too.
            let through = finished ? max(last, try lastSequence(datastore: job.datastore)) : last
            try database.run("UPDATE datastores SET compacted_through = ? WHERE id = ?", [.integer(through), store])
            return finished
        }
    }

    /// Examines up to `itemsPerStep` pending items after `after`: drops their versions
    /// the rules allow, and lets go of those left with one version. Returns the last
    /// item examined, or nil when none was left.
    private func examinePendingItems(after: Int64, job: inout CompactionJob) throws(StoreError) -> Int64? {
        let (datastore, keepVersions, keepDays, limit) = (job.datastore, job.keepVersions, job.keepDays, job.itemsPerStep)
        let (last, removed) = try database.transaction { () throws(StoreError) -> (Int64?, CompactionResult) in
            try holdJournal(of: datastore)
            let store = SQLValue.integer(datastore.rawValue)
            var items: [Int64] = []
            try database.forEach("SELECT item_id FROM compaction_pending WHERE datastore_id = ? AND item_id > ? ORDER BY item_id LIMIT ?",
                                 [store, .integer(after), .integer(Int64(limit))]) { items.append($0.integer(0)) }
            guard let last = items.last else { return (nil, CompactionResult(removedVersions: 0, removedBytes: 0)) }
            let top = try lastSequence(datastore: datastore)
            let acked = try database.integer("SELECT min(acked_seq) FROM device_datastores WHERE datastore_id = ?", [store]) ?? top
            let cutoff = nowMillis - Int64(keepDays * 86_400_000)
            var doomed: [Int64] = []
            var bytes = 0
            var settled: [Int64] = []
            for chunk in Self.slices(items) {
                // Padded with its last id, so one statement text serves every chunk.
                let ids = Array(chunk) + Array(repeating: chunk[chunk.endIndex - 1], count: Self.rowsPerInsert - chunk.count)
                var kept: [Int64: Int] = [:]
                try database.forEach(Self.versionsByRule, ids.map { .integer($0) } + [.integer(acked), .integer(Int64(keepVersions)), .integer(cutoff)]) { row in
                    if row.integer(3) == 1 {
                        doomed.append(row.integer(1))
                        bytes += Int(row.integer(2))
                    } else {
                        kept[row.integer(0), default: 0] += 1
                    }
                }
                settled += chunk.filter { kept[$0, default: 0] <= 1 }
            }
            for seq in doomed { try database.run("DELETE FROM journal WHERE seq = ?", [.integer(seq)]) }
            for chunk in Self.slices(settled) {
                try database.run("DELETE FROM compaction_pending WHERE datastore_id = ? AND item_id IN (" + Self.placeholders(chunk.count) + ")",
                                 [store] + chunk.map { .integer($0) })
            }
            return (last, CompactionResult(removedVersions: doomed.count, removedBytes: bytes))
        }
        job.result.removedVersions += removed.removedVersions
        job.result.removedBytes += removed.removedBytes
        return last
    }

    /// Every version of up to `rowsPerInsert` items (walked down their `prev_seq` links),
    /// with 1 in the last column when the rules drop it: not among the item's newest
    /// `keepVersions` (`rank`), below its base (the newest version at or below the lowest
    /// acknowledged sequence), and it and every older version older than the cutoff
    /// (`newest`: the same as its own time while time only grows with seq; a clock set back
    /// must not drop a version from the middle, which would cut the chain the versions are
    /// found by). So what is dropped is always an item's oldest versions.
    /// Parameters: the items, the lowest acknowledged sequence, keepVersions, the cutoff.
    private static let versionsByRule = versionChain(itemsWhere: "i.id IN (\(placeholders(rowsPerInsert)))",
                                                     carrying: ["time": "j.time", "bytes": "length(j.payload)"]) + """
        , ranked AS (
            SELECT item_id, seq, time, bytes,
                   row_number() OVER (PARTITION BY item_id ORDER BY seq DESC) AS rank,
                   max(CASE WHEN seq <= ? THEN seq END) OVER (PARTITION BY item_id) AS base,
                   max(time) OVER (PARTITION BY item_id ORDER BY seq ROWS UNBOUNDED PRECEDING) AS newest
            FROM chain)
        SELECT item_id, seq, coalesce(bytes, 0), CASE WHEN rank > ? AND seq < base AND newest < ? THEN 1 ELSE 0 END FROM ranked
        """
}
