package import Foundation
package import SyncMLRecords

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

/// What a session shared by server nodes keeps per GUID of a datastore
/// (`live_session_items`): the fingerprint of the version the client holds
/// (nil: none the session knows of), whether the session paired the item with
/// a client item, and the journal sequence of the server's change the client
/// confirmed. A row with none of them stands for a GUID the session let go.
package struct LiveSessionItemRow: Sendable, Hashable {
    package var datastore: DatastoreID
    package var guid: String
    package var fingerprint: Fingerprint?
    package var claimed: Bool
    package var confirmed: Int64?

    package init(datastore: DatastoreID, guid: String, fingerprint: Fingerprint?, claimed: Bool, confirmed: Int64?) {
        (self.datastore, self.guid, self.fingerprint, self.claimed, self.confirmed) = (datastore, guid, fingerprint, claimed, confirmed)
    }
}

/// The rows one save of a shared session writes besides its value: the item
/// rows its message changed, and the outgoing queue of each datastore whose
/// queue was selected since the last save (written whole, once).
package struct LiveSessionRows: Sendable, Hashable {
    package var items: [LiveSessionItemRow]
    package var queues: [DatastoreID: [OutgoingChange]]

    package init(items: [LiveSessionItemRow] = [], queues: [DatastoreID: [OutgoingChange]] = [:]) {
        (self.items, self.queues) = (items, queues)
    }
}

extension SyncStore {
    /// Saves the session `token` after a message: its state, its `rows` (what
    /// changed in the message), and `message_count` one past `previous` (nil: the
    /// session's first save), in one transaction. Returns the new count. A writer
    /// that is not at the stored count (another node answered a later message, or
    /// saved first) gets `.conflict` and changes nothing.
    @discardableResult
    package func saveLiveSession(token: String, user: UserID, deviceURI: String, clientSessionID: String, state: [UInt8],
                                 after previous: Int?, rows: LiveSessionRows = LiveSessionRows()) throws(StoreError) -> Int {
        let frame = try codec.encode(state)
        let count = (previous ?? 0) + 1
        return try database.transaction { () throws(StoreError) -> Int in
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
            try write(rows, token: token, message: count)
            return count
        }
    }

    /// Writes `rows` of the session `token`, saved as message `message`: each item row
    /// replaces the one of its GUID; each queue replaces its datastore's.
    private func write(_ rows: LiveSessionRows, token: String, message: Int) throws(StoreError) {
        let (session, saved) = (SQLValue.text(token), SQLValue.integer(Int64(message)))
        for chunk in Self.slices(rows.items) {
            try database.run("""
                INSERT INTO live_session_items(token, datastore_id, guid, fingerprint, claimed, confirmed, message) VALUES \(Self.tuples(chunk.count, of: 7))
                ON CONFLICT(token, datastore_id, guid) DO UPDATE SET fingerprint = excluded.fingerprint, claimed = excluded.claimed,
                confirmed = excluded.confirmed, message = excluded.message
                """, chunk.flatMap { row -> [SQLValue] in
                    [session, .integer(row.datastore.rawValue), .text(row.guid), .fingerprint(row.fingerprint), .integer(row.claimed ? 1 : 0),
                     row.confirmed.map { .integer($0) } ?? .null, saved]
                })
        }
        for (datastore, queue) in rows.queues.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            try database.run("DELETE FROM live_session_queue WHERE token = ? AND datastore_id = ?", [session, .integer(datastore.rawValue)])
            let positioned = Array(queue.enumerated())
            for chunk in Self.slices(positioned) {
                try database.run("""
                    INSERT INTO live_session_queue(token, datastore_id, position, seq, guid, luid, operation, type, fingerprint, payload)
                    VALUES \(Self.tuples(chunk.count, of: 10))
                    """, chunk.flatMap { position, change -> [SQLValue] in
                        [session, .integer(datastore.rawValue), .integer(Int64(position)), .integer(change.sequence), .text(change.guid),
                         change.luid.map { .text($0) } ?? .null, .integer(Int64(change.operation.rawValue)), .text(change.type),
                         .fingerprint(change.fingerprint), change.payload.map { .blob($0) } ?? .null]
                    })
            }
        }
    }

    /// The item rows of the session `token` saved after message `message` (0: all), by datastore and GUID.
    package func liveSessionItems(token: String, after message: Int = 0) throws(StoreError) -> [LiveSessionItemRow] {
        var rows: [LiveSessionItemRow] = []
        try database.forEach("""
            SELECT datastore_id, guid, fingerprint, claimed, confirmed FROM live_session_items WHERE token = ? AND message > ?
            ORDER BY datastore_id, guid
            """, [.text(token), .integer(Int64(message))]) { row throws(StoreError) in
            rows.append(LiveSessionItemRow(datastore: DatastoreID(rawValue: row.integer(0)), guid: row.text(1),
                                           fingerprint: try Self.fingerprint(row.optionalBlob(2)), claimed: row.integer(3) != 0,
                                           confirmed: row.isNull(4) ? nil : row.integer(4)))
        }
        return rows
    }

    /// The outgoing queue of `datastore` in the session `token`, from `position` on (what was not taken yet).
    package func liveSessionQueue(token: String, datastore: DatastoreID, from position: Int = 0) throws(StoreError) -> [OutgoingChange] {
        var changes: [OutgoingChange] = []
        try database.forEach("""
            SELECT seq, guid, luid, operation, type, fingerprint, payload FROM live_session_queue
            WHERE token = ? AND datastore_id = ? AND position >= ? ORDER BY position
            """, [.text(token), .integer(datastore.rawValue), .integer(Int64(position))]) { row throws(StoreError) in
            guard let operation = ChangeOperation(rawValue: Int(row.integer(3))) else {
                throw StoreError(.corruptRow, "a queued change of session \(token.prefix(8))… has operation \(row.integer(3))")
            }
            changes.append(OutgoingChange(sequence: row.integer(0), guid: row.text(1), luid: row.optionalText(2), operation: operation,
                                          type: row.text(4), fingerprint: try Self.fingerprint(row.optionalBlob(5)), payload: row.optionalBlob(6)))
        }
        return changes
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

    /// Forgets the session `token` (its rows go with it).
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

    /// Deletes the sessions no node saved since `date` (their rows go with them); returns how many.
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
