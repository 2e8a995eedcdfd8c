import SyncMLCore
import SyncMLStore

/// The client's memory of each datastore, kept in a `SyncStore`: a mirror of
/// the host's records as of the last sync (one item per host id, journaled),
/// the server as a device with anchors, nonce and acknowledged sequence.
///
/// Scanning applies the host's current records to the mirror: the store's
/// fingerprint comparison tells what changed, and changes since the server's
/// acknowledged sequence are what to send. Changes that came from the server
/// are journaled as the server's, so they are never sent back.
struct ChangeTracker {
    let state: SyncStore
    let user: UserID
    let server: DeviceID

    static let userName = "client"

    init(state: SyncStore, configuration: ClientConfiguration) async throws {
        self.state = state
        user = try await state.user(named: Self.userName)
        server = try await state.device(devID: Self.serverKey(configuration), user: user)
    }

    /// The server as the mirror's device: one per URL and account.
    static func serverKey(_ configuration: ClientConfiguration) -> String {
        configuration.user + "@" + configuration.serverURL
    }

    func datastore(_ name: String) async throws -> DatastoreID {
        try await state.datastore(named: name, user: user)
    }

    /// Applies the host's records to the mirror; returns how many changed.
    @discardableResult
    func scan(_ records: [HostRecord], into datastore: DatastoreID) async throws -> Int {
        var changes: [ItemChange] = []
        changes.reserveCapacity(records.count)
        var ids = Set<String>()
        for record in records {
            ids.insert(record.id)
            changes.append(ItemChange(.replace, guid: record.id, type: record.type, payload: record.payload,
                                      fingerprint: Self.fingerprint(type: record.type, payload: record.payload)))
        }
        for item in try await state.liveItems(datastore: datastore) where !ids.contains(item.guid) {
            changes.append(ItemChange(.delete, guid: item.guid, type: item.type))
        }
        let results = try await state.apply(changes, datastore: datastore, device: nil)
        return results.filter { $0.outcome != .unchanged && $0.outcome != .notFound }.count
    }

    /// A server change, recorded as the server's (so it is not sent back).
    /// Returns the fingerprint recorded (nil for a delete).
    @discardableResult
    func record(_ operation: ChangeOperation, id: String, type: String, payload: [UInt8], in datastore: DatastoreID,
                session: SessionID?) async throws -> Fingerprint? {
        let fingerprint = operation == .delete ? nil : Self.fingerprint(type: type, payload: payload)
        let change = ItemChange(operation, guid: id, type: type, payload: payload, fingerprint: fingerprint)
        _ = try await state.apply([change], datastore: datastore, device: server, session: session)
        return fingerprint
    }

    /// The record's fingerprint: of its canonical form when it parses, else of its bytes.
    static func fingerprint(type: String, payload: [UInt8]) -> Fingerprint {
        if SIFKind(mimeType: type) != nil, let record = try? SIF.toVComponent(payload) {
            return RecordSignature(record).fingerprint
        }
        if let signature = try? RecordSignature(parsing: payload) { return signature.fingerprint }
        return Fingerprint(of: payload)
    }
}
