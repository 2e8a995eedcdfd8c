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
///
/// This file keeps the message loop; the work is done in rooms, each with its
/// state as one typed value: `Session/Negotiation` (admission, alerts,
/// anchors, resume, DevInf: `negotiation`), `Session/Incoming` (the client's
/// changes, batched writes, add-or-match: `incoming`), `Session/Conflicts`
/// (the pure decision for an item both sides changed), `Session/Outgoing`
/// (select, convert, pack: `outgoing`) and `Session/Completion` (anchors,
/// suspend, abandon, the session log line). What every room shares per
/// datastore is `DatastoreState`.
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
    let metrics: ServerMetrics
    /// The device's SyncHdr Source LocURI (its DevID).
    let deviceURI: String
    let clientSessionID: String
    let startTime = ContinuousClock.now
    /// Called once the client is authenticated: other running sessions of the
    /// device are suspended (a client that lost its connection starts anew), and
    /// false means the user holds too many sessions already.
    let onAuthenticated: @Sendable (DeviceID, UserID, String) async -> Bool
    /// The lock a user's sessions hold while they handle a message.
    let userLock: @Sendable (UserID) async -> AsyncLock

    private(set) var lastActivity = ContinuousClock.now
    var phase = Phase.initialization {
        didSet { if isEnded, !oldValue.isEnd, !isRestoring { recordEnd() } }
    }
    /// Set while the session takes a saved state (`restore`): its end was recorded where it ended.
    var isRestoring = false
    /// The `message_count` of this session's row in the store as this node last saw it (nil: none
    /// yet); kept only when sessions are shared through the store (`ServerConfiguration.sharesSessions`).
    var savedMessageCount: Int?
    /// Dropped before its sync began (see `abandon`): the outcome its metrics report.
    var abandoned = false

    /// What the message loop keeps between messages: the header's values, sizes, message numbers.
    var conversation = Conversation()
    /// Admission, the device's identity in the store, alerts, resume, DevInf.
    var negotiation = Negotiation()
    /// The datastores this session syncs, in the order the client alerted them.
    var datastores: [DatastoreState] = []
    /// Client changes waiting for their batch's transaction.
    var incoming = IncomingState()
    /// What the server sent and awaits statuses for, and how sending goes.
    var outgoing = OutgoingState()

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
    /// The device and user in the store, once admitted (what `SyncServer.admit` compares).
    var deviceID: DeviceID? { negotiation.deviceID }
    var userID: UserID? { negotiation.userID }

    func idle(for timeout: Duration, now: ContinuousClock.Instant) -> Bool { now - lastActivity > timeout }

    // MARK: Messages

    /// Answers one client message. A message repeated with the MsgID already
    /// answered (the client did not get the reply) gets the same reply again.
    func process(_ message: SyncMLMessage, url: String, encoding: SyncMLEncoding) async -> [UInt8] {
        lastActivity = .now
        conversation.encoding = encoding
        if message.header.msgID == conversation.lastClientMsgID, let lastReply = conversation.lastReply { return lastReply }
        if let number = Int(message.header.msgID), let last = conversation.lastClientMsgID.flatMap(Int.init), number < last {
            // An older message arriving late (a retransmission overtaken by its successor): handling it again
            // would move the session on with a reply nobody reads, and what that reply carried would be lost.
            logger.notice("out-of-order message ignored", metadata: ["device": "\(deviceURI)", "msg": "\(number)", "after": "\(last)"])
            return staleReply(to: message).encoded(as: encoding)
        }
        let reply = await answer(message, url: url)
        let bytes = MessageStopwatch.encoding { reply.encoded(as: encoding) } // continues what the packer measured
        conversation.lastClientMsgID = message.header.msgID
        conversation.lastReply = bytes
        return bytes
    }

    private func answer(_ message: SyncMLMessage, url: String) async -> ReplyBuilder {
        let header = message.header
        conversation.take(header, url: url, token: token)
        var reply = ReplyBuilder(header: conversation.replyHeader(to: deviceURI, sessionID: clientSessionID, configuration: configuration),
                                 suppressStatuses: header.noResp)
        let msgID = header.msgID

        if conversation.clientMaxMessageSize < configuration.minimumClientMessageSize {
            // No answer with room for an item fits: refused, instead of empty messages without end.
            logger.notice("session refused: MaxMsgSize too small",
                          metadata: ["device": "\(deviceURI)", "max_msg_size": "\(conversation.clientMaxMessageSize)"])
            return refuse(message, code: .badRequest, reply: &reply)
        }

        // SyncHdr: the user authenticated before the session was made; the first message admits the device.
        if !negotiation.authenticated {
            do {
                try await admit()
            } catch is SessionLimitReached {
                return refuse(message, code: .serviceUnavailable, reply: &reply)
            } catch {
                logger.error("starting a session failed", metadata: ["device": "\(deviceURI)", "error": "\(error)"])
                return refuse(message, code: .serverFailure, reply: &reply)
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
        let lock = await userLock(negotiation.userID!)
        await lock.acquire()
        for command in message.commands {
            await receive(command, msgID: msgID, reply: &reply)
        }
        await advance(clientFinal: message.isFinal, reply: &reply)
        await lock.release()
        return reply
    }

    /// The answer to an out-of-order message: its header refused (400), nothing else done.
    private func staleReply(to message: SyncMLMessage) -> SyncMLMessage {
        let header = message.header
        var reply = ReplyBuilder(header: conversation.staleReplyHeader(to: deviceURI, sessionID: clientSessionID), suppressStatuses: false)
        reply.status(msgRef: header.msgID, cmdRef: "0", cmd: "SyncHdr", code: .badRequest,
                     targetRefs: [header.target.locURI], sourceRefs: [header.source.locURI])
        return reply.message
    }

    /// Every command answered with `code`; the session ends (the client starts a new one).
    private func refuse(_ message: SyncMLMessage, code: StatusCode, reply: inout ReplyBuilder) -> ReplyBuilder {
        let header = message.header
        reply.header.respURI = nil
        reply.status(msgRef: header.msgID, cmdRef: "0", cmd: "SyncHdr", code: code,
                     targetRefs: [header.target.locURI], sourceRefs: [header.source.locURI])
        Refusal.answer(message.commands, msgRef: header.msgID, code: code, reply: &reply)
        reply.isFinal = true
        phase = .failed
        return reply
    }

    // MARK: Package flow

    /// After the client's commands: what the server sends next, by phase.
    private func advance(clientFinal: Bool, reply: inout ReplyBuilder) async {
        switch phase {
        case _ where negotiation.suspendRequested:
            await suspend()
            reply.isFinal = true
        case .initialization:
            guard clientFinal else { return }
            await endUnresumedSession()
            grantAlerts(into: &reply)
            reply.isFinal = true
            phase = datastores.isEmpty ? .mapping : .clientSync
        case .clientSync:
            guard clientFinal else { return }
            for datastore in datastores where !datastore.failed {
                guard await settleIncoming(datastore) else { continue }
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
        if await fillChanges(into: &reply) {
            reply.isFinal = true
            phase = .mapping
        }
    }
}

/// The user already holds `ServerConfiguration.maxSessionsPerUser` running sessions.
struct SessionLimitReached: Error {}
