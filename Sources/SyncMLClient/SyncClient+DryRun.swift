import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

/// What the next sync of one datastore would send, found without syncing.
public struct PendingChanges: Sendable, Hashable {
    /// The datastore's name.
    public var datastore: String
    /// No sync has completed yet: the next one is slow and sends every record.
    public var firstSync: Bool
    /// Host ids, sorted.
    public var added: [String] = []
    /// Host ids of records changed since the last sync, sorted.
    public var changed: [String] = []
    /// Host ids of records deleted since the last sync, sorted.
    public var deleted: [String] = []
    /// The mass-delete guard would hold the deletes back (a sync without `forceDeletes`).
    public var deletesHeld = false
}

extension SyncClient {
    /// A dry run: what the next sync would send from the host, per datastore —
    /// the host's records added, changed and deleted since the last sync, and
    /// changes an earlier sync did not get confirmed. Reads the host and the
    /// sync state and writes nothing; the server is not contacted, so what it
    /// would send back is not known.
    public func pendingChanges() async throws(SyncClientError) -> [PendingChanges] {
        do {
            var result: [PendingChanges] = []
            let user = try await journal.existingUser(named: ChangeTracker.userName)
            for datastore in datastores {
                let records: [HostRecord]
                do {
                    records = try await datastore.source.allRecords()
                } catch {
                    throw SyncClientError(.local, "reading \(datastore.name): \((error as? SyncClientError)?.message ?? "\(error)")")
                }
                guard let user, let mirror = try await journal.existingDatastore(named: datastore.name, user: user) else {
                    result.append(PendingChanges(datastore: datastore.name, firstSync: true, added: records.map(\.id).sorted()))
                    continue
                }
                let server = try await journal.device(devID: ChangeTracker.serverKey(configuration), user: user)
                let firstSync = try await journal.deviceState(server, datastore: mirror).lastAnchor == nil
                var added = Set<String>(), changed = Set<String>(), deleted = Set<String>()
                // Changes scanned by an earlier sync and not confirmed by the server are still to send.
                for change in try await journal.changes(for: server, datastore: mirror, includePayloads: false).changes {
                    switch change.operation {
                    case .add: added.insert(change.guid)
                    case .replace: changed.insert(change.guid)
                    case .delete: deleted.insert(change.guid)
                    }
                }
                let live = Dictionary(try await journal.liveItems(datastore: mirror).map { ($0.guid, $0) }, uniquingKeysWith: { first, _ in first })
                var seen = Set<String>()
                for record in records {
                    seen.insert(record.id)
                    guard let known = live[record.id] else {
                        deleted.remove(record.id)
                        added.insert(record.id)
                        continue
                    }
                    if known.fingerprint != ChangeTracker.fingerprint(type: record.type, payload: record.payload), !added.contains(record.id) {
                        changed.insert(record.id)
                    }
                }
                for id in live.keys where !seen.contains(id) {
                    added.remove(id)
                    changed.remove(id)
                    deleted.insert(id)
                }
                var pending = PendingChanges(datastore: datastore.name, firstSync: firstSync)
                if firstSync {
                    pending.added = records.map(\.id).sorted()
                } else {
                    (pending.added, pending.changed, pending.deleted) = (added.sorted(), changed.sorted(), deleted.sorted())
                    pending.deletesHeld = configuration.massDeleteGuard?.holds(deleted: deleted.count, of: live.count) ?? false
                }
                result.append(pending)
            }
            return result
        } catch let error as SyncClientError {
            throw error
        } catch let error as StoreError {
            throw SyncClientError(.local, "sync state: \(error.message)")
        } catch {
            throw SyncClientError(.local, "\(error)")
        }
    }
}
