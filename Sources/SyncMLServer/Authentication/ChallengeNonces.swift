import Crypto
package import Foundation

/// The nonces the server puts in a challenge (401/407 `Chal`) to a request it
/// has not authenticated, issued without storing anything.
///
/// A challenge nonce is derived, not remembered: an HMAC, under a key drawn at
/// start, of the claimed user, the DevID, a time window and a generation. The
/// server can recompute it when the client answers with a digest, so an
/// unauthenticated request costs no row, no table entry and no memory — however
/// many arrive, under whatever names. It is valid for the window it was issued
/// in and the next (`lifetime` to twice that).
///
/// Single use: once a digest over a challenge nonce authenticated a session, the
/// generation of that user, device and window moves on, so the same digest (a
/// replay) no longer verifies, and the next challenge is a new nonce. Only these
/// counters are kept, and only for authentications that succeeded; they are
/// dropped when their window has passed.
///
/// The nonce a session's 212 carries for the device's *next* session is a
/// different thing: random, kept per device in the store, replaced on use
/// (see `Authenticator`).
package struct ChallengeNonces {
    /// How long one window lasts: a nonce is accepted for one to two windows.
    package let lifetime: TimeInterval
    private let key: SymmetricKey
    private let now: @Sendable () -> Date
    /// Generations used up, per user, DevID and window (only after a successful authentication).
    private var used: [Slot: Int] = [:]

    private struct Slot: Hashable {
        var user: String
        var devID: String
        var window: Int64
    }

    package init(lifetime: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }) {
        self.lifetime = lifetime
        self.key = SymmetricKey(size: .bits256)
        self.now = now
    }

    /// The nonce to send in a challenge to `user` on `devID` now.
    package func issue(user: String, devID: String) -> [UInt8] {
        let slot = Slot(user: user, devID: devID, window: currentWindow)
        return nonce(slot, generation: used[slot, default: 0])
    }

    /// The nonces a digest from `user` on `devID` may be computed over now: this
    /// window's and the last one's, each at its current generation.
    package func candidates(user: String, devID: String) -> [[UInt8]] {
        let window = currentWindow
        return [window, window - 1].map { window in
            let slot = Slot(user: user, devID: devID, window: window)
            return nonce(slot, generation: used[slot, default: 0])
        }
    }

    /// Marks `nonce` used, if it is still one of the `candidates`. False when it
    /// is not (used by another request in the meantime, or expired).
    package mutating func consume(_ nonce: [UInt8], user: String, devID: String) -> Bool {
        let window = currentWindow
        used = used.filter { $0.key.window >= window - 1 }
        for window in [window, window - 1] {
            let slot = Slot(user: user, devID: devID, window: window)
            let generation = used[slot, default: 0]
            if self.nonce(slot, generation: generation) == nonce {
                used[slot] = generation + 1
                return true
            }
        }
        return false
    }

    private var currentWindow: Int64 { Int64((now().timeIntervalSince1970 / lifetime).rounded(.down)) }

    private func nonce(_ slot: Slot, generation: Int) -> [UInt8] {
        var message = Array("syncml-challenge".utf8)
        for field in [slot.user, slot.devID] {
            message.append(0)
            message += Array(field.utf8)
        }
        withUnsafeBytes(of: slot.window.bigEndian) { message += $0 }
        withUnsafeBytes(of: UInt64(generation).bigEndian) { message += $0 }
        // 16 bytes are plenty: the nonce is public, it only has to be unpredictable and fresh.
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: key).prefix(16))
    }
}
