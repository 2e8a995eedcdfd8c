import Foundation
import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

/// Checks a SyncHdr `Cred` (OMA DS 1.2 RepPro §5.4, `syncml:auth-basic` and
/// `syncml:auth-md5`) and issues nonces, so that no credential is accepted
/// twice and nothing is stored for a request before it authenticated.
///
/// MD5 digest: `b64(md5(b64(md5("user:password")) + ":" + nonce))`. A digest is
/// accepted only over a nonce this server issued and not yet used:
/// - the nonce the device was given in its last session's 212 (kept in the
///   store per device, used up atomically by `SyncStore.consumeNonce`), or
/// - a challenge nonce from a 401/407 (`ChallengeNonces`: derived, not stored per request; any server on the store verifies it).
/// A device the server has not seen has no stored nonce, so its first
/// credential (real clients digest over an empty nonce then) is answered 401
/// with a challenge, and the client retries with a digest over it: one extra
/// round trip on first contact, as the spec and real clients expect. Such a
/// digest is told apart from a wrong password (`Outcome.challenged`), so the
/// metrics do not count every new device as a failed login.
///
/// Basic auth checks a PBKDF2 hash. That costs tens of milliseconds, so it runs
/// off the store's actor and at most `maxConcurrentPasswordChecks` at a time;
/// when too many wait, a request is turned away as busy instead of queueing.
actor Authenticator {
    let store: SyncStore
    /// Whose credentials are checked against what (the store's users unless the host gave its own).
    let users: any UserDirectory
    /// Where store failures go: a nonce or secret the store could not read or keep costs the
    /// device one more challenge round trip, never a wrong answer, so they are logged, not surfaced.
    private let logger: Logger
    /// Challenge nonces under the store's key, once it was read (see `challengeNonces()`).
    private var challenges: ChallengeNonces?
    private let challengeLifetime: TimeInterval
    private let now: @Sendable () -> Date
    private let passwordChecks: Gate

    enum Outcome: Equatable {
        case accepted(user: String)
        /// Wrong credentials (401): an unknown user, a wrong password, a replayed digest, or one over
        /// a nonce the server no longer holds (a digest hides its nonce: that looks like a wrong password).
        case rejected
        /// The right password digested over an empty nonce (401 with a fresh challenge): a device's
        /// first contact, or one that lost its state. Ordinary traffic, not a guess.
        case challenged
        /// No Cred at all (407).
        case missing
        /// Too many password checks under way: try again later (503).
        case busy
    }

    init(store: SyncStore, users: (any UserDirectory)? = nil, logger: Logger, challengeLifetime: TimeInterval = 300, maxConcurrentPasswordChecks: Int = 2,
         maxWaitingPasswordChecks: Int = 32, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.users = users ?? StoreUserDirectory(store: store)
        self.logger = logger
        self.challengeLifetime = challengeLifetime
        self.now = now
        self.passwordChecks = Gate(width: maxConcurrentPasswordChecks, queueLimit: maxWaitingPasswordChecks)
    }

    /// Verifies `cred` of a request from `devID`; `locName` is the user an MD5 credential claims.
    /// On success the nonce it used is used up.
    func verify(_ cred: Credential?, locName: String?, devID: String) async -> Outcome {
        guard let cred else { return .missing }
        let data = cred.data.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            switch CredentialScheme(of: cred) {
            case .basic:
                guard let (user, password) = Credential.basicUserAndPassword(data) else { return .rejected }
                guard await passwordChecks.enter() else { return .busy }
                let valid: Bool
                do {
                    valid = try await users.verifyPassword(password, of: user)
                } catch {
                    await passwordChecks.leave()
                    throw error
                }
                await passwordChecks.leave()
                return valid ? .accepted(user: user) : .rejected
            case .md5:
                guard let user = locName, !user.isEmpty, let secret = try await users.md5Secret(of: user) else { return .rejected }
                if let stored = try await store.nonce(user: user, devID: devID), let nonce = Data(base64Encoded: stored), !nonce.isEmpty,
                   Self.constantTimeEqual(PasswordDigest.md5(secret: secret, nonce: Array(nonce)), data) {
                    return try await store.consumeNonce(stored, user: user, devID: devID) ? .accepted(user: user) : .rejected
                }
                let challenges = try await challengeNonces()
                let windows = challenges.acceptedWindows
                let used = try await store.challengeGenerations(user: user, devID: devID, windows: windows)
                for candidate in challenges.candidates(user: user, devID: devID, used: used)
                where Self.constantTimeEqual(PasswordDigest.md5(secret: secret, nonce: candidate.nonce), data) {
                    let first = try await store.useChallenge(user: user, devID: devID, window: candidate.window, generation: candidate.generation,
                                                             expiredBefore: windows.min() ?? candidate.window)
                    return first ? .accepted(user: user) : .rejected
                }
                // A device without a nonce (first contact, or its state lost) digests over an empty one.
                return Self.constantTimeEqual(PasswordDigest.md5(secret: secret, nonce: []), data) ? .challenged : .rejected
            case nil:
                return .rejected
            }
        } catch {
            return .rejected
        }
    }

    /// The Chal for a refused request: a challenge nonce for the user it claims
    /// (nothing stored), or basic for a known user without an MD5 secret (a
    /// client follows the Chal's type, and MD5 would fail for them).
    /// A store that cannot tell gets the MD5 challenge.
    func refusalChallenge(user: String?, devID: String) async -> Challenge {
        if let user {
            do {
                if try await users.md5Secret(of: user) == nil, try await users.knowsUser(user) {
                    return CredentialScheme.basic.challenge()
                }
            } catch {
                logger.error("reading the user's credentials for a challenge failed", metadata: ["device": "\(devID)", "error": "\(error)"])
            }
        }
        let nonce: [UInt8]
        do {
            let challenges = try await challengeNonces()
            let used = try await store.challengeGenerations(user: user ?? "", devID: devID, windows: challenges.acceptedWindows)
            nonce = challenges.issue(user: user ?? "", devID: devID, used: used)
        } catch {
            // A nonce no node can verify: the device's answer is challenged again, once the store reads.
            logger.error("reading the challenge key or generations failed", metadata: ["device": "\(devID)", "error": "\(error)"])
            nonce = Array(ChallengeNonces.newKey().prefix(16))
        }
        return CredentialScheme.md5.challenge(nextNonce: Data(nonce).base64EncodedString())
    }

    /// The challenge nonces under the key every server on the store shares: read
    /// (or, by the first server ever, drawn and kept) once, then kept here.
    private func challengeNonces() async throws(StoreError) -> ChallengeNonces {
        if let challenges { return challenges }
        let key = try await store.secret(named: ChallengeNonces.keyName, orNew: ChallengeNonces.newKey())
        let made = ChallengeNonces(key: key, lifetime: challengeLifetime, now: now)
        challenges = made
        return made
    }

    /// The Chal of an authenticated session's 212: a random nonce for the
    /// device's next session, kept in the store (the session authenticated, so
    /// it may write). Basic for a user without an MD5 secret. When the store cannot read the secret
    /// or keep the nonce, the failure is logged and the MD5 challenge still goes out: a digest over an
    /// unkept nonce is refused with a fresh challenge, one round trip more in the device's next session.
    func nextSessionChallenge(user: String, devID: String) async -> Challenge {
        do {
            if try await users.md5Secret(of: user) == nil { return CredentialScheme.basic.challenge() }
        } catch {
            logger.error("reading the user's MD5 secret failed", metadata: ["device": "\(devID)", "error": "\(error)"])
        }
        var generator = SystemRandomNumberGenerator()
        let nonce = Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
        do {
            try await store.setNonce(nonce, user: user, devID: devID)
        } catch {
            logger.error("keeping the next session's nonce failed", metadata: ["device": "\(devID)", "error": "\(error)"])
        }
        return CredentialScheme.md5.challenge(nextNonce: nonce)
    }

    // MARK: Credentials

    /// The user a credential claims, unverified: LocName for MD5, the name inside a basic credential.
    static func claimedUser(_ cred: Credential, locName: String?) -> String? {
        switch CredentialScheme(of: cred) {
        case .basic: Credential.basicUserAndPassword(cred.data.trimmingCharacters(in: .whitespacesAndNewlines))?.user
        case .md5: locName
        case nil: nil
        }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

/// Lets at most `width` callers in at once and at most `queueLimit` wait;
/// past that, `enter` answers false at once.
package actor Gate {
    private let width: Int
    private let queueLimit: Int
    private var inside = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    package init(width: Int, queueLimit: Int) {
        self.width = max(1, width)
        self.queueLimit = max(0, queueLimit)
    }

    /// Callers waiting to enter.
    package var waiting: Int { waiters.count }

    package func enter() async -> Bool {
        if inside < width {
            inside += 1
            return true
        }
        guard waiters.count < queueLimit else { return false }
        await withCheckedContinuation { waiters.append($0) }
        return true // the leaving caller handed its place over
    }

    package func leave() {
        if waiters.isEmpty {
            inside -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
