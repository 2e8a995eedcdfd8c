// MARK: Maps: each device's ids (LUIDs) for the server's items

extension SyncStore {
    /// Records a Map command's pairs in one transaction; returns the GUIDs that name no item.
    public func map(_ pairs: [(luid: String, guid: String)], device: DeviceID, datastore: DatastoreID) throws(StoreError) -> [String] {
        try database.transaction { () throws(StoreError) -> [String] in
            var unknown: [String] = []
            for pair in pairs {
                guard let item = try itemRow(guid: pair.guid, datastore: datastore) else {
                    unknown.append(pair.guid)
                    continue
                }
                try mapIfNeeded(pair.luid, item: item.id, device: device, datastore: datastore)
            }
            return unknown
        }
    }

    /// Maps the device's `luid` to the item `guid` (replacing any other LUID of that item on the device).
    public func map(luid: String, to guid: String, device: DeviceID, datastore: DatastoreID) throws(StoreError) {
        guard let item = try itemRow(guid: guid, datastore: datastore) else { throw StoreError(.notFound, "no item \(guid)") }
        try mapIfNeeded(luid, item: item.id, device: device, datastore: datastore)
    }

    /// Maps `luid` of `device` to the item, when there are both.
    func mapIfNeeded(_ luid: String?, item: Int64, device: DeviceID?, datastore: DatastoreID) throws(StoreError) {
        guard let luid, let device else { return }
        let (deviceValue, datastoreValue, luidValue, itemValue) = (SQLValue.integer(device.rawValue), SQLValue.integer(datastore.rawValue),
                                                                    SQLValue.text(luid), SQLValue.integer(item))
        switch database.dialect {
        case .sqlite:
            // OR REPLACE also drops an older LUID of the same item on this device (unique maps_item).
            try database.run("INSERT OR REPLACE INTO maps(device_id, datastore_id, luid, item_id) VALUES (?, ?, ?, ?)",
                             [deviceValue, datastoreValue, luidValue, itemValue])
        case .postgres:
            // ON CONFLICT names one constraint, and a row deleted in a WITH clause of the same statement still
            // counts for the unique check: the rows either key holds go first, as OR REPLACE drops them.
            try database.run("DELETE FROM maps WHERE device_id = ? AND datastore_id = ? AND (luid = ? OR item_id = ?)",
                             [deviceValue, datastoreValue, luidValue, itemValue])
            try database.run("INSERT INTO maps(device_id, datastore_id, luid, item_id) VALUES (?, ?, ?, ?)",
                             [deviceValue, datastoreValue, luidValue, itemValue])
        }
    }

    /// Forgets the device's `luid`.
    public func unmap(luid: String, device: DeviceID, datastore: DatastoreID) throws(StoreError) {
        try database.run("DELETE FROM maps WHERE device_id = ? AND datastore_id = ? AND luid = ?",
                         [.integer(device.rawValue), .integer(datastore.rawValue), .text(luid)])
    }

    /// The server id the device's `luid` maps to.
    public func guid(forLUID luid: String, device: DeviceID, datastore: DatastoreID) throws(StoreError) -> String? {
        try itemRow(luid: luid, device: device, datastore: datastore)?.guid
    }

    /// The device's id for item `guid`.
    public func luid(forGUID guid: String, device: DeviceID, datastore: DatastoreID) throws(StoreError) -> String? {
        try database.first("""
            SELECT m.luid FROM maps m JOIN items i ON i.id = m.item_id
            WHERE m.device_id = ? AND m.datastore_id = ? AND i.datastore_id = ? AND i.guid = ?
            """, [.integer(device.rawValue), .integer(datastore.rawValue), .integer(datastore.rawValue), .text(guid)]) { row in row.text(0) }
    }

    /// Every LUID → GUID pair of the device in the datastore.
    public func maps(device: DeviceID, datastore: DatastoreID) throws(StoreError) -> [String: String] {
        var maps: [String: String] = [:]
        try database.forEach("SELECT m.luid, i.guid FROM maps m JOIN items i ON i.id = m.item_id WHERE m.device_id = ? AND m.datastore_id = ?",
                             [.integer(device.rawValue), .integer(datastore.rawValue)]) { row in maps[row.text(0)] = row.text(1) }
        return maps
    }
}
