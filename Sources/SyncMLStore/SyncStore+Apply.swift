internal import SyncMLRecords

// MARK: Applying changes: one batch, one transaction, a journal row per change that changes something

extension SyncStore {
    /// Applies a batch of client changes (one SyncML message or package) in one
    /// transaction: all of them or, if anything throws, none.
    ///
    /// A change whose fingerprint equals the item's current one writes no
    /// journal row (`.unchanged`); an add whose LUID is already mapped (a
    /// resent message) is a replace of the mapped item; an add without a GUID
    /// from a device, equal to a live item that device has no LUID for, is
    /// mapped to that item (`.unchanged`) instead of doubling it. Every journal row
    /// records `device` and `session`, which is what echo suppression and undo use.
    /// A change's `lookup` spares looking its item up again; without one, `apply`
    /// finds the item itself (by GUID, else by the device's LUID).
    public func apply(_ changes: [ItemChange], datastore: DatastoreID, device: DeviceID?, session: SessionID? = nil) throws(StoreError) -> [AppliedChange] {
        try database.transaction { () throws(StoreError) -> [AppliedChange] in
            var results: [AppliedChange] = []
            results.reserveCapacity(changes.count)
            let time = nowMillis
            for change in changes {
                results.append(try apply(change, datastore: datastore, device: device, session: session, time: time))
            }
            return results
        }
    }

    private func apply(_ change: ItemChange, datastore: DatastoreID, device: DeviceID?, session: SessionID?, time: Int64) throws(StoreError) -> AppliedChange {
        var item: ItemRow?
        if change.lookup == .absent {
            // The caller found nothing by this LUID or GUID just before: not looked up again.
        } else if let guid = change.guid {
            item = try itemRow(guid: guid, datastore: datastore)
        } else if let luid = change.luid, let device {
            item = try itemRow(luid: luid, device: device, datastore: datastore)
        }
        switch change.operation {
        case .delete:
            guard var item else { return AppliedChange(outcome: .notFound, guid: change.guid, luid: change.luid) }
            if let device, let luid = change.luid {
                try database.run("DELETE FROM maps WHERE device_id = ? AND datastore_id = ? AND luid = ?",
                                 [.integer(device.rawValue), .integer(datastore.rawValue), .text(luid)])
            }
            guard !item.deleted else { return AppliedChange(outcome: .unchanged, guid: item.guid, luid: change.luid) }
            let seq = try writeVersion(of: &item, datastore: datastore, operation: .delete, fingerprint: nil, keys: [], frame: nil,
                                       type: item.type, device: device, session: session, time: time)
            return AppliedChange(outcome: .deleted, guid: item.guid, luid: change.luid, sequence: seq)
        case .add, .replace:
            var outcome = AppliedChange.Outcome.replaced
            var operation = ChangeOperation.replace
            if var existing = item {
                if !existing.deleted, let fingerprint = change.fingerprint, existing.fingerprint == fingerprint {
                    try mapIfNeeded(change.luid, item: existing.id, device: device, datastore: datastore)
                    return AppliedChange(outcome: .unchanged, guid: existing.guid, luid: change.luid)
                }
                if existing.deleted { (outcome, operation) = (.added, .add) }
                let frame = try codec.encode(change.payload)
                let seq = try writeVersion(of: &existing, datastore: datastore, operation: operation, fingerprint: change.fingerprint,
                                           keys: change.matchKeys.map(\.digest), frame: frame, type: change.type, device: device, session: session, time: time)
                try mapIfNeeded(change.luid, item: existing.id, device: device, datastore: datastore)
                return AppliedChange(outcome: outcome, guid: existing.guid, luid: change.luid, sequence: seq)
            }
            // An add equal to a live item this device has no LUID for is that item. The engine
            // matches a client's Add before the batch is written; another device of the user may
            // have added the same record in between (two phones slow-syncing one address book).
            if change.operation == .add, change.guid == nil, let device, let fingerprint = change.fingerprint,
               let twin = try database.first("""
                   SELECT id, guid, type, fingerprint, deleted, version FROM items i
                   WHERE datastore_id = ? AND fingerprint = ? AND deleted = 0
                     AND NOT EXISTS (SELECT 1 FROM maps m WHERE m.item_id = i.id AND m.device_id = ?)
                   ORDER BY id LIMIT 1
                   """, [.integer(datastore.rawValue), .blob(fingerprint.bytes), .integer(device.rawValue)], { row throws(StoreError) in try ItemRow(row) }) {
                try mapIfNeeded(change.luid, item: twin.id, device: device, datastore: datastore)
                return AppliedChange(outcome: .unchanged, guid: twin.guid, luid: change.luid)
            }
            // A new item. Its GUID is the caller's, or its row id. Inserted with its fingerprint, so that
            // writeVersion has only the version to set (the fingerprint index is written once).
            let inserted = try database.first("""
                INSERT INTO items(datastore_id, guid, type, fingerprint) VALUES (?, coalesce(?, CAST((SELECT coalesce(max(id), 0) + 1 FROM items) AS TEXT)), ?, ?)
                RETURNING id, guid
                """, [.integer(datastore.rawValue), change.guid.map { .text($0) } ?? .null, .text(change.type), .fingerprint(change.fingerprint)]) { row in
                ItemRow(id: row.integer(0), guid: row.text(1), type: change.type, fingerprint: change.fingerprint, deleted: false, version: 0)
            }
            guard var created = inserted else { throw StoreError(.sqlite, "inserting an item returned no row") }
            let frame = try codec.encode(change.payload)
            let seq = try writeVersion(of: &created, datastore: datastore, operation: .add, fingerprint: change.fingerprint,
                                       keys: change.matchKeys.map(\.digest), frame: frame, type: change.type, device: device, session: session, time: time)
            try mapIfNeeded(change.luid, item: created.id, device: device, datastore: datastore)
            return AppliedChange(outcome: .added, guid: created.guid, luid: change.luid, sequence: seq)
        }
    }

