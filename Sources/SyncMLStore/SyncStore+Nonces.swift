// MARK: MD5 nonces: the NextNonce each device must digest with, used once
extension SyncStore {
    /// The NextNonce (base64 text) the server last sent `devID` of user `name`;
    /// nil before the first one (the device then digests over an empty nonce).
    public func nonce(user name: String, devID: String) throws(StoreError) -> String? {
        try database.first("""
            SELECT d.nonce FROM devices d JOIN users u ON u.id = d.user_id WHERE u.name = ? AND d.dev_id = ?
            """, [.text(name), .text(devID)]) { row in row.optionalText(0) } ?? nil
    }

    /// Records the NextNonce sent to `devID` of user `name` (the device row is
    /// created for an existing user; nothing is stored for an unknown user).
    public func setNonce(_ nonce: String, user name: String, devID: String) throws(StoreError) {
        guard let user = try existingUser(named: name) else { return }
        let device = try device(devID: devID, user: user)
        try database.run("UPDATE devices SET nonce = ? WHERE id = ?", [.text(nonce), .integer(device.rawValue)])
    }

    /// Uses up the nonce stored for `devID` of user `name`, if it is still
    /// `nonce`: true for exactly one of any number of callers, so a digest over
    /// it authenticates once (a replay, or a race with one, finds it gone).
    /// Nothing is created: an unknown user or device answers false.
    public func consumeNonce(_ nonce: String, user name: String, devID: String) throws(StoreError) -> Bool {
        try database.run("""
            UPDATE devices SET nonce = NULL
            WHERE dev_id = ? AND nonce = ? AND user_id = (SELECT id FROM users WHERE name = ?)
            """, [.text(devID), .text(nonce), .text(name)]) == 1
    }
}
