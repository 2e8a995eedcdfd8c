import Foundation
import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLRecords
import SyncMLStore

/// Writing the client's changes: most wait for one transaction per Sync
/// command (`IncomingState.incoming.pendingWrites`: a transaction per item costs a WAL
/// commit each); a conflict, a merge or a duplicate is written at once,
/// together with the server's answer to it.
extension ServerSession {

    /// Leaves a client change for the batch; the GUID it pairs with is taken now.
    /// `lookup` is what the store's `resolve` said of its item (the store does not look again).
    func enqueue(_ record: ReceivedRecord, _ operation: ChangeOperation, luid: String?, guid: String?, lookup: ItemChange.Lookup? = nil,
                 in datastore: DatastoreState) {
        if let guid { datastore.claim(guid) }
        let change = ItemChange(operation, luid: luid, guid: guid, type: record.type, payload: record.payload,
                                fingerprint: record.fingerprint, matchKeys: record.signature?.matchKey.indexKeys ?? [], lookup: lookup)
        incoming.pendingDatastore = datastore
        incoming.addPending(PendingWrite(change: change))
    }

    /// Writes the pending changes in one transaction. On failure, none is written and their statuses become 500.
    func flushPendingWrites() async {
        guard !incoming.pendingWrites.isEmpty, let datastore = incoming.pendingDatastore, let deviceID = negotiation.deviceID else { return }
        let batch = incoming.takePending()
        incoming.discardResolved()
        do {
            let results = try await store.apply(batch.map(\.change), datastore: datastore.id, device: deviceID, session: negotiation.storeSession,
                                                deferringNewKeys: datastore.defersKeys)
            datastore.wrote(results.count { $0.sequence != nil })
            for (write, result) in zip(batch, results) {
                switch result.outcome {
                case .added: datastore.received.added += 1
                case .unchanged: datastore.received.matched += 1
                default: datastore.received.replaced += 1
                }
                if let guid = result.guid ?? write.change.guid, let fingerprint = write.change.fingerprint {
                    datastore.holds(guid, at: fingerprint)
                    datastore.claim(guid)
                }
            }
        } catch {
            logger.error("applying changes failed", metadata: ["datastore": "\(datastore.name)", "count": "\(batch.count)", "error": "\(error)"])
            datastore.received.rejected += batch.count
            datastore.unsettled.formUnion(batch.compactMap(\.change.luid))
            incoming.failedStatuses += batch.compactMap(\.statusIndex)
        }
    }

    /// Both sides changed the item since the device's last sync: `ConflictResolution` decides, this applies it.
    func resolveConflict(_ record: ReceivedRecord, luid: String?, guid: String, current: JournalEntry,
                         in datastore: DatastoreState, device: DeviceID) async throws -> StatusCode {
        incoming.discardResolved()
        datastore.received.conflicts += 1
        let serverPayload = try await store.payload(guid: guid, datastore: datastore.id)
        let serverType = try await store.item(guid: guid, datastore: datastore.id)?.type ?? record.type
        let decision = ConflictResolution.resolve(client: record, server: ServerVersion(type: serverType, payload: serverPayload, changed: current.time),
                                                  policy: datastore.conflictPolicy)
        switch decision {
        case .takeClient:
            _ = try await apply(record, .replace, luid: luid, guid: guid, in: datastore, device: device)
        case .keepServer:
            // The client's version is journaled (nothing is lost), then the server's is made current again.
            _ = try await apply(record, .replace, luid: luid, guid: guid, in: datastore, device: device, then: .restore(current.sequence))
            datastore.holds(guid, at: nil)
        case .merge(let merged):
            _ = try await apply(record, .replace, luid: luid, guid: guid, in: datastore, device: device, then: .merged(merged))
        case .duplicate:
            // The client's version becomes an item of its own; the server's goes to the client as an Add.
            if let luid { try await store.unmap(luid: luid, device: device, datastore: datastore.id) }
            let result = try await apply(record, .add, luid: luid, guid: nil, in: datastore, device: device)
            if let guid = result.guid { datastore.claim(guid) }
        }
        return decision.status
    }

    /// What the server writes in answer to a client's version, in the same transaction.
    enum ServerAnswer {
        /// The merge of both versions, journaled without a device so that every device receives it.
        case merged(ReceivedRecord)
        /// The server's version (this journal sequence) made current again.
        case restore(Int64)
    }

    /// The client's change, journaled as the device's, and the server's answer to
    /// it if any: both or neither (a merge half written would leave the client's
    /// version current, and the next sync would take it for settled).
    func apply(_ record: ReceivedRecord, _ operation: ChangeOperation, luid: String?, guid: String?,
                       in datastore: DatastoreState, device: DeviceID, then answer: ServerAnswer? = nil) async throws -> AppliedChange {
        incoming.discardResolved()
        let change = ItemChange(operation, luid: luid, guid: guid, type: record.type, payload: record.payload,
                                fingerprint: record.fingerprint, matchKeys: record.signature?.matchKey.indexKeys ?? [])
        var follow: ItemChange?, restore: Int64?
        switch answer {
        case .merged(let merged)?:
            follow = ItemChange(.replace, guid: guid, type: merged.type, payload: merged.payload, fingerprint: merged.fingerprint,
                                matchKeys: merged.signature?.matchKey.indexKeys ?? [])
        case .restore(let sequence)?:
            restore = sequence
        case nil:
            break
        }
        let (datastoreID, session, followUp, restoring) = (datastore.id, negotiation.storeSession, follow, restore)
        let result = try await store.atomically { store throws(StoreError) -> AppliedChange in
            let result = try store.apply([change], datastore: datastoreID, device: device, session: session)[0]
            if let followUp { _ = try store.apply([followUp], datastore: datastoreID, device: nil, session: session) }
            if let restoring, let guid = result.guid ?? guid {
                _ = try store.restore(guid: guid, datastore: datastoreID, toVersion: restoring, session: session)
            }
            return result
        }
        if let guid = result.guid ?? guid {
            datastore.holds(guid, at: record.fingerprint)
            datastore.claim(guid)
        }
        return result
    }

    func changedElsewhere(_ version: JournalEntry, in datastore: DatastoreState) -> Bool {
        version.sequence > datastore.acknowledged && version.device != negotiation.deviceID
    }
}
