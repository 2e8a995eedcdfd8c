// MARK: Device state: anchors, what a device acknowledged, the type it sends

extension SyncStore {
    /// Anchors and acknowledged sequence of a device in a datastore (zero/nil before its first sync).
    public func deviceState(_ device: DeviceID, datastore: DatastoreID) throws(StoreError) -> DeviceState {
        try database.first("""
            SELECT last_anchor, next_anchor, acked_seq, client_type, previous_anchor FROM device_datastores WHERE device_id = ? AND datastore_id = ?
            """, [.integer(device.rawValue), .integer(datastore.rawValue)]) { row in
            DeviceState(lastAnchor: row.optionalText(0), nextAnchor: row.optionalText(1), acknowledged: row.integer(2), clientType: row.optionalText(3),
                        previousAnchor: row.optionalText(4))
        } ?? DeviceState(lastAnchor: nil, nextAnchor: nil, acknowledged: 0)
    }

    /// Records the anchors of a sync of `datastore` with `device`.
    /// The anchor it replaces is kept as `previousAnchor`.
    public func setAnchors(_ device: DeviceID, datastore: DatastoreID, last: String?, next: String?) throws(StoreError) {
        try database.run("""
            INSERT INTO device_datastores(device_id, datastore_id, last_anchor, next_anchor) VALUES (?, ?, ?, ?)
            ON CONFLICT(device_id, datastore_id) DO UPDATE SET previous_anchor = device_datastores.last_anchor,
                last_anchor = excluded.last_anchor, next_anchor = excluded.next_anchor
            """, [.integer(device.rawValue), .integer(datastore.rawValue), last.map { .text($0) } ?? .null, next.map { .text($0) } ?? .null])
    }

    /// Remembers the content type `device` sends in `datastore`.
    public func setClientType(_ type: String, device: DeviceID, datastore: DatastoreID) throws(StoreError) {
        try database.run("""
            INSERT INTO device_datastores(device_id, datastore_id, client_type) VALUES (?, ?, ?)
            ON CONFLICT(device_id, datastore_id) DO UPDATE SET client_type = excluded.client_type
            """, [.integer(device.rawValue), .integer(datastore.rawValue), .text(type)])
    }

    /// Records that `device` has every change of `datastore` up to `sequence`.
    /// Never moves backwards.
    public func acknowledge(_ device: DeviceID, datastore: DatastoreID, through sequence: Int64) throws(StoreError) {
        guard sequence >= 0 else { throw StoreError(.invalidArgument, "negative sequence \(sequence)") }
        try database.run("""
            INSERT INTO device_datastores(device_id, datastore_id, acked_seq) VALUES (?, ?, ?)
            ON CONFLICT(device_id, datastore_id) DO UPDATE SET acked_seq = CASE WHEN excluded.acked_seq > device_datastores.acked_seq
                THEN excluded.acked_seq ELSE device_datastores.acked_seq END
            """, [.integer(device.rawValue), .integer(datastore.rawValue), .integer(sequence)])
    }

    /// The end of a sync, in one transaction: the new anchors, the content type
    /// the device sends (when known) and what it acknowledged (when it confirmed
    /// everything). Together or not at all: anchors saved without the
    /// acknowledgement would make the device's next edits look like conflicts
    /// with changes it already has; neither saved makes the next sync slow.
    public func finishSync(_ device: DeviceID, datastore: DatastoreID, last: String?, next: String?, clientType: String? = nil,
                           acknowledgeThrough sequence: Int64?) throws(StoreError) {
        try database.transaction { () throws(StoreError) in
            try setAnchors(device, datastore: datastore, last: last, next: next)
            if let clientType { try setClientType(clientType, device: device, datastore: datastore) }
            if let sequence { try acknowledge(device, datastore: datastore, through: sequence) }
        }
    }

    /// Forgets what the device acknowledged and its maps (before a slow sync).
    public func resetDevice(_ device: DeviceID, datastore: DatastoreID) throws(StoreError) {
        try database.transaction { () throws(StoreError) in
            try database.run("""
                UPDATE device_datastores SET acked_seq = 0, last_anchor = NULL, next_anchor = NULL, previous_anchor = NULL
                WHERE device_id = ? AND datastore_id = ?
                """,
                             [.integer(device.rawValue), .integer(datastore.rawValue)])
            try database.run("DELETE FROM maps WHERE device_id = ? AND datastore_id = ?", [.integer(device.rawValue), .integer(datastore.rawValue)])
        }
    }
}
