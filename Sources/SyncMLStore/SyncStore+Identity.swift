// MARK: Users, datastores and devices: created on first use, found by name

extension SyncStore {
    /// The user named `name`, created on first use.
    public func user(named name: String) throws(StoreError) -> UserID {
        try database.run("INSERT INTO users(name, created) VALUES (?, ?) ON CONFLICT DO NOTHING", [.text(name), .integer(nowMillis)])
        guard let id = try existingUser(named: name) else { throw StoreError(.notFound, "user \(name) was not created") }
        return id
    }

    /// The user named `name`, if it exists (unlike `user(named:)`, never creates it).
    public func existingUser(named name: String) throws(StoreError) -> UserID? {
        try database.integer("SELECT id FROM users WHERE name = ?", [.text(name)]).map(UserID.init(rawValue:))
    }

    /// The datastore `name` of `user`, created on first use.
    public func datastore(named name: String, user: UserID) throws(StoreError) -> DatastoreID {
        try database.run("INSERT INTO datastores(user_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING", [.integer(user.rawValue), .text(name)])
        guard let id = try existingDatastore(named: name, user: user) else { throw StoreError(.notFound, "no user \(user.rawValue)") }
        return id
    }

    /// The datastore `name` of `user`, if it exists.
    public func existingDatastore(named name: String, user: UserID) throws(StoreError) -> DatastoreID? {
        try database.integer("SELECT id FROM datastores WHERE user_id = ? AND name = ?", [.integer(user.rawValue), .text(name)])
            .map(DatastoreID.init(rawValue:))
    }

    /// The device with SyncML DevID `devID` of `user`, created on first use.
    public func device(devID: String, user: UserID) throws(StoreError) -> DeviceID {
        try database.run("INSERT INTO devices(user_id, dev_id) VALUES (?, ?) ON CONFLICT DO NOTHING", [.integer(user.rawValue), .text(devID)])
        guard let id = try database.integer("SELECT id FROM devices WHERE user_id = ? AND dev_id = ?", [.integer(user.rawValue), .text(devID)]) else {
            throw StoreError(.notFound, "no user \(user.rawValue)")
        }
        return DeviceID(rawValue: id)
    }

    /// The DevID of a device.
    public func devID(of device: DeviceID) throws(StoreError) -> String? {
        try database.first("SELECT dev_id FROM devices WHERE id = ?", [.integer(device.rawValue)]) { row in row.text(0) }
    }

    /// Keeps the device's DevInf (with its CTCaps) exactly as it sent it.
    public func setDevInf(_ bytes: [UInt8], for device: DeviceID) throws(StoreError) {
        let changed = try database.run("UPDATE devices SET devinf = ?, devinf_time = ? WHERE id = ?",
                                       [.blob(bytes), .integer(nowMillis), .integer(device.rawValue)])
        guard changed == 1 else { throw StoreError(.notFound, "no device \(device.rawValue)") }
    }

    /// The DevInf the device last sent, as sent.
    public func devInf(for device: DeviceID) throws(StoreError) -> [UInt8]? {
        try database.first("SELECT devinf FROM devices WHERE id = ?", [.integer(device.rawValue)]) { row in row.optionalBlob(0) } ?? nil
    }
}
