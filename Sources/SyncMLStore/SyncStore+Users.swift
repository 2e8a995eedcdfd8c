public import Foundation
import SyncMLProtocol

/// A user as `users()` lists it.
public struct UserSummary: Sendable, Hashable {
    /// The user's id, for the store's other calls.
    public var id: UserID
    /// The login name.
    public var name: String
    /// When the user was created.
    public var created: Date
    /// Whether a password is set (basic auth possible).
    public var hasPassword: Bool
    /// Whether an MD5 secret is stored (SyncML MD5 auth possible).
    public var md5Enabled: Bool
}

// MARK: Users and passwords

extension SyncStore {
    /// Creates user `name` with `password`. A user that exists without a
    /// password (created by `user(named:)`, e.g. by an import) gets it; one that
    /// already has a password is a `.conflict` (use `setPassword`).
    ///
    /// - Parameters:
    ///   - name: the name devices log in with.
    ///   - password: kept as a PBKDF2 hash only.
    ///   - md5: also store the MD5 secret SyncML MD5 auth needs. It is
    ///     password-equivalent for that scheme (see docs/STORE.md); `false` stores
    ///     nothing and the user can authenticate with basic auth only.
    @discardableResult
    public func addUser(name: String, password: String, md5: Bool = true) throws(StoreError) -> UserID {
        try addUser(name: name, password: password, md5: md5, iterations: PasswordHash.defaultIterations)
    }

    /// The same with a chosen PBKDF2 cost: tests and fuzz targets use a low one,
    /// since the default costs a noticeable time per user and per basic-auth login.
    @discardableResult
    package func addUser(name: String, password: String, md5: Bool, iterations: Int) throws(StoreError) -> UserID {
        guard !name.isEmpty, !name.contains(":") else { throw StoreError(.invalidArgument, "a user name must be non-empty and without ':'") }
        guard !password.isEmpty else { throw StoreError(.invalidArgument, "empty password") }
        let hash = PasswordHash(password: password, iterations: iterations)
        return try database.transaction { () throws(StoreError) -> UserID in
            if let existing = try database.first("SELECT password_hash FROM users WHERE name = ?", [.text(name)], { row in row.optionalText(0) }),
               existing != nil {
                throw StoreError(.conflict, "user \(name) already exists")
            }
            let user = try user(named: name)
            try store(hash, md5: md5 ? PasswordDigest.secret(user: name, password: password) : nil, user: user)
            return user
        }
    }

    /// Replaces the password of user `name`. `md5`: nil keeps the user's MD5
    /// setting, true/false switches it on or off.
    public func setPassword(user name: String, password: String, md5: Bool? = nil) throws(StoreError) {
        try setPassword(user: name, password: password, md5: md5, iterations: PasswordHash.defaultIterations)
    }

    func setPassword(user name: String, password: String, md5: Bool?, iterations: Int) throws(StoreError) {
        guard !password.isEmpty else { throw StoreError(.invalidArgument, "empty password") }
        guard let (user, enabled) = try database.first("SELECT id, md5_enabled FROM users WHERE name = ?", [.text(name)], { row in
            (UserID(rawValue: row.integer(0)), row.integer(1) != 0)
        }) else { throw StoreError(.notFound, "no user \(name)") }
        let hash = PasswordHash(password: password, iterations: iterations)
        try store(hash, md5: (md5 ?? enabled) ? PasswordDigest.secret(user: name, password: password) : nil, user: user)
    }

    /// Stops storing the user's MD5 secret (deletes it): MD5 auth fails for
    /// them until `setPassword(..., md5: true)`.
    public func disableMD5(user name: String) throws(StoreError) {
        let changed = try database.run("UPDATE users SET md5_secret = NULL, md5_enabled = 0 WHERE name = ?", [.text(name)])
        guard changed == 1 else { throw StoreError(.notFound, "no user \(name)") }
    }

