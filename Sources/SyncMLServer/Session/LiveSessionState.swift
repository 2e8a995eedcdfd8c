import Foundation
import SyncMLCodec
import SyncMLProtocol
import SyncMLRecords
import SyncMLStore

/// Everything a `ServerSession` keeps between two messages of its client, as
/// one value: what a server node saves in the store after each message
/// (`live_sessions`) so that the client's next message may reach any node
/// (issue #18, docs/SCALING.md "Step 4"). A session made from it answers the
/// next message byte for byte as the one it was taken from would have.
///
/// What is not in it: the client changes of a Sync command waiting for their
/// batch's transaction (`IncomingState`), because every Sync command writes its
/// batch before its message is answered; and the live objects a session is
/// handed (store, authenticator, configuration, logger), which the node that
/// restores it provides. Datastores are referred to by name (the server's
/// datastore names are unique within a session). What grows with the book —
/// the per-GUID sets (`clientHas`, `claimed`, `confirmed`) and the outgoing
/// queue — is in the value only as `snapshot()` makes it (what
/// `LiveSessionTests` compares); the value a node saves leaves them out and
/// the store keeps them as rows, written as they change (`LiveSessionRows.swift`).
struct LiveSessionState: Codable {
    /// The layout of this value: a node that reads another one does not continue the session.
    /// Layout 2 may keep the per-GUID sets and the queue in rows (`DatastoreSnapshot.itemsInRows`,
    /// `queueInRows`); a layout-1 value, which holds them all, is still read. Layout 3 is a value
    /// with a datastore the session owns (`DatastoreSnapshot.ownership`): a reader that ignored it
    /// would take the empty sets for the client holding nothing. Other values are still written as 2.
    static let currentLayout = 3

    var layout = LiveSessionState.currentLayout
    var token: String
    var user: String
    var deviceURI: String
    var clientSessionID: String
    var phase: String
    var abandoned: Bool
    var conversation: Conversation
    var negotiation: NegotiationSnapshot
    var datastores: [DatastoreSnapshot]
    var sentItems: AwaitedStatuses<SentItemSnapshot>
    var stalls: NoRoomStreak

    /// The value as JSON (what the store compresses).
    func encoded() throws -> [UInt8] { Array(try JSONEncoder().encode(self)) }

    /// The value `bytes` encode; throws for anything else, or another layout.
    static func decode(_ bytes: [UInt8]) throws -> LiveSessionState {
        let state = try JSONDecoder().decode(LiveSessionState.self, from: Data(bytes))
        guard (1...currentLayout).contains(state.layout) else { throw UnreadableLiveSession(layout: state.layout) }
        return state
    }
}

/// A saved session of another layout than this build's.
struct UnreadableLiveSession: Error, CustomStringConvertible {
    var layout: Int
    var description: String { "a saved session of layout \(layout); this build reads \(LiveSessionState.currentLayout)" }
}

/// `Negotiation` with ids as integers, the client's DevInf in its stored form
/// and datastores by name.
struct NegotiationSnapshot: Codable {
    var userID: Int64?
    var deviceID: Int64?
    var authenticated: Bool
    var storeSession: Int64?
    /// Names of the datastores whose Alerts wait for the end of the init package.
    var pendingAlerts: [String]
    /// The client's DevInf as the store keeps it (`ServerSession.storedForm(of:)`).
    var clientDevInf: Data?
    var askedForDevInf: Bool
    var suspendedSession: Int64?
    /// The suspended session's resume state, as the store keeps it.
    var suspendedState: Data?
    var suspendedLookedUp: Bool
    var suspendRequested: Bool
}

