import Foundation
import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

/// One SyncML session of one device, server side (OMA DS 1.2 §5–§10): it
/// authenticates, grants a sync mode per datastore, applies the client's
/// changes, sends the server's, records maps and, when the client confirmed
/// everything, saves anchors and acknowledges the journal.
///
/// Packages: 1 client init (alerts) → 2 server init (statuses, alerts) →
/// 3 client sync → 4 server sync (statuses, changes; several messages when
/// they exceed the client's MaxMsgSize) → 5 client map → 6 server map
/// acknowledgement. The client's seventh message (status for the last
/// header) is never sent by real clients, so the session ends with package 6.
actor ServerSession {
    enum Phase: String {
        case initialization, clientSync, serverSync, mapping, finished, failed, suspended

        /// The session is over (kept only so a repeated last message gets its answer again).
        var isEnd: Bool { self == .finished || self == .failed || self == .suspended }
    }

    let token: String
    /// The user this session authenticated as (before it was created: see `SyncServer`).
    let user: String
    /// The connection the session began on, when the transport tells.
    let connection: UInt64?
    let store: SyncStore
    let authenticator: Authenticator
    let configuration: ServerConfiguration
    let logger: Logger
    /// The device's SyncHdr Source LocURI (its DevID).
    let deviceURI: String
    let clientSessionID: String
    let startTime = ContinuousClock.now
    private(set) var lastActivity = ContinuousClock.now
    private(set) var phase = Phase.initialization {
        didSet { if isEnded, !oldValue.isEnd { recordEnd() } }
    }
    let metrics: ServerMetrics
    /// Dropped before its sync began (see `abandon`): the outcome its metrics report.
    var abandoned = false

    var version: SyncMLVersion = .v1_2
    var respURI = ""
    /// The URI the client addressed the server by (our Source).
    var serverURI = ""
    var locName: String?

    var userID: UserID?
    var deviceID: DeviceID?
    /// The session has its user and device from the store and was admitted (first message answered 212).
    var authenticated = false
    var storeSession: SessionID?

    var clientMaxMessageSize = 65_536
    /// The encoding of the client's messages, and so of the answers (what MaxMsgSize is measured in).
    var encoding = SyncMLEncoding.wbxml
    var clientMaxObjectSize: Int?
    var datastores: [DatastoreState] = []
    /// The server's Alerts to send when the client's init package is complete.
    var pendingAlerts: [DatastoreState] = []
    var clientDevInf: DevInf?
    var askedForDevInf = false

    /// Client changes decided but not yet written: they go to the store in one
    /// transaction per Sync command (a transaction per item costs a WAL commit each).
    var pendingWrites: [PendingWrite] = []
    var pendingDatastore: DatastoreState?
    /// Positions of statuses whose batched write failed, to be set to 500.
    var failedStatuses: [Int] = []

    /// The item commands the server sent, until the client's status for each.
    var sentItems = AwaitedStatuses<SentItem>()
    /// The device's suspended session, once looked up (Alert 225), and what it saved.
    var suspended: (id: SessionID, state: ServerResumeState)?
    var suspendedLookedUp = false
    /// The client sent Alert 224: the session is saved for a resume after this message.
    var suspendRequested = false
    /// Called once the client is authenticated: other running sessions of the
    /// device are suspended (a client that lost its connection starts anew), and
    /// false means the user holds too many sessions already.
    let onAuthenticated: @Sendable (DeviceID, UserID, String) async -> Bool
    /// The lock a user's sessions hold while they handle a message.
    let userLock: @Sendable (UserID) async -> AsyncLock
    /// Server messages in a row that carried no change for lack of room (see `fillChanges`).
    var outgoingStalls = NoRoomStreak(limit: ServerSession.maxOutgoingStalls)
    private var outgoingMsgID = 0
    private var lastClientMsgID: String?
    private var lastReply: [UInt8]?

    init(token: String, user: String, store: SyncStore, authenticator: Authenticator, configuration: ServerConfiguration, logger: Logger,
         metrics: ServerMetrics = .disabled, deviceURI: String, clientSessionID: String, connection: UInt64? = nil,
         onAuthenticated: @escaping @Sendable (DeviceID, UserID, String) async -> Bool = { _, _, _ in true },
         userLock: @escaping @Sendable (UserID) async -> AsyncLock = { _ in AsyncLock() }) {
        self.userLock = userLock
        self.onAuthenticated = onAuthenticated
        self.token = token
        self.user = user
        self.connection = connection
        self.store = store
        self.authenticator = authenticator
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.deviceURI = deviceURI
        self.clientSessionID = clientSessionID
    }

    var isEnded: Bool { phase.isEnd }

    // MARK: Messages

    /// Answers one client message. A message repeated with the MsgID already
    /// answered (the client did not get the reply) gets the same reply again.
    func process(_ message: SyncMLMessage, url: String, encoding: SyncMLEncoding) async -> [UInt8] {
        lastActivity = .now
        self.encoding = encoding
        if message.header.msgID == lastClientMsgID, let lastReply { return lastReply }
        if let number = Int(message.header.msgID), let last = lastClientMsgID.flatMap(Int.init), number < last {
            // An older message arriving late (a retransmission overtaken by its successor): handling it again
            // would move the session on with a reply nobody reads, and what that reply carried would be lost.
            logger.notice("out-of-order message ignored", metadata: ["device": "\(deviceURI)", "msg": "\(number)", "after": "\(last)"])
            return staleReply(to: message).encoded(as: encoding)
        }
        let reply = await answer(message, url: url)
        let bytes = MessageStopwatch.encoding { reply.encoded(as: encoding) }
        lastClientMsgID = message.header.msgID
        lastReply = bytes
        return bytes
    }

    private func answer(_ message: SyncMLMessage, url: String) async -> SyncMLMessage {
        let header = message.header
        version = header.version
        if serverURI.isEmpty {
            serverURI = header.target.locURI
            let base = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
            respURI = base + "?sessionid=" + token
        }
        if let name = header.source.locName { locName = name }
        if let size = header.meta?.maxMsgSize { clientMaxMessageSize = size }
        if let size = header.meta?.maxObjSize { clientMaxObjectSize = size }
        outgoingMsgID += 1
        var reply = ReplyBuilder(
            header: SyncHeader(version: version, sessionID: clientSessionID, msgID: String(outgoingMsgID),
                               target: Location(deviceURI, name: locName), source: Location(serverURI), respURI: respURI,
                               meta: Meta(maxMsgSize: configuration.maxMessageSize,
                                          maxObjSize: version >= .v1_1 ? configuration.maxObjectSize : nil)),
            suppressStatuses: header.noResp)
        let msgID = header.msgID

        if clientMaxMessageSize < configuration.minimumClientMessageSize {
            // No answer with room for an item fits: refused, instead of empty messages without end.
            logger.notice("session refused: MaxMsgSize too small", metadata: ["device": "\(deviceURI)", "max_msg_size": "\(clientMaxMessageSize)"])
            return refuse(message, code: .badRequest, reply: &reply, chal: nil)
        }

        // SyncHdr: the user authenticated before the session was made; the first message admits the device.
        if !authenticated {
            do {
                try await begin()
            } catch is SessionLimitReached {
                return refuse(message, code: .serviceUnavailable, reply: &reply, chal: nil)
            } catch {
                logger.error("starting a session failed", metadata: ["device": "\(deviceURI)", "error": "\(error)"])
                return refuse(message, code: .serverFailure, reply: &reply, chal: nil)
            }
            let chal = await authenticator.nextSessionChallenge(user: user, devID: deviceURI)
            reply.status(msgRef: msgID, cmdRef: "0", cmd: "SyncHdr", code: .authenticationAccepted,
                         targetRefs: [header.target.locURI], sourceRefs: [header.source.locURI], chal: chal)
        } else {
            reply.status(msgRef: msgID, cmdRef: "0", cmd: "SyncHdr", code: .ok,
                         targetRefs: [header.target.locURI], sourceRefs: [header.source.locURI])
        }

        // The user's devices take turns, message by message: a slow sync matches a client's item against the
        // store and writes it later in the message; two devices doing that at once would both add the same record.
        let lock = await userLock(userID!)
        await lock.acquire()
        for command in message.commands {
            await receive(command, msgID: msgID, reply: &reply)
        }
        await advance(clientFinal: message.isFinal, reply: &reply)
        await lock.release()
        return reply.message
    }

    /// The answer to an out-of-order message: its header refused (400), nothing else done.
    private func staleReply(to message: SyncMLMessage) -> SyncMLMessage {
        let header = message.header
        var reply = ReplyBuilder(
            header: SyncHeader(version: version, sessionID: clientSessionID, msgID: String(outgoingMsgID), target: Location(deviceURI, name: locName),
                               source: Location(serverURI), respURI: respURI),
            suppressStatuses: false)
        reply.status(msgRef: header.msgID, cmdRef: "0", cmd: "SyncHdr", code: .badRequest,
                     targetRefs: [header.target.locURI], sourceRefs: [header.source.locURI])
        return reply.message
    }

    /// Every command answered with `code`; the session ends (the client starts a new one).
    private func refuse(_ message: SyncMLMessage, code: StatusCode, reply: inout ReplyBuilder, chal: Challenge?) -> SyncMLMessage {
        let header = message.header
        reply.header.respURI = nil
        reply.status(msgRef: header.msgID, cmdRef: "0", cmd: "SyncHdr", code: code,
                     targetRefs: [header.target.locURI], sourceRefs: [header.source.locURI], chal: chal)
        Refusal.answer(message.commands, msgRef: header.msgID, code: code, reply: &reply)
        reply.isFinal = true
        phase = .failed
        return reply.message
    }

    private func begin() async throws {
        let userID = try await store.user(named: user)
        let deviceID = try await store.device(devID: deviceURI, user: userID)
        guard await onAuthenticated(deviceID, userID, token) else { throw SessionLimitReached() }
        if let stored = try await store.devInf(for: deviceID) { clientDevInf = Self.decodeStoredDevInf(stored) }
        (self.userID, self.deviceID, authenticated) = (userID, deviceID, true)
    }

    // MARK: Package flow

    /// After the client's commands: what the server sends next, by phase.
    private func advance(clientFinal: Bool, reply: inout ReplyBuilder) async {
        switch phase {
        case _ where suspendRequested:
            await suspend()
            reply.isFinal = true
        case .initialization:
            guard clientFinal else { return }
            await endUnresumedSession()
            for datastore in pendingAlerts {
                let alert = Alert(cmdID: reply.nextCmdID(), code: datastore.mode.alertCode, items: [
                    Item(target: Location(datastore.clientURI), source: Location(datastore.serverURI),
                         meta: Meta(anchor: datastore.anchors.server)),
                ])
                reply.append(.alert(alert))
            }
            pendingAlerts = []
            if clientDevInf == nil, !askedForDevInf {
                askedForDevInf = true
                reply.append(.get(Exchange(cmdID: reply.nextCmdID(), meta: Meta(type: "application/vnd.syncml-devinf+xml"),
                                           items: [Item(target: Location(version.devInfURI))])))
            }
            reply.isFinal = true
            phase = datastores.isEmpty ? .mapping : .clientSync
        case .clientSync:
            guard clientFinal else { return }
            for datastore in datastores where !datastore.failed {
                if datastore.mode.isFull, datastore.received.rejected > 0 {
                    // Client items the store failed to take are unmatched: sending the server's items now could
                    // duplicate them on the client, and a refresh would delete their server copies. Next time.
                    datastore.failed = true
                    logger.error("full sync stopped after store failures", metadata: ["datastore": "\(datastore.name)"])
                    continue
                }
                await holdMassDelete(datastore)
                do {
                    try await prepareOutgoing(datastore)
                } catch {
                    datastore.failed = true
                    logger.error("reading changes failed", metadata: ["datastore": "\(datastore.name)", "error": "\(error)"])
                }
            }
            phase = .serverSync
            await sendChanges(reply: &reply)
        case .serverSync:
            await sendChanges(reply: &reply)
        case .mapping:
            guard clientFinal else { return }
            if !(await complete()) {
                // The anchors could not be saved: the client must not save its own, or the next sync would be
                // slow (and a slow sync brings back what was deleted). The SyncHdr's status (always first) says so.
                reply.setCode(.commandFailed, at: 0)
            }
            reply.isFinal = true
        case .finished, .failed, .suspended:
            reply.isFinal = true
        }
    }

    private func sendChanges(reply: inout ReplyBuilder) async {
        let done = await fillChanges(into: &reply)
        if done {
            reply.isFinal = true
            phase = .mapping
        }
    }

    /// The mass-delete guard: when the client's package deleted too much of the
    /// datastore, those deletes are reverted (the records go back to the client
    /// in this session's changes) and the log says so.
    private func holdMassDelete(_ datastore: DatastoreState) async {
        guard let guardrail = configuration.massDeleteGuard, !datastore.forceDeletes, let storeSession, let deviceID,
              guardrail.holds(deleted: datastore.received.deleted, of: datastore.liveAtStart) else { return }
        do {
            datastore.heldDeletes = try await store.restoreDeletes(session: storeSession, device: deviceID, datastore: datastore.id)
            logger.warning("mass delete held: the records are kept and sent back", metadata: [
                "device": "\(deviceURI)", "user": "\(user)", "datastore": "\(datastore.name)",
                "deleted": "\(datastore.received.deleted)", "of": "\(datastore.liveAtStart)", "restored": "\(datastore.heldDeletes)",
            ])
        } catch {
            datastore.failed = true
            logger.error("restoring held deletes failed", metadata: ["datastore": "\(datastore.name)", "error": "\(error)"])
        }
    }

    /// The client confirmed everything: anchors saved, journal acknowledged.
    /// False when the store could not save them.
    private func complete() async -> Bool {
        guard let deviceID else { return true }
        var saved = true
        var summary: [String] = []
        for sent in sentItems.unanswered { sent.datastore.failures += 1 } // never answered: not acknowledged
        for datastore in datastores {
            summary.append("\(datastore.name):\(datastore.mode)\(datastore.resumed ? " resumed" : "") in[\(datastore.received)] out[\(datastore.sent)]"
                           + (datastore.failures > 0 ? " failures=\(datastore.failures)" : "")
                           + (datastore.heldDeletes > 0 ? " held_deletes=\(datastore.heldDeletes)" : "") + (datastore.failed ? " FAILED" : ""))
            guard !datastore.failed else { continue }
            do {
                try await store.finishSync(deviceID, datastore: datastore.id, last: datastore.anchors.client.next, next: datastore.anchors.server.next,
                                           clientType: datastore.clientItemType,
                                           acknowledgeThrough: datastore.failures == 0 ? datastore.acknowledgeThrough : nil)
            } catch {
                saved = false
                logger.error("saving anchors failed", metadata: ["datastore": "\(datastore.name)", "error": "\(error)"])
            }
        }
        if let storeSession { try? await store.endSession(storeSession, succeeded: !datastores.contains { $0.failed }) }
        phase = .finished
        let elapsed = ContinuousClock.now - startTime
        logger.info("session completed", metadata: [
            "device": "\(deviceURI)", "user": "\(user)", "datastores": "\(summary.joined(separator: "; "))",
            "duration_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
        ])
        return saved
    }

    /// The session was dropped unfinished (timeout, or the device started
    /// another): anchors are not saved, so the next sync repeats what is
    /// unconfirmed; once the sync had begun, the session is kept for a resume.
    func abandon() async {
        guard !isEnded else { return }
        logger.notice("session abandoned", metadata: ["device": "\(deviceURI)", "phase": "\(phase.rawValue)"])
        switch phase {
        case .clientSync, .serverSync, .mapping:
            await suspend()
        default:
            if let storeSession { try? await store.endSession(storeSession, succeeded: false) }
            abandoned = true
            phase = .failed
        }
    }

    /// Saves what a resume needs (see `ServerResumeState`) and ends the session as suspended.
    func suspend() async {
        await flushPendingWrites()
        let resumable = datastores.filter { !$0.failed }
        guard let storeSession, !resumable.isEmpty else {
            if let storeSession { try? await store.endSession(storeSession, succeeded: false) }
            phase = .failed
            return
        }
        do {
            try await store.suspendSession(storeSession, resumeState: ServerResumeState(resumable).encoded())
            logger.info("session suspended", metadata: ["device": "\(deviceURI)", "user": "\(user)",
                                                        "datastores": "\(resumable.map(\.name).joined(separator: ","))"])
            phase = .suspended
        } catch {
            logger.error("saving the resume state failed", metadata: ["device": "\(deviceURI)", "error": "\(error)"])
            try? await store.endSession(storeSession, succeeded: false)
            phase = .failed
        }
    }

    /// The store session this sync's changes are journaled under, begun at the first datastore.
    func ensureStoreSession() async throws -> SessionID {
        if let storeSession { return storeSession }
        guard let deviceID else { throw StoreError(.notFound, "no device") }
        let session = try await store.beginSession(device: deviceID, sessionKey: token)
        storeSession = session
        return session
    }

    /// The device's suspended session (looked up once per session).
    func suspendedSession() async throws -> (id: SessionID, state: ServerResumeState)? {
        guard !suspendedLookedUp, let deviceID else { return suspended }
        suspendedLookedUp = true
        if let found = try await store.suspendedSession(device: deviceID) {
            if let state = ServerResumeState.decode(found.resumeState) {
                suspended = (found.id, state)
            } else {
                try await store.endSession(found.id, succeeded: false)
            }
        }
        return suspended
    }

    /// A suspended session the device did not resume is over: it is ended, so it is never resumed later.
    private func endUnresumedSession() async {
        guard let deviceID, !datastores.isEmpty else { return }
        do {
            if !suspendedLookedUp { _ = try await suspendedSession() }
            if let suspended, suspended.id != storeSession {
                try await store.endSession(suspended.id, succeeded: false)
                self.suspended = nil
            }
        } catch {
            logger.error("ending a suspended session failed", metadata: ["device": "\(deviceID)", "error": "\(error)"])
        }
    }

    func idle(for timeout: Duration, now: ContinuousClock.Instant) -> Bool { now - lastActivity > timeout }

    // MARK: DevInf

    static func decodeStoredDevInf(_ bytes: [UInt8]) -> DevInf? {
        guard let message = try? SyncMLMessage(decoding: bytes) else { return nil }
        for command in message.commands {
            if case .put(let put) = command, case .devInf(let info)? = put.items.first?.data { return info }
        }
        return nil
    }

    func keepDevInf(_ info: DevInf) async {
        clientDevInf = info
        guard let deviceID else { return }
        let message = SyncMLMessage(
            header: SyncHeader(version: version, sessionID: clientSessionID, msgID: "1", target: Location(serverURI), source: Location(deviceURI)),
            commands: [.put(Exchange(cmdID: "1", meta: Meta(type: "application/vnd.syncml-devinf+xml"),
                                     items: [Item(source: Location(version.devInfURI), data: .devInf(info))]))])
        try? await store.setDevInf(message.encoded(as: .xml), for: deviceID)
    }
}

/// The user already holds `ServerConfiguration.maxSessionsPerUser` running sessions.
struct SessionLimitReached: Error {}
