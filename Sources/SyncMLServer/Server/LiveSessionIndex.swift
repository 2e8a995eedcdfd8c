import Foundation

/// Which requests belong to a session this node holds, answerable without
/// the actor: the transport asks it on its event loop, before a body is read,
/// to give authenticated clients a share of the body budget anonymous ones
/// cannot take (`HTTPListener.Configuration.maxBodyBytesInFlight`).
///
/// A request belongs to a session when its URL carries the secret token of a
/// session's RespURI (128 random bits: a guessed or stale one is simply not
/// found), or when it comes on a connection a session was opened on (only the
/// peer that authenticated there writes to it). It is a hint for precedence
/// only: the engine still checks every message itself.
package final class LiveSessionIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var tokens: Set<String> = []
    private var connections: Set<UInt64> = []

    package init() {}

    /// True when `token` (a RespURI's `sessionid`) or `connection` belongs to a session held here.
    package func holds(token: String?, connection: UInt64) -> Bool {
        lock.withLock { connections.contains(connection) || token.map { tokens.contains($0) } == true }
    }

    func insert(token: String) {
        _ = lock.withLock { tokens.insert(token) }
    }

    func remove(token: String) {
        _ = lock.withLock { tokens.remove(token) }
    }

    /// The connections sessions are bound to now (replaces the previous set).
    func bind(connections current: Set<UInt64>) {
        lock.withLock { connections = current }
    }
}
