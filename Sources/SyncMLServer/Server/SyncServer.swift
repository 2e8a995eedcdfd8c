public import CoreMetrics
public import Logging
import Foundation
import SyncMLCodec
public import SyncMLStore
public import Tracing

/// The SyncML server: decodes each request, hands it to its session and
/// encodes the answer in the request's encoding. Sessions of different
/// devices run concurrently; the messages of one device are handled one at a
/// time, in order.
///
/// A message continues a session when it carries the secret token of the
/// RespURI the server gave that session (128 random bits), or — for clients
/// that ignore RespURI — when it comes on the connection the session runs on,
/// for the same DevID and SessionID. A credential in such a message must name
/// the session's user. Anything else starts a new session, which must
/// authenticate in that very message: until it has, the server keeps nothing
/// of it (no session, no lock, no store row, no nonce).
public actor SyncServer {
    let store: SyncStore
    let configuration: ServerConfiguration
    let logger: Logger
    let authenticator: Authenticator
    let metrics: ServerMetrics
    /// Spans for each message's timings (`MessageStopwatch`); nil with the no-op tracer.
    private let tracer: (any Tracer)?
    /// Whether each message is measured: the logger shows debug lines, or a tracer takes spans.
    private let measuresMessages: Bool
    private var storeMeasuresStatements = false
    private var sessions: [String: ServerSession] = [:]
    private var sessionsByConnection: [ConnectionKey: ServerSession] = [:]
    private var deviceLocks: [String: AsyncLock] = [:]
    private var userLocks: [UserID: AsyncLock] = [:]

    /// A session as a client that ignores RespURI finds it again: its connection, DevID and SessionID.
    private struct ConnectionKey: Hashable {
        var connection: UInt64
        var device: String
        var sessionID: String
    }

    /// A server over `store`; it does nothing until a transport hands it requests.
    ///
    /// - Parameters:
    ///   - store: the change journal this server keeps (shared by every session; one per process).
    ///   - configuration: limits, conflict policies and datastore names.
    ///   - users: who may sync and how their credentials are checked; nil (the default):
    ///     the users kept in `store`.
    ///   - logger: a line per session at info, each message at debug.
    ///   - metricsFactory: where the server's metrics go (docs/OPERATIONS.md lists them);
    ///     by default the process's `MetricsSystem`, a no-op until the host bootstraps one.
    ///   - tracer: takes a span per message with its timings; by default the process's
    ///     `InstrumentationSystem` tracer (a no-op until the host bootstraps one, as swift-otel does).
    public init(store: SyncStore, configuration: ServerConfiguration = ServerConfiguration(), users: (any UserDirectory)? = nil,
                logger: Logger = Logger(label: "syncml.server"),
                metricsFactory: any MetricsFactory = MetricsSystem.factory,
                tracer: any Tracer = InstrumentationSystem.tracer) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.metrics = ServerMetrics(factory: metricsFactory)
        self.tracer = tracer is NoOpTracer ? nil : tracer
        self.measuresMessages = logger.logLevel <= .debug || !(tracer is NoOpTracer)
        self.authenticator = Authenticator(store: store, users: users, logger: logger, challengeLifetime: configuration.challengeLifetime.timeInterval)
    }

    /// Answers one request.
    public func handle(_ request: SyncRequest) async -> SyncReply {
        guard measuresMessages else {
            let start = ContinuousClock.now
            let reply = await answer(request)
            metrics.messageHandled(in: .now - start)
            return reply
        }
        if !storeMeasuresStatements {
            storeMeasuresStatements = true
            await store.measureStatementTime()
        }
        let stopwatch = MessageStopwatch()
        let reply = await MessageStopwatch.$current.withValue(stopwatch) {
            await SyncStore.$statementTimer.withValue(stopwatch.statements) { await answer(request) }
        }
        let end = MessageStopwatch.Instants()
        metrics.messageHandled(in: stopwatch.figures(end: end).total)
        stopwatch.report(end: end, bytesIn: request.body.count, bytesOut: reply.body.count, logger: logger, tracer: tracer)
        return reply
    }

    private func answer(_ request: SyncRequest) async -> SyncReply {
        guard let encoding = Self.encoding(contentType: request.contentType, body: request.body) else {
            metrics.messageRefused("unsupported_type")
            return .plainText(415, "expected application/vnd.syncml+wbxml or application/vnd.syncml+xml")
        }
        guard request.body.count <= configuration.maxMessageSize else {
            logger.notice("message refused: too large", metadata: ["bytes": "\(request.body.count)"])
            metrics.messageRefused("too_large")
            return .plainText(413, "message larger than \(configuration.maxMessageSize) bytes")
        }
        let message: SyncMLMessage
        do {
            message = try SyncMLMessage(decoding: request.body)
        } catch {
            logger.notice("undecodable message", metadata: ["error": "\(error)"])
            metrics.messageRefused("undecodable")
            return .plainText(400, "not a SyncML message: \(error)")
        }
        let header = message.header
        let items = Self.itemCount(message.commands)
        MessageStopwatch.current?.decoded(message, items: items)
        if let field = SessionLimits.oversizedHeaderField(header) {
            // Every header field is echoed in the answer: a bounded header keeps every answer bounded.
            logger.notice("message refused: header field too long", metadata: ["field": "\(field)"])
            metrics.messageRefused("header_too_long")
            return .plainText(400, "SyncHdr \(field) longer than \(SessionLimits.maxHeaderFieldLength) bytes")
        }
        guard items <= configuration.maxItemsPerMessage else {
            logger.notice("message refused: too many items", metadata: ["items": "\(items)"])
            metrics.messageRefused("too_many_items")
            return .plainText(413, "message with \(items) items; at most \(configuration.maxItemsPerMessage) are accepted")
        }

        let current: ServerSession
        if let session = await continued(by: message, request: request) {
            if let cred = header.cred, Authenticator.claimedUser(cred, locName: header.source.locName) != session.user {
                // A token (or connection) and a credential that disagree: neither is trusted.
                logger.notice("message refused: credential of another user than the session's", metadata: ["device": "\(header.source.locURI)"])
                metrics.authenticationFailed("wrong_user")
                return reply(Refusal.message(answering: message, code: .invalidCredentials, chal: nil), encoding: encoding)
            }
            current = session
        } else {
            switch await authenticator.verify(header.cred, locName: header.source.locName, devID: header.source.locURI) {
            case .accepted(let user):
                current = open(for: message, user: user, request: request)
            case .busy:
                logger.warning("authentication refused: too many password checks waiting", metadata: ["device": "\(header.source.locURI)"])
                metrics.authenticationFailed("busy")
                return reply(Refusal.message(answering: message, code: .serviceUnavailable, chal: nil), encoding: encoding)
            case let outcome:
                let chal = await authenticator.refusalChallenge(user: header.source.locName, devID: header.source.locURI)
                let reason = outcome == .missing ? "missing" : outcome == .challenged ? "challenged" : "invalid"
                let metadata: Logger.Metadata = ["device": "\(header.source.locURI)", "user": "\(header.source.locName ?? "-")", "reason": "\(reason)"]
                if outcome == .challenged {
                    // Every new device's first message: the right password, digested over no nonce yet.
                    logger.info("authentication challenged: the digest was over no nonce (a new device); a nonce was sent", metadata: metadata)
                } else {
                    logger.notice("authentication failed", metadata: metadata)
                }
                let code: StatusCode = outcome == .missing ? .missingCredentials : .invalidCredentials
                metrics.authenticationFailed(reason)
                return reply(Refusal.message(answering: message, code: code, chal: chal), encoding: encoding)
            }
        }
        let lock = deviceLocks[current.deviceURI] ?? AsyncLock()
        deviceLocks[current.deviceURI] = lock
        await lock.acquire()
        let body = await current.process(message, url: request.url, encoding: encoding)
        let failed = await current.phase == .failed
        await lock.release()
        if failed { forget(current) }
        return SyncReply(httpStatus: 200, contentType: encoding.contentType, body: body)
    }

    /// The running session `message` continues, if any (see the type's documentation).
    private func continued(by message: SyncMLMessage, request: SyncRequest) async -> ServerSession? {
        let header = message.header
        if let token = Self.sessionToken(in: request.url), let session = sessions[token],
           session.deviceURI == header.source.locURI, session.clientSessionID == header.sessionID {
            return session
        }
        // Without the token: only on the session's own connection, and only for a message that cannot start a
        // session (MsgID 1 does). A finished session is not continued this way.
        guard header.msgID != "1", let connection = request.connection,
              let session = sessionsByConnection[ConnectionKey(connection: connection, device: header.source.locURI, sessionID: header.sessionID)],
              await !session.isEnded else { return nil }
        return session
    }

    /// A new session for `user`, who authenticated with `message`.
    private func open(for message: SyncMLMessage, user: String, request: SyncRequest) -> ServerSession {
        let header = message.header
        let session = ServerSession(token: Self.newToken(), user: user, store: store, authenticator: authenticator,
                                    configuration: configuration, logger: logger, metrics: metrics,
                                    deviceURI: header.source.locURI, clientSessionID: header.sessionID, connection: request.connection,
                                    onAuthenticated: { [weak self] device, user, token in
                                        await self?.admit(device: device, user: user, token: token) ?? false
                                    },
                                    userLock: { [weak self] user in await self?.lock(for: user) ?? AsyncLock() })
        sessions[session.token] = session
        metrics.sessionStarted()
        if let connection = request.connection {
            sessionsByConnection[ConnectionKey(connection: connection, device: header.source.locURI, sessionID: header.sessionID)] = session
        }
        return session
    }

    private func reply(_ message: SyncMLMessage, encoding: SyncMLEncoding) -> SyncReply {
        SyncReply(httpStatus: 200, contentType: encoding.contentType, body: MessageStopwatch.encoding { message.encoded(as: encoding) })
    }

    /// Drops sessions idle for longer than the configured timeout; the
    /// transport calls this periodically. A finished session is kept until
    /// then so that a repeated last message still gets its reply.
    public func expireIdleSessions() async {
        let now = ContinuousClock.now
        for (token, session) in sessions where await session.idle(for: configuration.sessionTimeout, now: now) {
            await session.abandon()
            sessions[token] = nil
        }
        sessionsByConnection = sessionsByConnection.filter { entry in sessions[entry.value.token] === entry.value }
        dropUnusedDeviceLocks()
    }

    /// A device's lock lives as long as one of its sessions: unused ones are dropped.
    private func dropUnusedDeviceLocks() {
        let devices = Set(sessions.values.map(\.deviceURI))
        deviceLocks = deviceLocks.filter { devices.contains($0.key) }
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
    package var sessionCount: Int { sessions.count }

    /// How many entries each of the server's tables holds: what tests check an
    /// unauthenticated request did not grow.
    package var retainedState: (sessions: Int, connections: Int, deviceLocks: Int, userLocks: Int) {
        (sessions.count, sessionsByConnection.count, deviceLocks.count, userLocks.count)
    }

    private func forget(_ session: ServerSession) {
        sessions[session.token] = nil
        sessionsByConnection = sessionsByConnection.filter { $0.value !== session }
        if !sessions.values.contains(where: { $0.deviceURI == session.deviceURI }) { deviceLocks[session.deviceURI] = nil }
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
