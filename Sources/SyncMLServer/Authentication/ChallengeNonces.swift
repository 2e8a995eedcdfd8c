import Crypto
package import Foundation

/// The nonces the server puts in a challenge (401/407 `Chal`) to a request it
/// has not authenticated, issued without storing anything for that request.
///
/// A challenge nonce is derived, not remembered: an HMAC, under a key kept in
/// the store, of the claimed user, the DevID, a time window and a generation.
/// Any server on the same store (several nodes behind a load balancer) can
/// recompute it when the client answers with a digest, so an unauthenticated
/// request costs no row, no table entry and no memory — however many arrive,
/// under whatever names — and the answer may reach another node than the
/// challenge came from. It is valid for the window it was issued in and the
/// next (`lifetime` to twice that).
///
/// Single use: once a digest over a challenge nonce authenticated a session, the
/// generation of that user, device and window moves on (in the store, so on every
/// node at once), so the same digest (a replay) no longer verifies, and the next
/// challenge is a new nonce. Generations are kept only for authentications that
/// succeeded, and dropped when their window has passed.
///
/// The nonce a session's 212 carries for the device's *next* session is a
/// different thing: random, kept per device in the store, replaced on use
/// (see `Authenticator`).
package struct ChallengeNonces {
    /// How long one window lasts: a nonce is accepted for one to two windows.
    package let lifetime: TimeInterval
    private let key: SymmetricKey
    private let now: @Sendable () -> Date

    /// The name of the key in the store's secrets.
    package static let keyName = "challenge-nonce-key"

    /// One nonce a digest may be computed over now, and what using it up moves on.
    package struct Candidate: Equatable {
        package var nonce: [UInt8]
        package var window: Int64
        package var generation: Int
    }

    /// Nonces under `key` (256 bits; every node on one store must use the same).
    package init(key: [UInt8], lifetime: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }) {
        self.lifetime = lifetime
        self.key = SymmetricKey(data: key)
        self.now = now
    }

    /// A new random key.
    package static func newKey() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// The windows a nonce issued now or in the previous window is accepted in, newest first.
    package var acceptedWindows: [Int64] { [currentWindow, currentWindow - 1] }

    /// The nonce to send in a challenge to `user` on `devID` now, given the
    /// generations used up per window (`SyncStore.challengeGenerations`).
    package func issue(user: String, devID: String, used: [Int64: Int]) -> [UInt8] {
        nonce(user: user, devID: devID, window: currentWindow, generation: used[currentWindow, default: 0])
    }

    /// The nonces a digest from `user` on `devID` may be computed over now: this
    /// window's and the last one's, each at its current generation.
    package func candidates(user: String, devID: String, used: [Int64: Int]) -> [Candidate] {
        acceptedWindows.map { window in
            let generation = used[window, default: 0]
            return Candidate(nonce: nonce(user: user, devID: devID, window: window, generation: generation), window: window, generation: generation)
        }
    }

    private var currentWindow: Int64 { Int64((now().timeIntervalSince1970 / lifetime).rounded(.down)) }

    private func nonce(user: String, devID: String, window: Int64, generation: Int) -> [UInt8] {
        var message = Array("syncml-challenge".utf8)
        for field in [user, devID] {
            message.append(0)
            message += Array(field.utf8)
        }
        withUnsafeBytes(of: window.bigEndian) { message += $0 }
        withUnsafeBytes(of: UInt64(generation).bigEndian) { message += $0 }
        // 16 bytes are plenty: the nonce is public, it only has to be unpredictable and fresh.
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: key).prefix(16))
    }
}
