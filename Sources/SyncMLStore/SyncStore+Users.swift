/// What `removeUser` deleted with the user.
public struct UserRemoval: Sendable, Hashable {
    /// The user's datastores.
    public var datastores: Int
    /// Records, live or deleted (a deleted record's versions stay in the journal until then).
    public var records: Int
    /// Journal rows: every version of those records.
    public var versions: Int
    /// Devices, with their anchors, LUID maps and nonces.
    public var devices: Int
    /// Sessions of those devices, and imports and undos that changed the user's datastores.
    public var sessions: Int
}

extension SyncStore {
    /// Removes user `name` with its devices (anchors, maps, nonces) and sessions, in one transaction.
    ///
    /// Records are never deleted by surprise: a user whose datastores hold any
    /// (live ones, or deleted ones whose history the journal keeps) is refused
    /// with `.conflict` unless `deletingData` is true; then the datastores, the
    /// records and every version of them go too, and cannot be undone.
    /// An unknown user is `.notFound`.
    @discardableResult
    public func removeUser(named name: String, deletingData: Bool = false) throws(StoreError) -> UserRemoval {
        try database.transaction { () throws(StoreError) -> UserRemoval in
            guard let user = try existingUser(named: name) else { throw StoreError(.notFound, "no user \(name)") }
            let id = SQLValue.integer(user.rawValue)
            let datastoresWithRecords = try datastoreNames(withRecordsOf: user)
            var removal = UserRemoval(
                datastores: Int(try database.integer("SELECT count(*) FROM datastores WHERE user_id = ?", [id]) ?? 0),
                records: Int(try database.integer("""
                    SELECT count(*) FROM items i JOIN datastores d ON d.id = i.datastore_id WHERE d.user_id = ?
                    """, [id]) ?? 0),
                versions: Int(try database.integer("""
                    SELECT count(*) FROM journal j JOIN datastores d ON d.id = j.datastore_id WHERE d.user_id = ?
                    """, [id]) ?? 0),
                devices: Int(try database.integer("SELECT count(*) FROM devices WHERE user_id = ?", [id]) ?? 0),
                sessions: 0)
            if removal.records > 0, !deletingData {
                throw StoreError(.conflict, "user \(name) still has \(removal.records) record(s) in \(datastoresWithRecords.joined(separator: ", ")) (with their history)")
            }
            // The user's sessions: its devices', those that changed its datastores, and undos of either.
            removal.sessions = try database.run("""
                DELETE FROM sessions WHERE id IN (
                    WITH RECURSIVE owned(id) AS (
                        SELECT s.id FROM sessions s JOIN devices v ON v.id = s.device_id WHERE v.user_id = ?
                        UNION SELECT j.session_id FROM journal j JOIN datastores d ON d.id = j.datastore_id
                              WHERE d.user_id = ? AND j.session_id IS NOT NULL
                        UNION SELECT s.id FROM sessions s JOIN owned o ON s.undoes = o.id
                    )
                    SELECT id FROM owned)
                """, [id, id])
            // Datastores, items, journal, maps, device state and host tokens follow by ON DELETE CASCADE.
            try database.run("DELETE FROM users WHERE id = ?", [id])
            return removal
        }
    }

    /// The names of `user`'s datastores that hold records (live or deleted), sorted.
    private func datastoreNames(withRecordsOf user: UserID) throws(StoreError) -> [String] {
        var names: [String] = []
        try database.forEach("""
            SELECT d.name FROM datastores d WHERE d.user_id = ? AND EXISTS (SELECT 1 FROM items i WHERE i.datastore_id = d.id)
            ORDER BY d.name
            """, [.integer(user.rawValue)]) { row in names.append(row.text(0)) }
        return names
    }
}
