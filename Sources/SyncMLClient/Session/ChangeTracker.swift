import SyncMLCodec
import SyncMLRecords
import SyncMLProtocol
import SyncMLStore

/// The client's memory of each datastore, kept in its journal (`ClientState`):
/// a mirror of the host's records as of the last sync (one item per host id,
/// journaled), the server as a device with anchors, nonce and acknowledged sequence.
///
/// Scanning applies the host's current records to the mirror: the store's
/// fingerprint comparison tells what changed, and changes since the server's
/// acknowledged sequence are what to send. Changes that came from the server
/// are journaled as the server's, so they are never sent back.
struct ChangeTracker {
    let journal: SyncStore
    let user: UserID
    let server: DeviceID

    static let userName = "client"

    init(journal: SyncStore, configuration: ClientConfiguration) async throws {
        self.journal = journal
        user = try await journal.user(named: Self.userName)
        server = try await journal.device(devID: Self.serverKey(configuration), user: user)
    }

    /// The server as the mirror's device: one per URL and account.
    static func serverKey(_ configuration: ClientConfiguration) -> String {
        configuration.user + "@" + configuration.serverURL
    }

    func datastore(_ name: String) async throws -> DatastoreID {
        try await journal.datastore(named: name, user: user)
    }

    /// Applies the host's records to the mirror, one transaction per batch of
    /// `batchSize`; returns how many changed. Records the mirror holds but the
    /// source did not list are deleted once the listing has ended without error.
    ///
    /// Memory: one batch of payloads and the set of ids seen (the mirror's live
    /// items are then read a page at a time for the deletions), whatever the size of the datastore.
    @discardableResult
    func scan(_ datastore: ClientDatastore, batchSize: Int, into mirror: DatastoreID) async throws -> Int {
        var seen = Set<String>()
        var changed = 0
        var batches = datastore.source.records(batchSize: batchSize).makeAsyncIterator()
        while true {
            let batch: [HostRecord]
            do {
                guard let next = try await batches.next() else { break }
                batch = next
            } catch {
                throw SyncClientError(.local, "reading \(datastore.name): \((error as? SyncClientError)?.message ?? "\(error)")")
            }
            var changes: [ItemChange] = []
            changes.reserveCapacity(batch.count)
            for record in batch {
                seen.insert(record.id)
                changes.append(ItemChange(.replace, guid: record.id, type: record.type, payload: record.payload,
                                          fingerprint: Self.fingerprint(type: record.type, payload: record.payload)))
            }
            changed += Self.changedCount(try await journal.apply(changes, datastore: mirror, device: nil))
        }
        // A cancelled stream ends early: what it did not list is not deleted.
        try Task.checkCancellation()
        // The mirror's live items a page at a time: what the host no longer lists is deleted.
        var deletions: [ItemChange] = []
        var after: String?
        let pageSize = max(batchSize, 1)
        while true {
            let page = try await journal.liveItems(datastore: mirror, after: after, limit: pageSize)
            for item in page where !seen.contains(item.guid) {
                deletions.append(ItemChange(.delete, guid: item.guid, type: item.type))
            }
            guard page.count == pageSize, let last = page.last else { break }
            after = last.guid
        }
        if !deletions.isEmpty {
            changed += Self.changedCount(try await journal.apply(deletions, datastore: mirror, device: nil))
        }
        return changed
    }

    /// Brings the mirror up to date with the host: from the host's own change
    /// feed when it has one and the mirror knows where it was (work in
    /// proportion to the changes), else by listing every record (`scan`). The
    /// host's token is saved once the mirror holds what it covers.
    @discardableResult
    func update(_ datastore: ClientDatastore, batchSize: Int, into mirror: DatastoreID) async throws -> Int {
        let source = datastore.source
        if let token = try await journal.hostToken(datastore: mirror),
           let feed = try await Self.reading(datastore, { try await source.changes(since: token) }) {
            var changed = 0
            for start in stride(from: 0, to: feed.changed.count, by: max(batchSize, 1)) {
                let batch = feed.changed[start..<min(start + max(batchSize, 1), feed.changed.count)].map { record in
                    ItemChange(.replace, guid: record.id, type: record.type, payload: record.payload,
                               fingerprint: Self.fingerprint(type: record.type, payload: record.payload))
                }
                changed += Self.changedCount(try await journal.apply(batch, datastore: mirror, device: nil))
            }
            let deletions = feed.deleted.map { ItemChange(.delete, guid: $0, type: "") }
            if !deletions.isEmpty { changed += Self.changedCount(try await journal.apply(deletions, datastore: mirror, device: nil)) }
            try await journal.setHostToken(feed.token, datastore: mirror)
            return changed
        }
        // Taken before the listing: whatever changes while it runs is in the next feed.
        let token = try await Self.reading(datastore) { try await source.changeToken() }
        let changed = try await scan(datastore, batchSize: batchSize, into: mirror)
        try await journal.setHostToken(token, datastore: mirror)
        return changed
    }

    /// A call to the host; its failure is the datastore's.
    private static func reading<T>(_ datastore: ClientDatastore, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw SyncClientError(.local, "reading \(datastore.name): \((error as? SyncClientError)?.message ?? "\(error)")")
        }
    }

    private static func changedCount(_ results: [AppliedChange]) -> Int {
        results.filter { $0.outcome != .unchanged && $0.outcome != .notFound }.count
    }

    /// A server change, recorded as the server's (so it is not sent back).
    /// Returns the fingerprint recorded (nil for a delete).
    @discardableResult
    func record(_ operation: ChangeOperation, id: String, type: String, payload: [UInt8], in datastore: DatastoreID,
                session: SessionID?) async throws -> Fingerprint? {
        let fingerprint = operation == .delete ? nil : Self.fingerprint(type: type, payload: payload)
        let change = ItemChange(operation, guid: id, type: type, payload: payload, fingerprint: fingerprint)
        _ = try await journal.apply([change], datastore: datastore, device: server, session: session)
        return fingerprint
    }

    /// The record's fingerprint, by the rule the server compares by too (`ReceivedRecord`): of its
    /// canonical form when it parses, else of its bytes; no match keys (the mirror keeps none).
    static func fingerprint(type: String, payload: [UInt8]) -> Fingerprint {
        ReceivedRecord.fingerprint(type: type, payload: payload)
    }
}
