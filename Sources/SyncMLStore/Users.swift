public import Foundation
import SyncMLProtocol

/// A user as `users()` lists it.
public struct UserSummary: Sendable, Hashable {
    public var id: UserID
    public var name: String
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
    /// - Parameter md5: also store the MD5 secret SyncML MD5 auth needs. It is
    ///   password-equivalent for that scheme (see docs/STORE.md); `false` stores
    ///   nothing and the user can authenticate with basic auth only.
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

    /// The user named `name`, if it exists (unlike `user(named:)`, never creates it).
    public func existingUser(named name: String) throws(StoreError) -> UserID? {
        try database.integer("SELECT id FROM users WHERE name = ?", [.text(name)]).map(UserID.init(rawValue:))
    }

    /// The datastore `name` of `user`, if it exists.
    public func existingDatastore(named name: String, user: UserID) throws(StoreError) -> DatastoreID? {
        try database.integer("SELECT id FROM datastores WHERE user_id = ? AND name = ?", [.integer(user.rawValue), .text(name)])
            .map(DatastoreID.init(rawValue:))
    }
}

// MARK: MD5 nonces
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
