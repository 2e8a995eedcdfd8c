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
    /// The store's fast-path rejections already counted in the metrics (`recordFastPathRejections`).
    var reportedFastPathRejections = 0
    private var sessions: [String: ServerSession] = [:]
    private var sessionsByConnection: [ConnectionKey: ServerSession] = [:] {
        // Rebuilt whole: it changes when sessions open and end (like the filters that change it), not per message.
        didSet { liveSessions.bind(connections: Set(sessionsByConnection.keys.map(\.connection))) }
    }
    /// The tokens of `sessions` and the connections of `sessionsByConnection`, for the transport.
    package nonisolated let liveSessions = LiveSessionIndex()
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
        guard configuration.sharesSessions else {
            let body = await current.process(message, url: request.url, encoding: encoding)
            let failed = await current.phase == .failed
            await lock.release()
            if failed { forget(current) }
            return SyncReply(httpStatus: 200, contentType: encoding.contentType, body: body)
        }
        let reply = await answerShared(message, with: current, url: request.url, encoding: encoding)
        await lock.release()
        return reply
    }

    // MARK: Sessions shared through the store (`ServerConfiguration.sharesSessions`)

    /// Answers `message` of `session` when several nodes share the store: the
    /// user's messages take turns on this node (its lock) and across nodes (the
    /// store's lock on the user); the session is brought up to the store's copy
    /// when another node answered since; its state is saved before the reply goes.
    private func answerShared(_ message: SyncMLMessage, with session: ServerSession, url: String, encoding: SyncMLEncoding) async -> SyncReply {
        let userID: UserID
        do {
            if let known = await session.userID { userID = known } else { userID = try await store.user(named: session.user) }
        } catch {
            logger.error("reading the session's user failed", metadata: ["device": "\(session.deviceURI)", "error": "\(error)"])
            forget(session)
            return .plainText(503, "the store is unavailable")
        }
        let userLock = lock(for: userID)
        await userLock.acquire()
        guard await lockAcrossNodes(userID) else {
            await userLock.release()
            logger.warning("message refused: the user's lock was not free in time", metadata: ["device": "\(session.deviceURI)"])
            return .plainText(503, "another message of this user is being handled; try again")
        }
        let reply = await answerLocked(message, with: session, url: url, encoding: encoding)
        do {
            try await store.unlockUser(userID)
        } catch {
            logger.error("releasing the user's lock failed", metadata: ["user_id": "\(userID.rawValue)", "error": "\(error)"])
        }
        await userLock.release()
        return reply
    }

    /// `answerShared`'s work, under both of the user's locks.
    private func answerLocked(_ message: SyncMLMessage, with session: ServerSession, url: String, encoding: SyncMLEncoding) async -> SyncReply {
        let current: ServerSession
        do {
            current = try await upToDate(session)
        } catch {
            logger.error("loading the session from the store failed", metadata: ["device": "\(session.deviceURI)", "error": "\(error)"])
            forget(session)
            return .plainText(503, "the session could not be loaded; try again")
        }
        let body = await current.process(message, url: url, encoding: encoding)
        if await current.phase == .failed {
            forget(current)
            try? await store.deleteLiveSession(token: current.token)
        } else if await current.userID != nil {
            if let stop = configuration.stopsDeadBeforeSaving, await current.savedMessageCount ?? 0 == stop - 1 {
                forget(current)
                return .plainText(503, "stopped dead before saving message \(stop) (a test's fault hook)")
            }
            do {
                try await save(current)
            } catch {
                // Not saved: the client's next message (or its retry of this one) must not find this reply's state
                // on this node alone. It gets no reply; its retry is answered from the store's copy.
                logger.error("saving the session failed", metadata: ["device": "\(current.deviceURI)", "error": "\(error)"])
                forget(current)
                return .plainText(503, "the session could not be saved; try again")
            }
        }
        return SyncReply(httpStatus: 200, contentType: encoding.contentType, body: body)
    }

    /// Takes the store's lock on `user`, polling with short sleeps so that a waiting
    /// message never holds the store's connection; false after `sharedLockWait`.
    private func lockAcrossNodes(_ user: UserID) async -> Bool {
        let deadline = ContinuousClock.now + Self.sharedLockWait
        while true {
            do {
                if try await store.tryLockUser(user) { return true }
            } catch {
                logger.error("taking the user's lock failed", metadata: ["user_id": "\(user.rawValue)", "error": "\(error)"])
                return false
            }
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// How long a message waits for another node to finish a message of the same user.
    static let sharedLockWait: Duration = .seconds(60)

    /// `session`, or the store's newer copy of it when another node answered a later message.
    private func upToDate(_ session: ServerSession) async throws -> ServerSession {
        guard let stored = try await store.liveSessionCount(token: session.token),
              await stored != session.savedMessageCount else { return session }
        guard let record = try await store.liveSession(token: session.token) else { return session }
        forget(session)
        return try await restored(record, replacing: session)
    }

    /// The session `record` saved, taken up on this node; `older`: this node's copy at an
    /// earlier save, whose rows spare reading all of the store's again.
    private func restored(_ record: LiveSessionRecord, replacing older: ServerSession? = nil) async throws -> ServerSession {
        let state = try LiveSessionState.decode(record.state)
        let session = makeSession(token: record.token, user: state.user, deviceURI: record.deviceURI, clientSessionID: record.clientSessionID,
                                  connection: nil)
        try await session.restore(state, savedAs: record.messageCount)
        try await session.takeUpRows(from: store, held: await older?.handOverRows())
        hold(session)
        return session
    }

    /// Saves `session` after a message, checked against the count this node last saw.
    private func save(_ session: ServerSession) async throws {
        guard let user = await session.userID else { return }
        let (state, rows) = try await session.encodedForSaving()
        let count = try await store.saveLiveSession(token: session.token, user: user, deviceURI: session.deviceURI,
                                                    clientSessionID: session.clientSessionID, state: state, after: session.savedMessageCount,
                                                    rows: rows)
        await session.saved(as: count)
    }

    /// A session another node answered the last message of: its token and header match the store's row.
    private func sharedSession(token: String, header: SyncHeader) async -> ServerSession? {
        do {
            guard let record = try await store.liveSession(token: token), record.deviceURI == header.source.locURI,
                  record.clientSessionID == header.sessionID else { return nil }
            if let held = sessions[token] { return held } // taken up meanwhile by another message
            return try await restored(record)
        } catch {
            logger.error("loading a session from the store failed", metadata: ["device": "\(header.source.locURI)", "error": "\(error)"])
            return nil
        }
    }

    /// The running session `message` continues, if any (see the type's documentation).
    private func continued(by message: SyncMLMessage, request: SyncRequest) async -> ServerSession? {
        let header = message.header
        if let token = Self.sessionToken(in: request.url) {
            if let session = sessions[token] {
                if session.deviceURI == header.source.locURI, session.clientSessionID == header.sessionID { return session }
            } else if configuration.sharesSessions, let session = await sharedSession(token: token, header: header) {
                return session
            }
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
        let session = makeSession(token: Self.newToken(), user: user, deviceURI: header.source.locURI, clientSessionID: header.sessionID,
                                  connection: request.connection)
        hold(session)
        metrics.sessionStarted()
        if let connection = request.connection {
            sessionsByConnection[ConnectionKey(connection: connection, device: header.source.locURI, sessionID: header.sessionID)] = session
        }
        return session
    }

    private func makeSession(token: String, user: String, deviceURI: String, clientSessionID: String, connection: UInt64?) -> ServerSession {
        // Shared: `answerShared` holds the user's lock around the whole message already.
        let userLock: @Sendable (UserID) async -> AsyncLock
        if configuration.sharesSessions {
            userLock = { @Sendable _ in AsyncLock() }
        } else {
            userLock = { @Sendable [weak self] user in await self?.lock(for: user) ?? AsyncLock() }
        }
        return ServerSession(token: token, user: user, store: store, authenticator: authenticator,
                             configuration: configuration, logger: logger, metrics: metrics,
                             deviceURI: deviceURI, clientSessionID: clientSessionID, connection: connection,
                             onAuthenticated: { [weak self] device, user, token in
                                 await self?.admit(device: device, user: user, token: token) ?? false
                             },
                             userLock: userLock)
    }

    private func reply(_ message: SyncMLMessage, encoding: SyncMLEncoding) -> SyncReply {
        SyncReply(httpStatus: 200, contentType: encoding.contentType, body: MessageStopwatch.encoding { message.encoded(as: encoding) })
    }

    /// Drops sessions idle for longer than the configured timeout; the
    /// transport calls this periodically. A finished session is kept until
    /// then so that a repeated last message still gets its reply.
    ///
    /// When nodes share the store, the store's copy of a session is the one
    /// that counts: a node drops its idle copies, and the store's sessions no
    /// node saved within the timeout are abandoned (kept for a resume, as
    /// above) and deleted by whichever node gets to them first.
    public func expireIdleSessions() async {
        let now = ContinuousClock.now
        for (token, session) in sessions where await session.idle(for: configuration.sessionTimeout, now: now) {
            if !configuration.sharesSessions { await session.abandon() }
            drop(token)
        }
        sessionsByConnection = sessionsByConnection.filter { entry in sessions[entry.value.token] === entry.value }
        dropUnusedDeviceLocks()
        if configuration.sharesSessions { await expireSharedSessions() }
    }

    /// The store's sessions idle past the timeout: each abandoned and deleted under its user's locks,
    /// unless a node saved it meanwhile or another message of the user is being handled (then next time).
    private func expireSharedSessions() async {
        let idleSince = Date().addingTimeInterval(-configuration.sessionTimeout.timeInterval)
        let tokens: [String]
        do {
            tokens = try await store.liveSessions(idleSince: idleSince)
        } catch {
            logger.error("listing stored sessions failed", metadata: ["error": "\(error)"])
            return
        }
        for token in tokens {
            guard let user = try? await store.liveSessionUser(token: token), let count = try? await store.liveSessionCount(token: token) else { continue }
            let userLock = lock(for: user)
            await userLock.acquire()
            if (try? await store.tryLockUser(user)) == true {
                await expireShared(token: token, savedAs: count)
                try? await store.unlockUser(user)
            }
            await userLock.release()
        }
    }

    /// Abandons and deletes the stored session `token` if no node saved it since it was seen at `count`.
    private func expireShared(token: String, savedAs count: Int) async {
        do {
            guard let record = try await store.liveSession(token: token), record.messageCount == count else { return }
            let session = try await restored(record)
            drop(token)
            await session.abandon()
            try await store.deleteLiveSession(token: token)
        } catch {
            logger.error("expiring a stored session failed", metadata: ["error": "\(error)"])
            try? await store.deleteLiveSession(token: token)
        }
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
    ///
    /// When nodes share the store, the sessions looked at are the store's (any
    /// node's), each as last saved.
    func admit(device: DeviceID, user: UserID, token: String) async -> Bool {
        var running = 0
        var others = sessions
        if configuration.sharesSessions {
            others = [:]
            do {
                for record in try await store.liveSessions(user: user) where record.token != token {
                    if let held = sessions[record.token] { forget(held) }
                    others[record.token] = try await restored(record)
                }
            } catch {
                logger.error("reading the user's stored sessions failed", metadata: ["user_id": "\(user.rawValue)", "error": "\(error)"])
                return false
            }
        }
        for (other, session) in others where other != token {
            guard await !session.isEnded else { continue }
            if await session.deviceID == device {
                await session.abandon()
                if configuration.sharesSessions {
                    forget(session)
                    try? await store.deleteLiveSession(token: other)
                }
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
    /// When nodes share the store, nothing is done: the sessions live in the store, and another node continues them.
    public func suspendAll() async {
        guard !configuration.sharesSessions else { return }
        for session in sessions.values { await session.abandon() }
    }

    /// Open sessions (finished ones included until they expire).
    package var sessionCount: Int { sessions.count }

    /// How many entries each of the server's tables holds: what tests check an
    /// unauthenticated request did not grow.
    package var retainedState: (sessions: Int, connections: Int, deviceLocks: Int, userLocks: Int) {
        (sessions.count, sessionsByConnection.count, deviceLocks.count, userLocks.count)
    }

    private func hold(_ session: ServerSession) {
        sessions[session.token] = session
        liveSessions.insert(token: session.token)
    }

    private func drop(_ token: String) {
        sessions[token] = nil
        liveSessions.remove(token: token)
    }

    private func forget(_ session: ServerSession) {
        drop(session.token)
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

    package static func sessionToken(in url: String) -> String? {
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
