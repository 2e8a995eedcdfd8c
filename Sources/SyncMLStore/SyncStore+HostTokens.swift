// MARK: Host change tokens: where a client's host was in its own change feed

extension SyncStore {
    /// The host's change token saved for `datastore` (a client's mirror), if any.
    public func hostToken(datastore: DatastoreID) throws(StoreError) -> String? {
        try database.first("SELECT token FROM host_tokens WHERE datastore_id = ?", [.integer(datastore.rawValue)]) { $0.text(0) }
    }

    /// Saves (nil: forgets) the host's change token for `datastore`.
    public func setHostToken(_ token: String?, datastore: DatastoreID) throws(StoreError) {
        if let token {
            try database.run("INSERT INTO host_tokens(datastore_id, token) VALUES (?, ?) ON CONFLICT(datastore_id) DO UPDATE SET token = excluded.token",
                             [.integer(datastore.rawValue), .text(token)])
        } else {
            try database.run("DELETE FROM host_tokens WHERE datastore_id = ?", [.integer(datastore.rawValue)])
        }
    }
}
