// MARK: Changes for a device: echo suppression and collapsing (docs/STORE.md)

extension SyncStore {
    /// The changes of `datastore` that `device` lacks: journal rows after
    /// `since` (default: what it acknowledged), collapsed per item to the last
    /// change, leaving out items whose last change the device made itself
    /// (echo suppression). An item the device never knew comes as an add; one
    /// it never knew that was deleted meanwhile does not come at all.
    ///
    /// Reads the journal from `since` through its index, so the cost is
    /// proportional to the changes, not to the store.
    public func changes(for device: DeviceID, datastore: DatastoreID, since: Int64? = nil, includePayloads: Bool = true) throws(StoreError) -> ChangeSet {
        var from: Int64
        if let since { from = since } else { from = try deviceState(device, datastore: datastore).acknowledged }
        struct Last { var seq: Int64; var op: Int64; var device: Int64? }
        var last: [Int64: Last] = [:]
        /// Items the device itself changed in the range: it may hold a version other than the one at `from`.
        var changedByDevice = Set<Int64>()
        var through = from
        try database.forEach("SELECT seq, item_id, op, device_id FROM journal WHERE datastore_id = ? AND seq > ? ORDER BY seq",
                             [.integer(datastore.rawValue), .integer(from)]) { row in
            let seq = row.integer(0)
            let entry = Last(seq: seq, op: row.integer(2), device: row.isNull(3) ? nil : row.integer(3))
            last[row.integer(1)] = entry
            if entry.device == device.rawValue { changedByDevice.insert(row.integer(1)) }
            through = seq
        }
        var result: [OutgoingChange] = []
        for (itemID, entry) in last.sorted(by: { $0.value.seq < $1.value.seq }) {
            if entry.device == device.rawValue { continue } // its own change is the item's latest state
            let luid = try database.first("SELECT luid FROM maps WHERE device_id = ? AND datastore_id = ? AND item_id = ?",
                                          [.integer(device.rawValue), .integer(datastore.rawValue), .integer(itemID)]) { row in row.text(0) }
            var known = luid != nil
            if !known {
                // Did the item exist (not deleted) when the device was at `from`?
                let opAtFrom = try version(ofItem: itemID, at: from)?.operation
                known = opAtFrom != nil && opAtFrom != Int64(ChangeOperation.delete.rawValue)
            }
            let isDelete = entry.op == Int64(ChangeOperation.delete.rawValue)
            if isDelete && !known { continue }
            let change = try database.first("""
                SELECT i.guid, i.type, j.fingerprint, \(includePayloads && !isDelete ? "j.payload" : "NULL")
                FROM journal j JOIN items i ON i.id = j.item_id WHERE j.seq = ?
                """, [.integer(entry.seq)]) { row throws(StoreError) in
                (guid: row.text(0), type: row.text(1), fingerprint: try Self.fingerprint(row.optionalBlob(2)), frame: row.optionalBlob(3))
            }
            guard let change else { continue }
            if known, !isDelete, !changedByDevice.contains(itemID), let now = change.fingerprint,
               let atFrom = try version(ofItem: itemID, at: from)?.fingerprint, atFrom == now {
                continue // changed and changed back (a held delete restored, an undo): the device has this version
            }
            result.append(OutgoingChange(sequence: entry.seq, guid: change.guid, luid: luid,
                                         operation: isDelete ? .delete : (known ? .replace : .add),
                                         type: change.type, fingerprint: change.fingerprint,
                                         payload: try change.frame.map { frame throws(StoreError) in try codec.decode(frame) }))
        }
        return ChangeSet(changes: result, through: through)
    }

    /// The highest journal sequence of a datastore (0 when empty).
    public func lastSequence(datastore: DatastoreID) throws(StoreError) -> Int64 {
        try database.integer("SELECT max(seq) FROM journal WHERE datastore_id = ?", [.integer(datastore.rawValue)]) ?? 0
    }
}