/// `DatastoreState` as a value; its mode and anchors as a `ResumePoint`.
struct DatastoreSnapshot: Codable {
    var point: ResumePoint
    var id: Int64
    var clientURI: String
    var serverURI: String
    var conflictPolicy: String
    var clientItemType: String?
    var largeObject: LargeObjectAssembler
    var clientHas: [String: Fingerprint]
    var claimed: [String]
    var received: ChangeCounts
    var unsettled: [String]
    var liveAtStart: Int
    var heldDeletes: Int
    var forceDeletes: Bool
    var outgoing: OutgoingQueue<ChangeSnapshot>
    var acknowledgeThrough: Int64?
    var sent: ChangeCounts
    var failures: Int
    var failed: Bool
    var acknowledged: Int64
    var confirmed: [String: Int64]
    var resumed: Bool
    /// `clientHas`, `claimed` and `confirmed` are in the store's rows (`live_session_items`), not here.
    var itemsInRows: Bool?
    /// The outgoing queue's changes are in the store's rows (`live_session_queue`); `outgoing` holds its place.
    var queueInRows: Bool?
    /// The session is the datastore's only writer (`DatastoreState.ownership`); absent in older values: not owned.
    var ownership: DatastoreOwnership?
}

/// An `OutgoingChange` of a datastore's queue.
struct ChangeSnapshot: Codable {
    var sequence: Int64
    var guid: String
    var luid: String?
    var operation: Int
    var type: String
    var fingerprint: Fingerprint?
    var payload: Data?

    init(_ change: OutgoingChange) {
        (sequence, guid, luid, operation, type, fingerprint) = (change.sequence, change.guid, change.luid, change.operation.rawValue, change.type,
                                                                change.fingerprint)
        payload = change.payload.map { Data($0) }
    }

    func change() throws -> OutgoingChange {
        guard let operation = ChangeOperation(rawValue: operation) else { throw UnreadableLiveSession(layout: LiveSessionState.currentLayout) }
        return OutgoingChange(sequence: sequence, guid: guid, luid: luid, operation: operation, type: type, fingerprint: fingerprint,
                              payload: payload.map { [UInt8]($0) })
    }
}

/// A `SentItem` with its datastore by name.
struct SentItemSnapshot: Codable {
    var datastore: String
    var guid: String
    var sequence: Int64
}

extension ServerSession {
    /// What this session keeps between messages, as one value; `leavingRows`: without
    /// what the datastores keep in the store's rows (the value a node saves).
    func snapshot(leavingRows: Bool = false) -> LiveSessionState {
        let devInf = negotiation.clientDevInf.map { Data(storedForm(of: $0)) }
        return LiveSessionState(
            layout: datastores.contains { $0.ownership != nil } ? 3 : 2,
            token: token, user: user, deviceURI: deviceURI, clientSessionID: clientSessionID, phase: phase.rawValue, abandoned: abandoned,
            conversation: conversation,
            negotiation: NegotiationSnapshot(
                userID: negotiation.userID?.rawValue, deviceID: negotiation.deviceID?.rawValue, authenticated: negotiation.authenticated,
                storeSession: negotiation.storeSession?.rawValue, pendingAlerts: negotiation.pendingAlerts.map(\.name), clientDevInf: devInf,
                askedForDevInf: negotiation.askedForDevInf, suspendedSession: negotiation.suspended?.id.rawValue,
                suspendedState: negotiation.suspended.map { Data($0.state.encoded()) }, suspendedLookedUp: negotiation.suspendedLookedUp,
                suspendRequested: negotiation.suspendRequested),
            datastores: datastores.map { Self.snapshot($0, leavingRows: leavingRows) },
            sentItems: outgoing.sentItems.compactMap { SentItemSnapshot(datastore: $0.datastore.name, guid: $0.guid, sequence: $0.sequence) },
            stalls: outgoing.stalls)
    }

    private static func snapshot(_ state: DatastoreState, leavingRows: Bool) -> DatastoreSnapshot {
        let itemsInRows = leavingRows && state.changedItems != nil, queueInRows = leavingRows && state.queueInRows
        var queue = state.outgoing
        if queueInRows { queue.changes = [] }
        return DatastoreSnapshot(
            point: ResumePoint(name: state.name, mode: state.mode, anchors: state.anchors), id: state.id.rawValue, clientURI: state.clientURI,
            serverURI: state.serverURI, conflictPolicy: state.conflictPolicy.rawValue, clientItemType: state.clientItemType,
            largeObject: state.largeObject, clientHas: itemsInRows ? [:] : state.clientHas, claimed: itemsInRows ? [] : state.claimed.sorted(),
            received: state.received,
            unsettled: state.unsettled.sorted(), liveAtStart: state.liveAtStart, heldDeletes: state.heldDeletes, forceDeletes: state.forceDeletes,
            outgoing: queue.map(ChangeSnapshot.init), acknowledgeThrough: state.acknowledgeThrough, sent: state.sent,
            failures: state.failures, failed: state.failed, acknowledged: state.acknowledged, confirmed: itemsInRows ? [:] : state.confirmed,
            resumed: state.resumed, itemsInRows: itemsInRows ? true : nil, queueInRows: queueInRows ? true : nil,
            ownership: state.ownership)
    }

