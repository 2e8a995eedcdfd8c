// MARK: Compaction: dropping versions nobody can need any more

extension SyncStore {
    /// Drops old versions of `datastore`. A version is dropped only when all hold:
    /// it is not among its item's newest `keepVersions`; it is older than
    /// `keepDays`; every device that syncs the datastore has acknowledged it;
    /// and it is not the newest version at or below the lowest acknowledged
    /// sequence (the base every device has, which changes-since and undo read).
    public func compact(datastore: DatastoreID, keepVersions: Int = 10, keepDays: Double = 30) throws(StoreError) -> CompactionResult {
        guard keepVersions >= 1 else { throw StoreError(.invalidArgument, "keepVersions must be at least 1") }
        return try database.transaction { () throws(StoreError) -> CompactionResult in
            let top = try lastSequence(datastore: datastore)
            let acked = try database.integer("SELECT min(acked_seq) FROM device_datastores WHERE datastore_id = ?", [.integer(datastore.rawValue)]) ?? top
            let cutoff = nowMillis - Int64(keepDays * 86_400_000)
            let selection = """
                WITH ranked AS (
                    SELECT seq, time, length(payload) AS bytes,
                           row_number() OVER (PARTITION BY item_id ORDER BY seq DESC) AS rank,
                           max(CASE WHEN seq <= ? THEN seq END) OVER (PARTITION BY item_id) AS base
                    FROM journal WHERE datastore_id = ?)
                SELECT seq, coalesce(bytes, 0) FROM ranked WHERE rank > ? AND seq < base AND time < ?
                """
            var doomed: [Int64] = []
            var bytes = 0
            try database.forEach(selection, [.integer(acked), .integer(datastore.rawValue), .integer(Int64(keepVersions)), .integer(cutoff)]) { row in
                doomed.append(row.integer(0))
                bytes += Int(row.integer(1))
            }
            for seq in doomed { try database.run("DELETE FROM journal WHERE seq = ?", [.integer(seq)]) }
            return CompactionResult(removedVersions: doomed.count, removedBytes: bytes)
        }
    }
}
