internal import SyncMLRecords

// MARK: History: an item's versions, restoring one, undoing a session

extension SyncStore {
    /// The versions of item `guid` still in the journal, oldest first.
    public func history(guid: String, datastore: DatastoreID) throws(StoreError) -> [JournalEntry] {
        guard let item = try itemRow(guid: guid, datastore: datastore) else { throw StoreError(.notFound, "no item \(guid)") }
        var entries: [JournalEntry] = []
        try database.forEach(Self.itemHistory, [.integer(item.id)]) { row throws(StoreError) in entries.append(try Self.entry(row, guid: item.guid)) }
        return entries
    }

    private static let itemHistory = versionChain(itemsWhere: "i.id = ?", carrying: [
        "op": "j.op", "fingerprint": "j.fingerprint", "time": "j.time", "device_id": "j.device_id", "session_id": "j.session_id",
        "bytes": "length(j.payload)",
    ]) + "SELECT seq, op, fingerprint, time, device_id, session_id, bytes FROM chain ORDER BY seq"

    /// `WITH RECURSIVE chain(item_id, seq, prev, …)`: the versions of the items `itemsWhere`
    /// selects (a condition on `items i`), from each one's current version (`items.version`)
    /// down its `prev_seq` links, one primary-key read a version; the journal has no index
    /// by item (schema 12). `carrying` adds columns, each a name and an expression over the
    /// version's row `j`, so callers need not join the journal again (PostgreSQL planned such
    /// a join over many items as a hash join reading the whole journal). `walkingWhile` (on
    /// `c`, the version reached) stops the walk early. The walk ends at a first version
    /// (`prev_seq` 0) or a compacted one, which compaction only removes from the old end
    /// (`versionsByRule`), and only goes down in seq, so a damaged link cannot loop.
    /// Callers append further CTEs or the SELECT.
    static func versionChain(itemsWhere: String, carrying: KeyValuePairs<String, String>, walkingWhile: String? = nil) -> String {
        let names = carrying.map { ", " + $0.key }.joined(), values = carrying.map { ", " + $0.value }.joined()
        return """
            WITH RECURSIVE chain(item_id, seq, prev\(names)) AS (
                SELECT i.id, j.seq, j.prev_seq\(values) FROM items i JOIN journal j ON j.seq = i.version WHERE \(itemsWhere)
                UNION ALL
                SELECT c.item_id, j.seq, j.prev_seq\(values) FROM chain c JOIN journal j ON j.seq = c.prev
                WHERE c.prev < c.seq\(walkingWhile.map { " AND " + $0 } ?? ""))

            """
    }

    /// The version of item `id` that was current at journal sequence `sequence` (its newest
    /// at or below it): the operation and fingerprint; nil when the item did not exist then
    /// or that version was compacted away.
    func version(ofItem id: Int64, at sequence: Int64) throws(StoreError) -> (operation: Int64, fingerprint: Fingerprint?)? {
        try database.first(Self.versionAt, [.integer(id), .integer(sequence), .integer(sequence)]) { row throws(StoreError) in
            (row.integer(0), try Self.fingerprint(row.optionalBlob(1)))
        }
    }

    /// Parameters: the item, the sequence twice. Walks only down to the first version at or below it.
    private static let versionAt = versionChain(itemsWhere: "i.id = ?", carrying: ["op": "j.op", "fingerprint": "j.fingerprint"],
                                                walkingWhile: "c.seq > ?") + """
        SELECT op, fingerprint FROM chain WHERE seq <= ? ORDER BY seq DESC LIMIT 1
        """

    /// The journal row of item `guid`'s current version (nil for an unknown item).
    public func currentVersion(guid: String, datastore: DatastoreID) throws(StoreError) -> JournalEntry? {
        guard let item = try itemRow(guid: guid, datastore: datastore), item.version > 0 else { return nil }
        return try entry(sequence: item.version)
    }

    func entry(sequence: Int64) throws(StoreError) -> JournalEntry? {
        try database.first("""
            SELECT j.seq, j.op, j.fingerprint, j.time, j.device_id, j.session_id, length(j.payload), i.guid
            FROM journal j JOIN items i ON i.id = j.item_id WHERE j.seq = ?
            """, [.integer(sequence)]) { row throws(StoreError) in try Self.entry(row, guid: row.text(7)) }
    }

    /// The payload of one version (journal row); nil for a delete.
    public func payload(version sequence: Int64) throws(StoreError) -> [UInt8]? {
        guard let frame = try database.first("SELECT payload, op FROM journal WHERE seq = ?", [.integer(sequence)], { row in row.optionalBlob(0) }) else {
            throw StoreError(.notFound, "no version \(sequence) (compacted or never written)")
        }
        return try frame.map { frame throws(StoreError) in try codec.decode(frame) }
    }

    func versionRow(_ sequence: Int64) throws(StoreError) -> VersionRow? {
        try database.first("SELECT seq, item_id, op, fingerprint, match_keys, payload FROM journal WHERE seq = ?", [.integer(sequence)]) { row throws(StoreError) in
            try VersionRow(row)
        }
    }