    /// The store holds this session as saved after `count` messages.
    func saved(as count: Int) { savedMessageCount = count }

    /// Takes up where the session `state` was taken from left off, saved in the
    /// store as `count` messages; this session must be new (made for the same
    /// token, user, device and client session). What `state` leaves in the
    /// store's rows is read by `takeUpRows` next.
    func restore(_ state: LiveSessionState, savedAs count: Int) throws {
        savedMessageCount = count
        guard let phase = Phase(rawValue: state.phase) else { throw UnreadableLiveSession(layout: state.layout) }
        let restored = try state.datastores.map(Self.restore)
        let byName = Dictionary(restored.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let saved = state.negotiation
        var negotiation = Negotiation()
        negotiation.userID = saved.userID.map(UserID.init(rawValue:))
        negotiation.deviceID = saved.deviceID.map(DeviceID.init(rawValue:))
        negotiation.authenticated = saved.authenticated
        negotiation.storeSession = saved.storeSession.map(SessionID.init(rawValue:))
        negotiation.pendingAlerts = saved.pendingAlerts.compactMap { byName[$0] }
        negotiation.clientDevInf = saved.clientDevInf.flatMap { Self.decodeStoredDevInf([UInt8]($0)) }
        negotiation.askedForDevInf = saved.askedForDevInf
        if let id = saved.suspendedSession, let bytes = saved.suspendedState, let resume = ServerResumeState.decode([UInt8](bytes)) {
            negotiation.suspended = (SessionID(rawValue: id), resume)
        }
        negotiation.suspendedLookedUp = saved.suspendedLookedUp
        negotiation.suspendRequested = saved.suspendRequested

        self.conversation = state.conversation
        self.negotiation = negotiation
        self.datastores = restored
        self.outgoing = OutgoingState(
            sentItems: state.sentItems.compactMap { sent in
                byName[sent.datastore].map { SentItem(datastore: $0, guid: sent.guid, sequence: sent.sequence) }
            },
            stalls: state.stalls)
        self.abandoned = state.abandoned
        isRestoring = true
        self.phase = phase
        isRestoring = false
    }

    private static func restore(_ saved: DatastoreSnapshot) throws -> DatastoreState {
        guard let mode = saved.point.mode, let policy = ConflictPolicy(rawValue: saved.conflictPolicy) else {
            throw UnreadableLiveSession(layout: LiveSessionState.currentLayout)
        }
        let state = DatastoreState(name: saved.point.name, id: DatastoreID(rawValue: saved.id), clientURI: saved.clientURI,
                                   serverURI: saved.serverURI, mode: mode, anchors: saved.point.anchors, conflictPolicy: policy)
        state.clientItemType = saved.clientItemType
        state.largeObject = saved.largeObject
        state.clientHas = saved.clientHas
        state.claimed = Set(saved.claimed)
        state.received = saved.received
        state.unsettled = Set(saved.unsettled)
        state.liveAtStart = saved.liveAtStart
        state.heldDeletes = saved.heldDeletes
        state.forceDeletes = saved.forceDeletes
        state.outgoing = try saved.outgoing.map { try $0.change() }
        state.acknowledgeThrough = saved.acknowledgeThrough
        state.sent = saved.sent
        state.failures = saved.failures
        state.failed = saved.failed
        state.acknowledged = saved.acknowledged
        state.confirmed = saved.confirmed
        state.resumed = saved.resumed
        state.ownership = saved.ownership
        // Rows the store holds are rows the next save need not write again.
        if saved.itemsInRows == true { state.changedItems = [] }
        state.queueInRows = saved.queueInRows == true
        return state
    }
}
