// MARK: Deferred match keys and fingerprints: a datastore's indexes caught up from the journal, once

extension SyncStore {
    /// Writes the match keys `apply(_:datastore:device:session:deferringNewKeys:)` left
    /// out of the index (`match_keys`) for `datastore`, indexes the fingerprints it
    /// left out of `items_fingerprint` (`items.fingerprint_pending`), and marks the
    /// datastore's indexes complete. Nothing to do (one indexed read) when nothing waits.
    ///
    /// The keys come from the journal, which holds every version's: those of each
    /// live item whose current version was written since the first deferred one
    /// (`datastores.keys_pending_from`), inserted sorted by key so that the index's
    /// leaves are filled in order instead of a random few per message, and
    /// idempotently (a key already indexed is left as it is). One transaction, on
    /// PostgreSQL under the datastore's journal lock, so no deferred batch commits
    /// in between: a batch committed before it is caught up, one after it sets the
    /// mark again.
    ///
    /// Every lookup by key or by fingerprint calls it first (but a deferring
    /// session's own, which the waiting items cannot concern), so a store whose
    /// writer died before catching up (or a node that did not write them) finds them all;
    /// a session calls it when the slow sync that deferred them has received
    /// everything, so the next sync does not pay for it.
    public func indexPendingKeys(datastore: DatastoreID) throws(StoreError) {
        try indexPendingKeys(datastore: datastore, keysPerPass: Self.keysPerPass)
    }

    /// `indexPendingKeys(datastore:)` holding at most ~`keysPerPass` keys in memory at a time (tests use a small one).
    package func indexPendingKeys(datastore: DatastoreID, keysPerPass: Int) throws(StoreError) {
        guard try keysPendingFrom(datastore: datastore) != nil else { return }
        try database.transaction { () throws(StoreError) in
            try holdJournal(of: datastore)
            // Read again under the lock: another connection may have caught up meanwhile.
            guard let from = try keysPendingFrom(datastore: datastore) else { return }
            // At most ~`keysPerPass` (key, item) pairs in memory (8 MB): a big catch-up (a 100k-contact
            // book has ~800k keys, 1M ~8M keys, 128 MB of pairs) goes in several passes over the journal,
            // each a slice of the key space in order, so the whole index is still written in key order.
            let versions = try database.integer("SELECT count(*) FROM journal WHERE datastore_id = ? AND seq >= ?",
                                                [.integer(datastore.rawValue), .integer(from)]) ?? 0
            let perPass = Int64(max(1, keysPerPass))
            let passes = max(1, Int((versions * Self.keysPerVersion + perPass - 1) / perPass))
            // Room for a pass's pairs up front: grown by doubling, the array would copy itself and hold twice the room.
            let expected = Int(min(Int64(Int.max / 2), versions * Self.keysPerVersion)) / passes
            for pass in 0..<passes {
                try indexPendingKeys(datastore: datastore, from: from, pass: pass, of: passes, expected: expected + expected / 8)
            }
            // The fingerprints of the items written since (`items.fingerprint_pending`) join their index at
            // once too: each of its leaves dirtied once in this transaction, not a random few per message.
            try database.run("""
                UPDATE items SET fingerprint_pending = NULL WHERE fingerprint_pending IS NOT NULL
                  AND id IN (SELECT item_id FROM journal WHERE datastore_id = ? AND seq >= ?)
                """, [.integer(datastore.rawValue), .integer(from)])
            try database.run("UPDATE datastores SET keys_pending_from = NULL WHERE id = ?", [.integer(datastore.rawValue)])
        }
    }

    /// Pairs a catch-up pass holds at most (16 bytes each), and the keys a version is assumed to have.
    static let keysPerPass = 1 << 19
    static let keysPerVersion: Int64 = 8

    /// One pass of `indexPendingKeys`: the pending keys in slice `pass` of `passes` equal slices of the
    /// key space (in key order), sorted and inserted.
    private func indexPendingKeys(datastore: DatastoreID, from: Int64, pass: Int, of passes: Int, expected: Int) throws(StoreError) {
        var rows: [(key: Int64, item: Int64)] = []
        rows.reserveCapacity(expected)
        // Driven by the journal's (datastore, seq) index: the work is the rows written since `from`.
        // A row counts when it is its item's current version and the item is live.
        try database.forEach("""
            SELECT j.item_id, j.match_keys FROM journal j JOIN items i ON i.id = j.item_id
            WHERE j.datastore_id = ? AND j.seq >= ? AND i.version = j.seq AND i.deleted = 0
            """, [.integer(datastore.rawValue), .integer(from)]) { row throws(StoreError) in
            guard row.isNull(1) || row.isBlob(1) else { throw StoreError(.corruptRow, "a journal row holds match keys that are not digests") }
            let item = row.integer(0)
            for key in Set(try Self.digests(row.optionalBlob(1))) where Self.slice(of: key, among: passes) == pass {
                rows.append((key, item))
            }
        }
        rows.sort { $0.key != $1.key ? $0.key < $1.key : $0.item < $1.item }
        let store = SQLValue.integer(datastore.rawValue)
        for chunk in Self.slices(rows) {
            try database.run("INSERT INTO match_keys(datastore_id, key, item_id) VALUES " + Self.tuples(chunk.count, of: 3)
                                 + " ON CONFLICT DO NOTHING",
                             chunk.flatMap { [store, .integer($0.key), .integer($0.item)] })
        }
    }