    /// Makes `version` the item's state again, as a new change (so every
    /// device, including the one that made the later changes, receives it on
    /// its next sync). Returns nil when the item already is in that state.
    public func restore(guid: String, datastore: DatastoreID, toVersion sequence: Int64, session: SessionID? = nil) throws(StoreError) -> JournalEntry? {
        try database.transaction { () throws(StoreError) -> JournalEntry? in
            guard var item = try itemRow(guid: guid, datastore: datastore) else { throw StoreError(.notFound, "no item \(guid)") }
            guard let version = try versionRow(sequence), version.itemID == item.id else {
                throw StoreError(.notFound, "item \(guid) has no version \(sequence)")
            }
            guard let seq = try revert(&item, to: version, datastore: datastore, session: session, time: nowMillis) else { return nil }
            return try entry(sequence: seq)
        }
    }

    /// Writes `version` (nil: "did not exist") as the item's new state; nil when nothing changes.
    private func revert(_ item: inout ItemRow, to version: VersionRow?, datastore: DatastoreID, session: SessionID?, time: Int64) throws(StoreError) -> Int64? {
        guard let version, version.op != .delete else {
            if item.deleted { return nil }
            return try writeVersion(of: &item, datastore: datastore, operation: .delete, fingerprint: nil, keys: [], frame: nil,
                                    type: item.type, device: nil, session: session, time: time)
        }
        if !item.deleted, item.fingerprint != nil, item.fingerprint == version.fingerprint { return nil }
        // The frame is reused as stored: no recompression.
        return try writeVersion(of: &item, datastore: datastore, operation: item.deleted ? .add : .replace, fingerprint: version.fingerprint,
                                keys: version.keys, frame: version.frame, type: item.type, device: nil, session: session, time: time)
    }

    /// Brings back, in one transaction, the items `device` deleted from
    /// `datastore` in `session` and nobody changed since: each gets its version
    /// before the delete again, as a change of the server (so every device,
    /// `device` included, receives it). Returns how many came back.
    public func restoreDeletes(session: SessionID, device: DeviceID, datastore: DatastoreID) throws(StoreError) -> Int {
        try database.transaction { () throws(StoreError) -> Int in
            var deletes: [(item: Int64, seq: Int64, prev: Int64)] = []
            try database.forEach("""
                SELECT item_id, seq, prev_seq FROM journal
                WHERE session_id = ? AND device_id = ? AND datastore_id = ? AND op = 3 ORDER BY seq
                """, [.integer(session.rawValue), .integer(device.rawValue), .integer(datastore.rawValue)]) { row in
                deletes.append((row.integer(0), row.integer(1), row.integer(2)))
            }
            let time = nowMillis
            var restored = 0
            for delete in deletes {
                guard var item = try itemRow(id: delete.item), item.version == delete.seq, delete.prev != 0,
                      let previous = try versionRow(delete.prev) else { continue }
                if try revert(&item, to: previous, datastore: datastore, session: session, time: time) != nil { restored += 1 }
            }
            return restored
        }
    }

    /// Undoes every change `session` applied: each item it touched goes back to
    /// its state before the session, as new changes in a new (undoable)
    /// session. Items changed again after the session are skipped unless
    /// `force`; items whose earlier version was compacted away are skipped.
    public func undo(session: SessionID, force: Bool = false) throws(StoreError) -> UndoResult {
        try database.transaction { () throws(StoreError) -> UndoResult in
            guard let state = try sessionState(session) else { throw StoreError(.notFound, "no session \(session.rawValue)") }
            guard state != .undone else { throw StoreError(.conflict, "session \(session.rawValue) is already undone") }
            var touched: [(item: Int64, datastore: Int64, first: Int64, last: Int64, prev: Int64)] = []
            var index: [Int64: Int] = [:]
            try database.forEach("SELECT item_id, datastore_id, seq, prev_seq FROM journal WHERE session_id = ? ORDER BY seq",
                                 [.integer(session.rawValue)]) { row in
                let item = row.integer(0), seq = row.integer(2)
                if let at = index[item] {
                    touched[at].last = seq
                } else {
                    index[item] = touched.count
                    touched.append((item, row.integer(1), seq, seq, row.integer(3)))
                }
            }
            let time = nowMillis
            let undoSession = SessionID(rawValue: try database.insert(
                "INSERT INTO sessions(device_id, kind, state, started, ended, undoes) VALUES (NULL, 'undo', ?, ?, ?, ?)",
                [.state(.completed), .integer(time), .integer(time), .integer(session.rawValue)], returning: "id"))
            var reverted: [JournalEntry] = []
            var skipped: [String: String] = [:]
            for entry in touched {
                guard var item = try itemRow(id: entry.item) else { continue }
                if !force, item.version != entry.last {
                    skipped[item.guid] = "changed again after the session (version \(item.version))"
                    continue
                }
                var previous: VersionRow?
                if entry.prev != 0 {
                    guard let row = try versionRow(entry.prev) else {
                        skipped[item.guid] = "version \(entry.prev) before the session was compacted away"
                        continue
                    }
                    previous = row
                }
                if let seq = try revert(&item, to: previous, datastore: DatastoreID(rawValue: entry.datastore), session: undoSession, time: time),
                   let written = try self.entry(sequence: seq) {
                    reverted.append(written)
                }
            }
            try database.run("UPDATE sessions SET state = ? WHERE id = ?", [.state(.undone), .integer(session.rawValue)])
            return UndoResult(session: undoSession, reverted: reverted, skipped: skipped)
        }
    }
}
