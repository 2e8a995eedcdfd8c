import Foundation
import SyncMLCodec
public import SyncMLProtocol
public import SyncMLStore

/// The client role: syncs the host's datastores with a SyncML server
/// (OMA DS 1.2 §5–§10, client side).
///
/// Change tracking lives in `state` (a `SyncStore`): a mirror of the host's
/// records as of the last sync, journaled, so the engine finds what changed by
/// fingerprint and every version a sync replaced can be restored.
///
/// Packages: 1 init (credentials, DevInf, one Alert per datastore) → 2 the
/// server's alerts → 3 the client's changes (several messages when they exceed
/// the server's MaxMsgSize; large objects in chunks) → 4 the server's changes
/// (Alert 222 asks for each further message) → 5 statuses and Map → 6 the
/// server's statuses. Anchors are saved and the journal acknowledged only then.
public actor SyncClient {
    public let configuration: ClientConfiguration
    let datastores: [ClientDatastore]
    let transport: any SyncTransport
    let state: SyncStore

    // One sync's state.
    var tracker: ChangeTracker!
    var stores: [ClientDatastoreState] = []
    var url = ""
    var sessionID = 0
    var msgID = 0
    var serverMaxMessageSize = 150_000
    var serverVersion: SyncMLVersion = .v1_2
    var progress: (@Sendable (SyncProgress) -> Void)?
    /// The credential for the next message (the first of a session).
    var pendingCred: Credential?
    /// Item commands being built, by placeholder CmdID, and those sent, until the server's status for each.
    var placeholders: [String: (store: ClientDatastoreState, change: OutgoingChange)] = [:]
    var sentItems = AwaitedStatuses<(store: ClientDatastoreState, change: OutgoingChange)>()
    var placeholderCounter = 0
    /// This sync's session in `state` (received changes are journaled under it; a failed sync saves its resume state there).
    var storeSession: SessionID?
    /// The suspended session `prepare` found, which the sync offers to resume.
    var suspended: (id: SessionID, state: ClientResumeState)?
    var suspendRequested = false
    var wasSuspended = false
    /// The host confirmed its deletes: no mass-delete guard, and the server is told so.
    var forceDeletes = false
    /// What this session has cost, against `configuration.sessionLimits`.
    var budget = SessionBudget(SessionLimits())
    /// Counts what the server's messages brought that is new (items, statuses for
    /// the client's items and Maps), and its value when the last reply arrived:
    /// a non-final reply that leaves it unchanged carried nothing.
    var news = 0
    var newsAtReply = 0

    /// - Parameters:
    ///   - state: where the client keeps its sync state (a `SyncStore` on a file
    ///     of its own; `":memory:"` forgets everything when the process ends).
    public init(configuration: ClientConfiguration, datastores: [ClientDatastore], transport: any SyncTransport, state: SyncStore) {
        self.configuration = configuration
        self.datastores = datastores
        self.transport = transport
        self.state = state
    }

    /// Runs one sync of every datastore in `mode`. `progress` is called as it goes.
    /// Cancelling the task stops it between messages; what was applied stays
    /// applied and journaled, and the next sync repeats what was not confirmed.
    ///
    /// With `forceDeletes`, deletes go through the mass-delete guard: the host's
    /// are sent (and the server is told with the Meta EMI `syncml:force-deletes`),
    /// the server's, and what a refresh from the server removes, are applied.
    ///
    /// The server is not trusted: a mode the client did not ask for refuses that
    /// datastore (`SyncReport.Datastore.refusal`), a request for basic auth fails
    /// the sync unless basic is configured, and `configuration.sessionLimits` stops
    /// a session the server never ends.
    @discardableResult
    public func sync(mode: SyncMode = .twoWay, forceDeletes: Bool = false,
                     progress: (@Sendable (SyncProgress) -> Void)? = nil) async throws(SyncClientError) -> SyncReport {
        let start = ContinuousClock.now
        self.progress = progress
        self.forceDeletes = forceDeletes
        do {
            do {
                try await prepare(mode: mode)
                try await runSession()
            } catch {
                // Whatever was confirmed so far is kept, so the next sync resumes instead of starting over.
                try? await saveForResume()
                throw error
            }
        } catch let error as SyncClientError {
            throw error
        } catch is CancellationError {
            throw SyncClientError(.cancelled, "the sync was cancelled")
        } catch let error as StoreError {
            throw SyncClientError(.local, "sync state: \(error.message)")
        } catch {
            throw SyncClientError(.local, "\(error)")
        }
        progress?(SyncProgress(phase: .finished))
        var report = SyncReport()
        report.datastores = stores.map(\.report)
        report.duration = ContinuousClock.now - start
        report.suspended = wasSuspended
        return report
    }

    /// Asks the running sync to suspend at its next message (OMA DS 1.2
    /// Alert 224): it returns a report with `suspended` set, and the next
    /// `sync` resumes where it stopped. Does nothing when no sync runs.
    public func suspend() {
        if tracker != nil, storeSession != nil || !stores.isEmpty { suspendRequested = true }
    }

    // MARK: Before the session

    /// Scans the host's records and decides what each datastore sends.
    private func prepare(mode: SyncMode) async throws {
        tracker = try await ChangeTracker(state: state, configuration: configuration)
        stores = []
        (placeholders, sentItems, pendingCred) = ([:], AwaitedStatuses(), nil)
        (storeSession, suspendRequested, wasSuspended) = (nil, false, false)
        (budget, news, newsAtReply) = (SessionBudget(configuration.sessionLimits), 0, 0)
        suspended = try await state.suspendedSession(device: tracker.server).flatMap { found in
            ClientResumeState.decode(found.resumeState).map { (found.id, $0) }
        }
        for datastore in datastores {
            progress?(SyncProgress(phase: .scanning, datastore: datastore.name))
            let mirror = try await tracker.datastore(datastore.name)
            try await tracker.update(datastore, batchSize: configuration.scanBatchSize, into: mirror)
            let known = try await state.deviceState(tracker.server, datastore: mirror)
            var requested = mode
            // Without anchors a continuing mode cannot continue: the first sync is slow.
            if mode.needsAnchors && known.lastAnchor == nil { requested = .slow }
            let anchor = Anchor(last: requested.needsAnchors ? known.lastAnchor : nil, next: configuration.anchorClock.next())
            let store = ClientDatastoreState(datastore: datastore, mirror: mirror, requested: requested, anchor: anchor)
            if let saved = suspended?.state.datastore(datastore.name) {
                // Maps the server never confirmed still name what the host has, resumed or not.
                store.pendingMaps = saved.role.pendingMaps
                store.mapped = (saved.role.knownMaps ?? [:]).merging(saved.role.pendingMaps) { _, pending in pending }
                if saved.point.mode != nil, mode != .refreshFromClient, mode != .refreshFromServer {
                    store.saved = saved
                    store.anchors.client = saved.point.anchors.client
                }
            }
            stores.append(store)
        }
        url = configuration.serverURL
        sessionID = Int.random(in: 1...999_999)
    }

    /// What a datastore sends once the server granted its mode.
    func prepareOutgoing(_ store: ClientDatastoreState) async throws {
        switch store.performed {
        case .oneWayFromServer, .refreshFromServer:
            store.outgoing.changes = []
        case .slow, .refreshFromClient:
            let firstTime = try await state.deviceState(tracker.server, datastore: store.mirror).lastAnchor == nil
            store.outgoing.changes = try await state.liveItems(datastore: store.mirror).map { item in
                OutgoingChange(sequence: item.version, guid: item.guid, operation: firstTime ? .add : .replace, type: item.type,
                               fingerprint: item.fingerprint)
            }
        case .twoWay, .oneWayFromClient:
            store.outgoing.changes = try await state.changes(for: tracker.server, datastore: store.mirror, includePayloads: false).changes
        }
        let deletes = store.outgoing.changes.filter { $0.operation == .delete }
        if !forceDeletes, let guardrail = configuration.massDeleteGuard, !deletes.isEmpty,
           guardrail.holds(deleted: deletes.count, of: try await state.liveCount(datastore: store.mirror) + deletes.count) {
            store.outgoing.changes.removeAll { $0.operation == .delete }
            store.heldFrom = deletes.map(\.sequence).min()
            store.report.heldDeletes = deletes.count
        }
        if store.resumed {
            // Confirmed by the server before the suspension, and unchanged since: not sent again.
            store.outgoing.changes.removeAll { change in store.confirmed[change.guid].map { $0 == change.fingerprint } ?? false }
        }
    }
}
