import SyncMLProtocol
import SyncMLStore

/// Who may sync and how their credentials are checked: the host's user base.
///
/// By default the server checks the users kept in its store (`syncml user
/// add`, `SyncStore.addUser`); a host with accounts of its own (a CRM's
/// logins, a directory service) implements this instead and passes it to
/// ``SyncServer/init(store:configuration:users:logger:metricsFactory:tracer:)``.
/// Whatever the directory, the server keeps nonces, refuses replayed
/// credentials and stores nothing for a request before it authenticated.
///
/// SyncML knows two schemes. Basic sends the password (over TLS, one hopes):
/// ``verifyPassword(_:of:)`` decides. MD5 sends a digest over a nonce: the
/// server needs the user's MD5 secret, `base64(md5("user:password"))`
/// (``md5Secret(user:password:)`` computes it), which is password-equivalent for that
/// scheme — keep it as carefully as a password. A directory that cannot give
/// it answers nil, and those users are asked for basic auth.
public protocol UserDirectory: Sendable {
    /// Whether `password` is `user`'s. Unknown users answer false. Called for
    /// each basic-auth request, at most a few at a time (a slow hash is fine).
    func verifyPassword(_ password: String, of user: String) async throws -> Bool
    /// `user`'s MD5 secret, or nil when the user is unknown or may not use MD5.
    func md5Secret(of user: String) async throws -> String?
    /// Whether `user` exists: a known user without an MD5 secret is challenged
    /// for basic auth; an unknown one gets the MD5 challenge every refused
    /// request gets, so that the challenge does not tell who exists.
    func knowsUser(_ user: String) async throws -> Bool
}

extension UserDirectory {
    /// The MD5 secret of `user` with `password`: what ``md5Secret(of:)`` returns.
    public static func md5Secret(user: String, password: String) -> String {
        PasswordDigest.secret(user: user, password: password)
    }
}

/// The default directory: the users in the server's store (PBKDF2 password
/// hashes, upgraded to the current iteration count on a successful check).
struct StoreUserDirectory: UserDirectory {
    let store: SyncStore

    func verifyPassword(_ password: String, of user: String) async throws -> Bool {
        let check = try await store.passwordCheck(user: user)
        guard check.verify(password) else { return false } // off the store's actor: PBKDF2 takes tens of milliseconds
        try await store.upgradePassword(check, password: password)
        return true
    }

    func md5Secret(of user: String) async throws -> String? {
        try await store.md5Secret(user: user)
    }

    func knowsUser(_ user: String) async throws -> Bool {
        try await store.existingUser(named: user) != nil
    }
}
