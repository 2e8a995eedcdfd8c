import Foundation
public import Logging
import SyncMLCodec
public import SyncMLProtocol
import SyncMLStore

/// The client role: syncs the host's datastores with a SyncML server
/// (OMA DS 1.2 §5–§10, client side).
///
/// Change tracking lives in `state` (a `ClientState`): a mirror of the host's
/// records as of the last sync, journaled, so the engine finds what changed by
/// fingerprint and every version a sync replaced can be restored.
///
/// Packages: 1 init (credentials, DevInf, one Alert per datastore) → 2 the
/// server's alerts → 3 the client's changes (several messages when they exceed
/// the server's MaxMsgSize; large objects in chunks) → 4 the server's changes
/// (Alert 222 asks for each further message) → 5 statuses and Map → 6 the
/// server's statuses. Anchors are saved and the journal acknowledged only then.
///
/// This file keeps the package loop; the rooms under `Session/` do the work:
/// negotiation (credentials, alerts, granted modes, resume), outgoing (the
/// host's changes, packed), incoming (the server's changes applied, maps, the
/// guard on its deletes), completion (anchors, acknowledgement, suspend) and
/// the messages themselves.
public actor SyncClient {
    /// The server, account and limits this client syncs with.
    public let configuration: ClientConfiguration
    let datastores: [ClientDatastore]
    let transport: any SyncTransport
    /// The client's journal (`ClientState.journal`).
    let journal: SyncStore
    let logger: Logger

    /// The client runs where its journal runs (the store's own serial queue):
    /// a sync makes a store call or more per item, and on one executor a call
    /// from the client to its journal is a plain call, not a hop between threads.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { journal.unownedExecutor }

    /// True when the client's own code runs where its journal runs (tests).
    package func runsWithItsJournal() -> Bool { journal.isCallerOnItsQueue }

    // One sync's state, set up when it starts.
    /// A sync runs: a second `sync()` is refused.
    var isSyncing = false
    var run: SyncRun
    var tracker: ChangeTracker!
    var stores: [ClientDatastoreState] = []
    var exchange = MessageExchange()
    var sentItems = SentItems()
    /// What this session has cost, against `configuration.sessionLimits`.
    var budget = SessionBudget(SessionLimits())

    /// A client that syncs the host's `datastores` with a server; nothing
    /// happens until `sync()`.
    ///
    /// - Parameters:
    ///   - configuration: the server, the account, this device's id and the limits.
    ///   - datastores: the host's records, one data source per datastore synced.
    ///   - transport: how messages reach the server (`HTTPClientTransport` in SyncMLHTTP).
    ///   - state: what the client remembers between syncs (`ClientState(path:)`,
    ///     a file of its own; `ClientState.inMemory()` forgets everything when released).
    ///   - logger: where the client tells a maintainer what it does: each sync's
    ///     start and end and the modes granted at `info`, each message at
    ///     `debug`. Silent by default.
    public init(configuration: ClientConfiguration, datastores: [ClientDatastore], transport: any SyncTransport, state: ClientState,
                logger: Logger = Logger(label: "syncml.client", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.configuration = configuration
        self.datastores = datastores
        self.transport = transport
        journal = state.journal
        self.logger = logger
        run = SyncRun(logger: logger)
    }

    /// Runs one sync of every datastore in `mode`. `progress` is called as it goes.
    /// Cancelling the task stops it between messages; what was applied stays
    /// applied and journaled, and the next sync repeats what was not confirmed.
    ///
    /// One sync at a time: called while a sync of this client runs, it is
    /// refused at once with `.syncInProgress` (it does not wait), and the running
    /// sync goes on undisturbed.
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
        guard !isSyncing else {
            throw SyncClientError(.syncInProgress, "a sync of this client is already running: wait for it to end before starting another")
        }
        isSyncing = true
        defer { isSyncing = false }
        let start = ContinuousClock.now
        var sessionLogger = logger
        sessionLogger[metadataKey: "syncml.server"] = "\(configuration.serverURL)"
        sessionLogger[metadataKey: "syncml.device"] = "\(configuration.deviceID)"
        run = SyncRun(logger: sessionLogger, progress: progress, forceDeletes: forceDeletes)
        run.logger.info("sync started", metadata: ["syncml.mode": "\(mode)", "syncml.datastores": "\(datastores.map(\.name))"])
        do {
            do {
                try await prepare(mode: mode)
                try await runSession()
            } catch {
                // Whatever was confirmed so far is kept, so the next sync resumes instead of starting over.
                try? await saveForResume()
                throw error
            }
        } catch {
            let failure = Self.clientError(error)
            run.logger.info("sync failed", metadata: ["syncml.error.kind": "\(failure.kind)", "syncml.error": "\(failure.message)"])
            throw failure
        }
        announce(SyncProgress(phase: .finished))
        var report = SyncReport()
        report.datastores = stores.map(\.report)
        report.duration = ContinuousClock.now - start
        report.suspended = run.wasSuspended
        run.logger.info(run.wasSuspended ? "sync suspended" : "sync finished",
                        metadata: ["syncml.duration": "\(ReadableDuration.text(report.duration))", "syncml.complete": "\(report.isComplete)"])
        return report
    }

    /// Any failure as the error the host sees.
    static func clientError(_ error: any Error) -> SyncClientError {
        switch error {
        case let error as SyncClientError: error
        case is CancellationError: SyncClientError(.cancelled, "the sync was cancelled")
        case let error as StoreError: SyncClientError(.local, "sync state: \(error.message)")
        default: SyncClientError(.local, "\(error)")
        }
    }

    /// Asks the running sync to suspend at its next message (OMA DS 1.2
    /// Alert 224): it returns a report with `suspended` set, and the next
    /// `sync` resumes where it stopped. Does nothing when no sync runs.
    public func suspend() {
        if isSyncing { run.suspendRequested = true }
    }

    /// Hands `progress` to the host's callback.
    func announce(_ progress: SyncProgress) {
        run.progress?(progress)
    }

    // MARK: Before the session

    /// Scans the host's records and decides what each datastore asks for.
    private func prepare(mode: SyncMode) async throws {
        tracker = try await ChangeTracker(journal: journal, configuration: configuration)
        stores = []
        (sentItems, budget) = (SentItems(), SessionBudget(configuration.sessionLimits))
        run.suspended = try await journal.suspendedSession(device: tracker.server).flatMap { found in
            ClientResumeState.decode(found.resumeState).map { (found.id, $0) }
        }
        for datastore in datastores {
            announce(SyncProgress(phase: .scanning, datastore: datastore.name))
            let mirror = try await tracker.datastore(datastore.name)
            try await tracker.update(datastore, batchSize: configuration.scanBatchSize, into: mirror)
            let known = try await journal.deviceState(tracker.server, datastore: mirror)
            var requested = mode
            // Without anchors a continuing mode cannot continue: the first sync is slow.
            if mode.needsAnchors && known.lastAnchor == nil { requested = .slow }
            let anchor = Anchor(last: requested.needsAnchors ? known.lastAnchor : nil, next: configuration.anchorClock.next())
            let store = ClientDatastoreState(datastore: datastore, mirror: mirror, requested: requested, anchor: anchor)
            if let saved = run.suspended?.state.datastore(datastore.name) {
                // Maps the server never confirmed still name what the host has, resumed or not.
                store.maps.pending = saved.role.pendingMaps
                store.maps.known = (saved.role.knownMaps ?? [:]).merging(saved.role.pendingMaps) { _, pending in pending }
                if saved.point.mode != nil, mode != .refreshFromClient, mode != .refreshFromServer {
                    store.saved = saved
                    store.anchors.client = saved.point.anchors.client
                }
            }
            stores.append(store)
        }
        exchange = MessageExchange(url: configuration.serverURL, sessionID: Int.random(in: 1...999_999))
        run.logger[metadataKey: "syncml.session"] = "\(exchange.sessionID)"
    }

    // MARK: The packages

    /// The whole session, package by package (see the type's documentation).
    func runSession() async throws {
        // Packages 1 and 2: credentials and alerts, then the modes granted.
        announce(SyncProgress(phase: .connecting))
        var reply = try await openSession()
        var answers = try await takeGrantedModes(reply)
        try await beginStoreSession()
        for store in stores where store.refused == nil { try await prepareOutgoing(store) }

        // Package 3: the client's changes, as many messages as MaxMsgSize asks for. Maps the server has not
        // confirmed (from an interrupted sync) go first, so the server knows those records before it reads
        // changes that name them.
        announce(SyncProgress(phase: .sending))
        answers += mapCommands(stores.filter { !$0.maps.pending.isEmpty })
        while true {
            if try await suspendIfAsked(answers) { return }
            var commands = answers
            let done = try await fillChanges(into: &commands)
            reply = try await send(commands, isFinal: done)
            answers = answer(reply, allowResults: false)
            try checkSession(reply)
            if done { break }
        }

        // Package 4: the server's changes, message by message.
        announce(SyncProgress(phase: .receiving))
        while true {
            answers += try await receiveChanges(reply)
            if reply.isFinal { break }
            try budget.nonFinal()
            if try await suspendIfAsked(answers) { return }
            answers.append(.alert(Alert(cmdID: "", code: .nextMessage, items: [
                Item(target: Location(configuration.serverURL), source: Location(configuration.deviceID)),
            ])))
            // The maps so far go along, so that neither side holds a whole book's maps until the end.
            let mapsSent = stores.map(\.maps.pending)
            answers += mapCommands(stores)
            reply = try await send(answers, isFinal: false)
            answers = answer(reply, allowResults: false)
            try checkSession(reply)
            confirmMaps(sent: mapsSent, in: reply)
        }

        // The server's deletes, held until all its changes were in (the mass-delete guard weighs them together).
        answers += try await settleServerDeletes()

        // Package 5: statuses and maps; the server's statuses (package 6) end the session.
        announce(SyncProgress(phase: .mapping))
        if try await suspendIfAsked(answers) { return }
        answers += mapCommands(stores)
        reply = try await send(answers, isFinal: true)
        _ = answer(reply, allowResults: false)
        try checkSession(reply)
        for store in stores where store.refused == nil && !store.maps.pending.isEmpty {
            store.maps.confirmed = mapAccepted(in: reply, for: store)
        }
        try await complete()
    }
}
