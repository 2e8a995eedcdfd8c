public import Foundation

/// A datastore with its item counts, as `datastores()` lists it.
public struct DatastoreSummary: Sendable, Hashable {
    /// The datastore's id, for the store's other calls.
    public var id: DatastoreID
    /// The name of the user who owns it.
    public var user: String
    /// The datastore's name as clients address it (`contacts`, `calendar`, …).
    public var name: String
    /// Items whose current version is not a delete.
    public var liveItems: Int
    /// Items whose current version is a delete (kept as tombstones until compaction).
    public var deletedItems: Int
    /// The highest journal sequence of the datastore (0 when empty).
    public var lastSequence: Int64
}

/// What a device has of one datastore, as `devices()` lists it.
public struct DeviceSummary: Sendable, Hashable {
    /// The device's id, for the store's other calls.
    public var id: DeviceID
    /// The name of the user the device belongs to.
    public var user: String
    /// The SyncML DevID the device announced (`sc-pim-…`, an IMEI, …).
    public var devID: String
    /// Nil for a device that has not synced any datastore yet.
    public var datastore: String?
    /// Its anchors and acknowledged journal position in `datastore`.
    public var state: DeviceState
    /// The start of the device's latest session.
    public var lastSession: Date?
}

/// A session with its change counts, as `sessions(user:)` lists it.
public struct SessionSummary: Sendable, Hashable {
    /// The session's id (for `history`, `undo`).
    public var id: SessionID
    /// "sync", "undo", "import", …
    public var kind: String
    /// Whether the session is running, suspended, finished or failed.
    public var state: SessionState
    /// When the session began.
    public var started: Date
    /// When the session ended; nil while it runs or stays suspended.
    public var ended: Date?
    /// The DevID of the session's device; nil for server-side sessions (undo, import).
    public var devID: String?
    /// The user whose device it was or whose datastores it changed.
    public var user: String?
    /// Adds the session journaled.
    public var adds: Int
    /// Replaces the session journaled.
    public var replaces: Int
    /// Deletes the session journaled.
    public var deletes: Int
    /// For an undo session: the session it undid.
    public var undoes: SessionID?
}

/// Where an item lives.
public struct ItemLocation: Sendable, Hashable {
    /// The name of the user who owns the datastore.
    public var user: String
    /// The datastore's name (`contacts`, …).
    public var datastoreName: String
    /// The datastore's id, for the store's other calls.
    public var datastore: DatastoreID
}

/// An item a device knows by its own id (LUID), as `locate(luid:devID:)` finds it.
public struct MappedItem: Sendable, Hashable {
    /// The user and datastore the item is in.
    public var location: ItemLocation
    /// The server's id of the item.
    public var guid: String
    /// The DevID of the device whose map holds the LUID.
    public var devID: String
    /// The device's own id for the item.
    public var luid: String
}

// MARK: Inspection (`syncml inspect`, `sessions`, `history`)

extension SyncStore {
    /// Every datastore with its counts, by user and name.
    public func datastores() throws(StoreError) -> [DatastoreSummary] {
        var result: [DatastoreSummary] = []
        try database.forEach("""
            SELECT d.id, u.name, d.name,
                   (SELECT count(*) FROM items i WHERE i.datastore_id = d.id AND i.deleted = 0),
                   (SELECT count(*) FROM items i WHERE i.datastore_id = d.id AND i.deleted = 1),
                   (SELECT coalesce(max(seq), 0) FROM journal j WHERE j.datastore_id = d.id)
            FROM datastores d JOIN users u ON u.id = d.user_id ORDER BY u.name, d.name
            """) { row in
            result.append(DatastoreSummary(id: DatastoreID(rawValue: row.integer(0)), user: row.text(1), name: row.text(2),
                                           liveItems: Int(row.integer(3)), deletedItems: Int(row.integer(4)), lastSequence: row.integer(5)))
        }
        return result
    }