    /// Appends a journal row for `item` and makes it the item's current version:
    /// its match keys become `keys` (digests, journaled with it for restore and
    /// undo). The keys it had are those its current journal row lists; only the
    /// difference is written.
    func writeVersion(of item: inout ItemRow, datastore: DatastoreID, operation: ChangeOperation, fingerprint: Fingerprint?,
                      keys: [Int64], frame: [UInt8]?, type: String, device: DeviceID?, session: SessionID?,
                      time: Int64) throws(StoreError) -> Int64 {
        let deleted = operation == .delete
        let indexed: Set<Int64> = item.version == 0 || item.deleted ? [] : try journaledKeys(version: item.version)
        let wanted: Set<Int64> = deleted ? [] : Set(keys)
        let seq = try database.insert("""
            INSERT INTO journal(datastore_id, item_id, op, prev_seq, fingerprint, match_keys, payload, time, device_id, session_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(datastore.rawValue), .integer(item.id), .integer(Int64(operation.rawValue)), .integer(item.version),
                  .fingerprint(fingerprint), deleted ? .null : .digests(keys),
                  frame.map { .blob($0) } ?? .null, .integer(time), .id(device), .id(session)], returning: "seq")
        if item.version == 0, !deleted, !item.deleted, item.fingerprint == fingerprint, item.type == type {
            // Just created with this state: only the version to set.
            try database.run("UPDATE items SET version = ? WHERE id = ?", [.integer(seq), .integer(item.id)])
        } else {
            try database.run("UPDATE items SET type = ?, fingerprint = ?, deleted = ?, version = ? WHERE id = ?",
                             [.text(type), .fingerprint(fingerprint), .integer(deleted ? 1 : 0), .integer(seq), .integer(item.id)])
        }
        for key in indexed where !wanted.contains(key) {
            try database.run("DELETE FROM match_keys WHERE datastore_id = ? AND key = ? AND item_id = ?",
                             [.integer(datastore.rawValue), .integer(key), .integer(item.id)])
        }
        for key in wanted where !indexed.contains(key) {
            try database.run("INSERT INTO match_keys(datastore_id, key, item_id) VALUES (?, ?, ?)",
                             [.integer(datastore.rawValue), .integer(key), .integer(item.id)])
        }
        item.fingerprint = fingerprint
        item.deleted = deleted
        item.version = seq
        item.type = type
        return seq
    }

    /// The key digests journal row `version` lists: what `match_keys` holds for its
    /// item while that row is the item's current version.
    private func journaledKeys(version: Int64) throws(StoreError) -> Set<Int64> {
        let found = try database.first("SELECT match_keys FROM journal WHERE seq = ?", [.integer(version)]) { row throws(StoreError) -> [Int64] in
            guard row.isNull(0) || row.isBlob(0) else { throw StoreError(.corruptRow, "journal row \(version) holds match keys that are not digests") }
            return try Self.digests(row.optionalBlob(0))
        }
        guard let found else { throw StoreError(.corruptRow, "an item's current version \(version) is missing from the journal") }
        return Set(found)
    }
}