    private func store(_ hash: PasswordHash, md5: String?, user: UserID) throws(StoreError) {
        try database.run("UPDATE users SET password_hash = ?, md5_secret = ?, md5_enabled = ? WHERE id = ?",
                         [.text(hash.encoded), md5.map { .text($0) } ?? .null, .integer(md5 == nil ? 0 : 1), .integer(user.rawValue)])
    }

    /// Checks a basic-auth password. False for unknown users and users without
    /// a password (after the same work, so timing does not tell which). A hash
    /// with fewer iterations than the current default is re-hashed on success.
    ///
    /// The hash runs on the store's actor; a server checking passwords of
    /// requests nobody has authenticated yet uses `passwordCheck(user:)`, so
    /// that a flood of them does not hold up every sync.
    public func verifyBasic(user name: String, password: String) throws(StoreError) -> Bool {
        let check = try passwordCheck(user: name)
        guard check.verify(password) else { return false }
        try upgradePassword(check, password: password)
        return true
    }

    /// What checking user `name`'s password needs, read in one step: the
    /// costly hash then runs wherever the caller likes (`PasswordCheck.verify`).
    public func passwordCheck(user name: String) throws(StoreError) -> PasswordCheck {
        let stored = try database.first("SELECT password_hash FROM users WHERE name = ?", [.text(name)]) { row in row.optionalText(0) } ?? nil
        return PasswordCheck(user: name, hash: stored.flatMap(PasswordHash.init(encoded:)))
    }

    /// After a successful check: a hash with fewer iterations than the current default is replaced.
    public func upgradePassword(_ check: PasswordCheck, password: String) throws(StoreError) {
        guard let hash = check.hash, hash.iterations < PasswordHash.defaultIterations else { return }
        let upgraded = PasswordHash(password: password)
        try database.run("UPDATE users SET password_hash = ? WHERE name = ? AND password_hash = ?",
                         [.text(upgraded.encoded), .text(check.user), .text(hash.encoded)])
    }

    fileprivate static let dummyHash = PasswordHash(password: "unknown user", salt: Array(repeating: 0, count: PasswordHash.saltBytes),
                                                iterations: PasswordHash.defaultIterations)

    /// The secret SyncML MD5 auth checks against, `b64(md5("user:password"))`;
    /// nil for unknown users, users without a password and users with MD5 disabled.
    /// The server verifies a client's digest as `b64(md5(secret + ":" + nonce))`.
    public func md5Secret(user name: String) throws(StoreError) -> String? {
        try database.first("SELECT md5_secret FROM users WHERE name = ? AND md5_enabled = 1", [.text(name)]) { row in row.optionalText(0) } ?? nil
    }

    /// Every user, by name.
    public func users() throws(StoreError) -> [UserSummary] {
        var users: [UserSummary] = []
        try database.forEach("SELECT id, name, created, password_hash IS NOT NULL, md5_secret IS NOT NULL AND md5_enabled = 1 FROM users ORDER BY name") { row in
            users.append(UserSummary(id: UserID(rawValue: row.integer(0)), name: row.text(1), created: Self.date(row.integer(2)),
                                     hasPassword: row.integer(3) != 0, md5Enabled: row.integer(4) != 0))
        }
        return users
    }
}

/// A user's stored password hash, to check a basic-auth password off the
/// store's actor (PBKDF2 costs tens of milliseconds by design).
public struct PasswordCheck: Sendable {
    let user: String
    let hash: PasswordHash?

    /// Whether `password` is the user's. Unknown users and users without a
    /// password cost the same work and answer false.
    public func verify(_ password: String) -> Bool {
        guard let hash else {
            _ = SyncStore.dummyHash.verify(password)
            return false
        }
        return hash.verify(password)
    }
}

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

// MARK: Removing a user

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
            // The match-key index has no foreign key (nothing indexes it by item): its rows go by datastore.
            try database.run("DELETE FROM match_keys WHERE datastore_id IN (SELECT id FROM datastores WHERE user_id = ?)", [id])
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
