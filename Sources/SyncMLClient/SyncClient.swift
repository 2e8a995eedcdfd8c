import Crypto
import Foundation
public import SyncMLCore
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
    /// Item commands being built, by placeholder CmdID, and those sent, by "msgID|cmdID".
    var placeholders: [String: (store: ClientDatastoreState, change: OutgoingChange)] = [:]
    var sentItems: [String: (store: ClientDatastoreState, change: OutgoingChange)] = [:]
    var placeholderCounter = 0

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
    @discardableResult
    public func sync(mode: SyncMode = .twoWay, progress: (@Sendable (SyncProgress) -> Void)? = nil) async throws(SyncClientError) -> SyncReport {
        let start = ContinuousClock.now
        self.progress = progress
        do {
            try await prepare(mode: mode)
            try await runSession()
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
        return report
    }

    // MARK: Before the session

    /// Scans the host's records and decides what each datastore sends.
    private func prepare(mode: SyncMode) async throws {
        tracker = try await ChangeTracker(state: state, configuration: configuration)
        stores = []
        (placeholders, sentItems, pendingCred) = ([:], [:], nil)
        for datastore in datastores {
            progress?(SyncProgress(phase: .scanning, datastore: datastore.name))
            let mirror = try await tracker.datastore(datastore.name)
            try await tracker.scan(datastore, batchSize: configuration.scanBatchSize, into: mirror)
            let known = try await state.deviceState(tracker.server, datastore: mirror)
            var requested = mode
            // Without anchors a continuing mode cannot continue: the first sync is slow.
            if mode.needsAnchors && known.lastAnchor == nil { requested = .slow }
            let anchor = Anchor(last: requested.needsAnchors ? known.lastAnchor : nil, next: Self.anchorNow())
            stores.append(ClientDatastoreState(datastore: datastore, mirror: mirror, requested: requested, anchor: anchor))
        }
        url = configuration.serverURL
        sessionID = Int.random(in: 1...999_999)
    }

    /// What a datastore sends once the server granted its mode.
    func prepareOutgoing(_ store: ClientDatastoreState) async throws {
        switch store.performed {
        case .oneWayFromServer, .refreshFromServer:
            store.outgoing = []
        case .slow, .refreshFromClient:
            let firstTime = try await state.deviceState(tracker.server, datastore: store.mirror).lastAnchor == nil
            store.outgoing = try await state.liveItems(datastore: store.mirror).map { item in
                OutgoingChange(sequence: item.version, guid: item.guid, operation: firstTime ? .add : .replace, type: item.type,
                               fingerprint: item.fingerprint)
            }
        case .twoWay, .oneWayFromClient:
            store.outgoing = try await state.changes(for: tracker.server, datastore: store.mirror, includePayloads: false).changes
        }
    }

    static func anchorNow() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: Date())
    }
}