    /// Every device, once per datastore it syncs (once with `datastore` nil if none).
    public func devices() throws(StoreError) -> [DeviceSummary] {
        var result: [DeviceSummary] = []
        try database.forEach("""
            SELECT v.id, u.name, v.dev_id, d.name, dd.last_anchor, dd.next_anchor, coalesce(dd.acked_seq, 0),
                   (SELECT max(started) FROM sessions s WHERE s.device_id = v.id)
            FROM devices v JOIN users u ON u.id = v.user_id
            LEFT JOIN device_datastores dd ON dd.device_id = v.id LEFT JOIN datastores d ON d.id = dd.datastore_id
            ORDER BY u.name, v.dev_id, d.name
            """) { row in
            result.append(DeviceSummary(id: DeviceID(rawValue: row.integer(0)), user: row.text(1), devID: row.text(2), datastore: row.optionalText(3),
                                        state: DeviceState(lastAnchor: row.optionalText(4), nextAnchor: row.optionalText(5), acknowledged: row.integer(6)),
                                        lastSession: row.isNull(7) ? nil : Self.date(row.integer(7))))
        }
        return result
    }

    /// Sessions, oldest first, with their change counts; only `user`'s (its
    /// devices' sessions and sessions that changed its datastores) when given.
    public func sessions(user: String? = nil) throws(StoreError) -> [SessionSummary] {
        var result: [SessionSummary] = []
        try database.forEach("""
            SELECT s.id, s.kind, s.state, s.started, s.ended, v.dev_id,
                   coalesce(u.name, (SELECT u2.name FROM journal j JOIN datastores d ON d.id = j.datastore_id JOIN users u2 ON u2.id = d.user_id
                                     WHERE j.session_id = s.id LIMIT 1)) AS owner,
                   (SELECT count(*) FROM journal j WHERE j.session_id = s.id AND j.op = 1),
                   (SELECT count(*) FROM journal j WHERE j.session_id = s.id AND j.op = 2),
                   (SELECT count(*) FROM journal j WHERE j.session_id = s.id AND j.op = 3),
                   s.undoes
            FROM sessions s LEFT JOIN devices v ON v.id = s.device_id LEFT JOIN users u ON u.id = v.user_id
            ORDER BY s.id
            """) { row throws(StoreError) in
            let owner = row.optionalText(6)
            if let user, owner != user { return }
            result.append(SessionSummary(id: SessionID(rawValue: row.integer(0)), kind: row.text(1), state: try Self.sessionState(row.text(2)),
                                         started: Self.date(row.integer(3)), ended: row.isNull(4) ? nil : Self.date(row.integer(4)),
                                         devID: row.optionalText(5), user: owner,
                                         adds: Int(row.integer(7)), replaces: Int(row.integer(8)), deletes: Int(row.integer(9)),
                                         undoes: row.isNull(10) ? nil : SessionID(rawValue: row.integer(10))))
        }
        return result
    }

    /// The datastores holding an item with this GUID.
    public func locate(guid: String) throws(StoreError) -> [ItemLocation] {
        var result: [ItemLocation] = []
        try database.forEach("""
            SELECT u.name, d.name, d.id FROM items i JOIN datastores d ON d.id = i.datastore_id JOIN users u ON u.id = d.user_id
            WHERE i.guid = ? ORDER BY u.name, d.name
            """, [.text(guid)]) { row in
            result.append(ItemLocation(user: row.text(0), datastoreName: row.text(1), datastore: DatastoreID(rawValue: row.integer(2))))
        }
        return result
    }

    /// The items device `devID` (of any user) maps its `luid` to, by user and
    /// datastore: what `syncml history --device` resolves. A record the device
    /// deleted is unmapped, so it is found by its GUID only.
    public func locate(luid: String, devID: String) throws(StoreError) -> [MappedItem] {
        var result: [MappedItem] = []
        try database.forEach("""
            SELECT u.name, d.name, d.id, i.guid FROM maps m
            JOIN devices v ON v.id = m.device_id JOIN users u ON u.id = v.user_id
            JOIN datastores d ON d.id = m.datastore_id JOIN items i ON i.id = m.item_id
            WHERE v.dev_id = ? AND m.luid = ? ORDER BY u.name, d.name
            """, [.text(devID), .text(luid)]) { row in
            let location = ItemLocation(user: row.text(0), datastoreName: row.text(1), datastore: DatastoreID(rawValue: row.integer(2)))
            result.append(MappedItem(location: location, guid: row.text(3), devID: devID, luid: luid))
        }
        return result
    }

    /// Journal rows and the bytes their payload frames take.
    public func journalSize() throws(StoreError) -> (rows: Int, payloadBytes: Int) {
        try database.first("SELECT count(*), coalesce(sum(length(payload)), 0) FROM journal") { row in
            (Int(row.integer(0)), Int(row.integer(1)))
        } ?? (0, 0)
    }
}
