public import Logging
import Foundation
import SyncMLCore
public import SyncMLStore

/// The SyncML server: decodes each request, hands it to its session and
/// encodes the answer in the request's encoding. Sessions of different
/// devices run concurrently; the messages of one device are handled one at a
/// time, in order.
///
/// A session is found by the `sessionid` of the RespURI the server gave it,
/// or else, for clients that ignore RespURI, by the client's SessionID and
/// DevID while it runs (see `handle`; the token is the stronger binding).
public actor SyncServer {
    let store: SyncStore
    let configuration: ServerConfiguration
    let logger: Logger
    private var sessions: [String: ServerSession] = [:]
    private var sessionsByClient: [String: ServerSession] = [:]
    private var deviceLocks: [String: AsyncLock] = [:]
    private var userLocks: [UserID: AsyncLock] = [:]

    public init(store: SyncStore, configuration: ServerConfiguration = ServerConfiguration(),
                logger: Logger = Logger(label: "syncml.server")) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// Answers one request.
    public func handle(_ request: SyncRequest) async -> SyncReply {
        guard let encoding = Self.encoding(contentType: request.contentType, body: request.body) else {
            return .plainText(415, "expected application/vnd.syncml+wbxml or application/vnd.syncml+xml, got \(request.contentType)")
        }
        guard request.body.count <= configuration.maxMessageSize else {
            logger.notice("message refused: too large", metadata: ["bytes": "\(request.body.count)"])
            return .plainText(413, "message larger than \(configuration.maxMessageSize) bytes")
        }
        let message: SyncMLMessage
        do {
            message = try SyncMLMessage(decoding: request.body)
        } catch {
            logger.notice("undecodable message", metadata: ["error": "\(error)"])
            return .plainText(400, "not a SyncML message: \(error)")
        }
        let items = Self.itemCount(message.commands)
        guard items <= configuration.maxItemsPerMessage else {
            logger.notice("message refused: too many items", metadata: ["items": "\(items)", "device": "\(message.header.source.locURI)"])
            return .plainText(413, "message with \(items) items; at most \(configuration.maxItemsPerMessage) are accepted")
        }
        let header = message.header
        let clientKey = header.source.locURI + "\u{0}" + header.sessionID
        var session = Self.sessionToken(in: request.url).flatMap { sessions[$0] }
        if let found = session, found.deviceURI != header.source.locURI || found.clientSessionID != header.sessionID {
            session = nil // a RespURI used by another device or session is not that session
        }
        // Without the RespURI's secret token, a message continues a session only when it cannot be the start of
        // one (MsgID 1 or credentials start a new session) and that session is still running: a client that
        // ignores RespURI keeps working, while a finished or foreign session is never handed out by DevID alone.
        if session == nil, header.msgID != "1", header.cred == nil, let running = sessionsByClient[clientKey], await !running.isEnded {
            session = running
        }
        let current: ServerSession
        if let session {
            current = session
        } else {
            current = ServerSession(token: Self.newToken(), store: store, configuration: configuration, logger: logger,
                                    deviceURI: header.source.locURI, clientSessionID: header.sessionID,
                                    onAuthenticated: { [weak self] device, user, token in
                                        await self?.admit(device: device, user: user, token: token) ?? false
                                    },
                                    userLock: { [weak self] user in await self?.lock(for: user) ?? AsyncLock() })
            sessions[current.token] = current
            sessionsByClient[clientKey] = current
        }
        let lock = deviceLocks[header.source.locURI] ?? AsyncLock()
        deviceLocks[header.source.locURI] = lock
        await lock.acquire()
        let body = await current.process(message, url: request.url, encoding: encoding)
        let failed = await current.phase == .failed
        await lock.release()
        if failed { forget(current, clientKey: clientKey) }
        return SyncReply(httpStatus: 200, contentType: encoding.contentType, body: body)
    }

    /// Drops sessions idle for longer than the configured timeout; the
    /// transport calls this periodically. A finished session is kept until
    /// then so that a repeated last message still gets its reply.
    public func expireIdleSessions() async {
        let now = ContinuousClock.now
        for (token, session) in sessions where await session.idle(for: configuration.sessionTimeout, now: now) {
            await session.abandon()
            sessions[token] = nil
            sessionsByClient = sessionsByClient.filter { $0.value !== session }
        }
    }

    /// A device authenticated in a new session: its sessions still running
    /// (a connection lost mid-sync) are suspended, so the new one can resume
    /// them; then the user's other running sessions are counted against
    /// `maxSessionsPerUser`. Runs under the device's lock, so none of the
    /// device's sessions is handling a message.
    func admit(device: DeviceID, user: UserID, token: String) async -> Bool {
        var running = 0
        for (other, session) in sessions where other != token {
            guard await !session.isEnded else { continue }
            if await session.deviceID == device {
                await session.abandon()
            } else if await session.userID == user {
                running += 1
            }
        }
        guard running < configuration.maxSessionsPerUser else {
            logger.warning("session refused: too many sessions for the user", metadata: [
                "user_id": "\(user.rawValue)", "running": "\(running)", "limit": "\(configuration.maxSessionsPerUser)",
            ])
            return false
        }
        return true
    }

    /// The lock a user's sessions take turns on (see `ServerSession.answer`).
    func lock(for user: UserID) -> AsyncLock {
        if let lock = userLocks[user] { return lock }
        let lock = AsyncLock()
        userLocks[user] = lock
        return lock
    }

    /// Suspends every running session (a server shutting down): their devices can resume them.
    public func suspendAll() async {
        for session in sessions.values { await session.abandon() }
    }

    /// Open sessions (finished ones included until they expire).
    public var sessionCount: Int { sessions.count }

    private func forget(_ session: ServerSession, clientKey: String) {
        sessions[session.token] = nil
        if sessionsByClient[clientKey] === session { sessionsByClient[clientKey] = nil }
    }

    /// Items in item commands (nested in Sync, Atomic, Sequence) and Maps.
    static func itemCount(_ commands: [Command]) -> Int {
        commands.reduce(0) { total, command in
            switch command {
            case .sync(let sync): total + itemCount(sync.commands)
            case .atomic(let group), .sequence(let group): total + itemCount(group.commands)
            case .add(let c), .replace(let c), .delete(let c), .copy(let c), .move(let c): total + c.items.count
            case .map(let map): total + map.items.count
            default: total
            }
        }
    }

    static func encoding(contentType: String, body: [UInt8]) -> SyncMLEncoding? {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch type {
        case "application/vnd.syncml+wbxml": return .wbxml
        case "application/vnd.syncml+xml", "application/xml", "text/xml": return .xml
        default: return nil
        }
    }

    static func sessionToken(in url: String) -> String? {
        guard let query = url.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == "sessionid" { return String(parts[1]) }
        }
        return nil
    }

    /// 128 random bits, hex: RespURIs must not be guessable.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let high: UInt64 = generator.next(), low: UInt64 = generator.next()
        let hex = String(high, radix: 16) + ":" + String(low, radix: 16)
        return hex.replacingOccurrences(of: ":", with: "")
    }
}
