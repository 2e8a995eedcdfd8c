package import Foundation

// MARK: Live sessions: what lets any server node on this store take a session's next message

/// A running session as the store keeps it between two of its messages (`live_sessions`, docs/STORE.md).
package struct LiveSessionRecord: Sendable, Hashable {
    /// The secret token of the session's RespURI.
    package var token: String
    package var user: UserID
    /// The device's DevID (its SyncHdr Source LocURI).
    package var deviceURI: String
    /// The client's SessionID.
    package var clientSessionID: String
    /// How many of the session's messages were answered and saved.
    package var messageCount: Int
    /// What the session keeps between messages (the server's snapshot, uncompressed).
    package var state: [UInt8]

    package init(token: String, user: UserID, deviceURI: String, clientSessionID: String, messageCount: Int, state: [UInt8]) {
        (self.token, self.user, self.deviceURI, self.clientSessionID, self.messageCount, self.state)
            = (token, user, deviceURI, clientSessionID, messageCount, state)
    }
}

extension SyncStore {
    /// Saves the session `record.token` after a message: its state, and
    /// `message_count` one past `previous` (nil: the session's first save).
    /// Returns the new count. A writer that is not at the stored count (another
    /// node answered a later message, or saved first) gets `.conflict` and
    /// changes nothing.
    @discardableResult
    package func saveLiveSession(token: String, user: UserID, deviceURI: String, clientSessionID: String, state: [UInt8],
                                 after previous: Int?) throws(StoreError) -> Int {
        let frame = try codec.encode(state)
        let count = (previous ?? 0) + 1
        let changed: Int
        if let previous {
            changed = try database.run("""
                UPDATE live_sessions SET state = ?, message_count = ?, updated = ? WHERE token = ? AND message_count = ?
                """, [.blob(frame), .integer(Int64(count)), .integer(nowMillis), .text(token), .integer(Int64(previous))])
        } else {
            changed = try database.run("""
                INSERT INTO live_sessions(token, user_id, dev_id, client_session_id, message_count, state, updated)
                VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT(token) DO NOTHING
                """, [.text(token), .integer(user.rawValue), .text(deviceURI), .text(clientSessionID), .blob(frame), .integer(nowMillis)])
        }
        guard changed == 1 else {
            let stored = try liveSessionCount(token: token)
            throw StoreError(.conflict, "session \(token.prefix(8))… was saved at message \(stored.map(String.init) ?? "none"), not \(previous ?? 0)")
        }
        return count
    }

    /// The session `token`, or nil when the store holds none.
    package func liveSession(token: String) throws(StoreError) -> LiveSessionRecord? {
        guard let row = try database.first("""
            SELECT user_id, dev_id, client_session_id, message_count, state FROM live_sessions WHERE token = ?
            """, [.text(token)], { row in (row.integer(0), row.text(1), row.text(2), row.integer(3), row.blob(4)) }) else { return nil }
        return LiveSessionRecord(token: token, user: UserID(rawValue: row.0), deviceURI: row.1, clientSessionID: row.2,
                                 messageCount: Int(row.3), state: try codec.decode(row.4))
    }

    /// Every saved session of `user` (any node's), by token.
    package func liveSessions(user: UserID) throws(StoreError) -> [LiveSessionRecord] {
        var rows: [(String, String, String, Int64, [UInt8])] = []
        try database.forEach("""
            SELECT token, dev_id, client_session_id, message_count, state FROM live_sessions WHERE user_id = ? ORDER BY token
            """, [.integer(user.rawValue)]) { row in rows.append((row.text(0), row.text(1), row.text(2), row.integer(3), row.blob(4))) }
        var records: [LiveSessionRecord] = []
        for row in rows {
            records.append(LiveSessionRecord(token: row.0, user: user, deviceURI: row.1, clientSessionID: row.2, messageCount: Int(row.3),
                                             state: try codec.decode(row.4)))
        }
        return records
    }

    /// How many messages of the session `token` were saved (nil: no such session): what a node
    /// compares its own copy with before it handles the session's next message.
    package func liveSessionCount(token: String) throws(StoreError) -> Int? {
        try database.integer("SELECT message_count FROM live_sessions WHERE token = ?", [.text(token)]).map { Int($0) }
    }

    /// The user of the session `token` (nil: no such session), whose lock its messages take.
    package func liveSessionUser(token: String) throws(StoreError) -> UserID? {
        try database.integer("SELECT user_id FROM live_sessions WHERE token = ?", [.text(token)]).map(UserID.init(rawValue:))
    }

    /// Forgets the session `token`.
    package func deleteLiveSession(token: String) throws(StoreError) {
        try database.run("DELETE FROM live_sessions WHERE token = ?", [.text(token)])
    }

    /// The sessions no node saved since `date`, oldest first: what expiry looks at.
    package func liveSessions(idleSince date: Date) throws(StoreError) -> [String] {
        var tokens: [String] = []
        try database.forEach("SELECT token FROM live_sessions WHERE updated < ? ORDER BY updated, token", [.integer(Self.millis(date))]) { row in
            tokens.append(row.text(0))
        }
        return tokens
    }

    /// Deletes the sessions no node saved since `date`; returns how many.
    @discardableResult
    package func purgeLiveSessions(idleSince date: Date) throws(StoreError) -> Int {
        try database.run("DELETE FROM live_sessions WHERE updated < ?", [.integer(Self.millis(date))])
    }

    // MARK: Per-user serialization across nodes

    /// Takes the lock on `user`'s messages for this store connection, if no other
    /// connection holds it: true when taken. On PostgreSQL a session-level advisory
    /// lock (every node on the database sees it; it goes with the connection if the
    /// node dies); on SQLite, where one process serves a store, always true.
    /// Locks taken on one connection nest: a caller serializes its own users first.
    package func tryLockUser(_ user: UserID) throws(StoreError) -> Bool {
        guard database.dialect == .postgres else { return true }
        return try database.integer("SELECT CASE WHEN pg_try_advisory_lock(?) THEN 1 ELSE 0 END", [.integer(lockKey(user))]) == 1
    }

    /// Releases a lock `tryLockUser` took.
    package func unlockUser(_ user: UserID) throws(StoreError) {
        guard database.dialect == .postgres else { return }
        _ = try database.integer("SELECT CASE WHEN pg_advisory_unlock(?) THEN 1 ELSE 0 END", [.integer(lockKey(user))])
    }

    /// The advisory lock key of `user`: the store's own class ("SYNC") and its scope in the
    /// high word, so other stores in the database and other users of its advisory locks do
    /// not collide with it.
    func lockKey(_ user: UserID) -> Int64 {
        Int64(Int32(0x5359_4E43) ^ database.lockScope) << 32 | (user.rawValue & 0xFFFF_FFFF)
    }
}