    /// Which of `count` equal slices of the (signed) key order `key` falls in.
    static func slice(of key: Int64, among count: Int) -> Int {
        guard count > 1 else { return 0 }
        let ordered = UInt64(bitPattern: key) ^ (1 << 63) // Int64.min → 0, Int64.max → UInt64.max
        return Int(ordered.multipliedFullWidth(by: UInt64(count)).high)
    }

    /// The first journal sequence whose new items' keys may be missing from `match_keys`
    /// (`indexPendingKeys` writes them); nil when the datastore's index is complete.
    package func keysPendingFrom(datastore: DatastoreID) throws(StoreError) -> Int64? {
        try database.first("SELECT keys_pending_from FROM datastores WHERE id = ?", [.integer(datastore.rawValue)]) { row in
            row.isNull(0) ? nil : row.integer(0)
        } ?? nil
    }

    /// Marks `datastore`'s index incomplete from journal sequence `seq` on, unless an
    /// earlier mark stands. In the transaction of the batch that deferred the keys.
    func markKeysPending(from seq: Int64, datastore: DatastoreID) throws(StoreError) {
        try database.run("UPDATE datastores SET keys_pending_from = ? WHERE id = ? AND keys_pending_from IS NULL",
                         [.integer(seq), .integer(datastore.rawValue)])
    }

    /// Edited fingerprints a datastore leaves out of `items_fingerprint` before
    /// `indexUnindexedFingerprints` moves them in, by default: their own index stays a few
    /// hundred pages, and the catch-up dirties each leaf of the large one about once.
    public static let unindexedFingerprintLimit = 10_000

    /// Adds `count` new versions whose fingerprints wait (`items.fingerprint_unindexed`) to
    /// `datastore`'s count, and indexes them all once the count passes the store's
    /// `unindexedFingerprintLimit`. In the transaction of the batch that wrote them.
    func countUnindexedFingerprints(_ count: Int, datastore: DatastoreID) throws(StoreError) {
        let waiting = try database.first("""
            UPDATE datastores SET fingerprints_unindexed = fingerprints_unindexed + ? WHERE id = ? RETURNING fingerprints_unindexed
            """, [.integer(Int64(count)), .integer(datastore.rawValue)]) { row in row.integer(0) } ?? 0
        if waiting > unindexedFingerprintLimit { try indexUnindexedFingerprints(datastore: datastore) }
    }

    /// Moves the fingerprints of `datastore`'s edited items that wait out of `items_fingerprint`
    /// (`items.fingerprint_unindexed`) into it, in one transaction. Lookups find the waiting ones
    /// anyway (through their own small index); this keeps that index small. Compaction calls it.
    public func indexUnindexedFingerprints(datastore: DatastoreID) throws(StoreError) {
        try database.transaction { () throws(StoreError) in
            try database.run("""
                UPDATE items SET fingerprint = fingerprint_unindexed, fingerprint_unindexed = NULL
                WHERE datastore_id = ? AND fingerprint_unindexed IS NOT NULL
                """, [.integer(datastore.rawValue)])
            try database.run("UPDATE datastores SET fingerprints_unindexed = 0 WHERE id = ?", [.integer(datastore.rawValue)])
        }
    }

    /// Whether `datastore` holds a live item: one probe, not a count.
    public func hasLiveItems(datastore: DatastoreID) throws(StoreError) -> Bool {
        try database.integer("SELECT CASE WHEN EXISTS (SELECT 1 FROM items WHERE datastore_id = ? AND deleted = 0) THEN 1 ELSE 0 END",
                             [.integer(datastore.rawValue)]) == 1
    }

    /// How many journal rows `datastore` holds after sequence `seq`, and its last sequence
    /// (`seq` when none): what a session that defers keys checks, once a message, to see
    /// whether anyone but itself wrote to the datastore since it last looked.
    public func journalRows(datastore: DatastoreID, after seq: Int64) throws(StoreError) -> (count: Int, last: Int64) {
        try database.first("SELECT count(*), coalesce(max(seq), ?) FROM journal WHERE datastore_id = ? AND seq > ?",
                           [.integer(seq), .integer(datastore.rawValue), .integer(seq)]) { row in
            (Int(row.integer(0)), row.integer(1))
        } ?? (0, seq)
    }

    /// The adds and replaces `device` journaled in `datastore` after sequence `seq`, in
    /// journal order (a GUID again for each version): what a session that was the
    /// datastore's only writer since `seq` wrote, so that it can record, when another
    /// writer appears, which items it paired and which versions its client holds.
    /// Driven by `journal_store_seq`: the work is the rows written since `seq`.
    public func itemsWritten(datastore: DatastoreID, device: DeviceID, after seq: Int64) throws(StoreError) -> [WrittenItem] {
        var written: [WrittenItem] = []
        try database.forEach("""
            SELECT i.guid, j.fingerprint FROM journal j JOIN items i ON i.id = j.item_id
            WHERE j.datastore_id = ? AND j.seq > ? AND j.device_id = ? AND j.op <> ? ORDER BY j.seq
            """, [.integer(datastore.rawValue), .integer(seq), .integer(device.rawValue),
                  .integer(Int64(ChangeOperation.delete.rawValue))]) { row throws(StoreError) in
            written.append(WrittenItem(guid: row.text(0), fingerprint: try Self.fingerprint(row.optionalBlob(1))))
        }
        return written
    }
}
