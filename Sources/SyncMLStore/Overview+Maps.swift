/// An item a device knows by its own id (LUID), as `locate(luid:devID:)` finds it.
public struct MappedItem: Sendable, Hashable {
    public var location: ItemLocation
    /// The server's id of the item.
    public var guid: String
    public var devID: String
    public var luid: String
}

extension SyncStore {
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
}
