import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

/// Selecting what the server sends: the journal's changes since the device's
/// acknowledgement (or everything live, in a slow sync) less what the client
/// already holds, withholds or confirmed before a suspension; a refresh from
/// the client deletes what it did not send.
extension ServerSession {
    /// When the client's sync package is complete: what the server sends back.
    func prepareOutgoing(_ datastore: DatastoreState) async throws {
        if datastore.defersKeys {
            // The client's items are all in: their keys go into the index now, sorted, so the next sync finds them ready.
            datastore.defersKeys = false
            do {
                try await store.indexPendingKeys(datastore: datastore.id)
            } catch {
                // Not lost: the journal keeps them, and the next reader of the index catches up.
                logger.warning("indexing deferred match keys failed", metadata: ["datastore": "\(datastore.name)", "error": "\(error)"])
            }
        }
        guard let deviceID = negotiation.deviceID else { return }
        await checkAlone(in: datastore)
        // What the session wrote could not be read back (`disown`): nothing is sent.
        guard !datastore.failed else { return }
        if let ownership = datastore.ownership {
            // A slow or refresh sync where every live item is one the client sent in this session, at the
            // version it holds: nothing to send, nothing to delete, no live item listed. Acknowledged through
            // the last check, which saw no one else's rows: a change after it reaches the device next time.
            datastore.outgoing.changes = []
            datastore.acknowledgeThrough = ownership.seen
            return
        }
        if datastore.mode == .refreshFromClient {
            // The client's data is the whole truth: what it did not send goes.
            let through = try await store.lastSequence(datastore: datastore.id)
            let live = try await store.liveItems(datastore: datastore.id)
            let gone = live.filter { !datastore.isClaimed($0.guid) }
            if let guardrail = configuration.massDeleteGuard, !datastore.forceDeletes, guardrail.holds(deleted: gone.count, of: live.count) {
                // A refresh from a client that lost its data would empty the datastore: kept.
                datastore.heldDeletes = gone.count
                logger.warning("mass delete held: refresh from client would delete", metadata: [
                    "device": "\(deviceURI)", "datastore": "\(datastore.name)", "deleted": "\(gone.count)", "of": "\(live.count)",
                ])
                // Nothing acknowledged: the kept records reach the client with its next two-way sync.
                datastore.acknowledgeThrough = nil
                return
            }
            if !gone.isEmpty {
                _ = try await store.apply(gone.map { ItemChange(.delete, guid: $0.guid, type: $0.type) }, datastore: datastore.id,
                                          device: deviceID, session: negotiation.storeSession)
            }
            datastore.acknowledgeThrough = max(through, try await store.lastSequence(datastore: datastore.id))
            return
        }
        guard datastore.mode.sendsServerChanges else { return }
        if datastore.mode.isFull {
            // The client holds only what it sent in this session: everything else is an Add.
            let through = try await store.lastSequence(datastore: datastore.id)
            var outgoing: [OutgoingChange] = []
            for item in try await store.liveItems(datastore: datastore.id, except: datastore.clientHas) {
                let luid = datastore.clientHas[item.guid] == nil ? nil : try await store.luid(forGUID: item.guid, device: deviceID, datastore: datastore.id)
                outgoing.append(OutgoingChange(sequence: item.version, guid: item.guid, luid: luid, operation: luid == nil ? .add : .replace,
                                               type: item.type, fingerprint: item.fingerprint))
            }
            datastore.outgoing.changes = outgoing
            datastore.acknowledgeThrough = through
        } else {
            let set = try await store.changes(for: deviceID, datastore: datastore.id, since: datastore.acknowledged, includePayloads: false)
            datastore.outgoing.changes = set.changes.compactMap { change in
                if let has = datastore.clientHas[change.guid], change.operation == .delete || has == change.fingerprint { return nil }
                // The device is addressed by its LUID: without one, a delete has nothing to name and a replace is an add.
                guard change.luid == nil else { return change }
                if change.operation == .delete { return nil }
                var add = change
                add.operation = .add
                return add
            }
            datastore.acknowledgeThrough = set.through
        }
        if !datastore.unsettled.isEmpty {
            let withheld = datastore.outgoing.changes.filter { $0.luid.map(datastore.unsettled.contains) ?? false }
            datastore.outgoing.changes.removeAll { $0.luid.map(datastore.unsettled.contains) ?? false }
            // Not sent, so not acknowledged: the next sync must still see them as the server's changes (a conflict).
            if let first = withheld.map(\.sequence).min(), let through = datastore.acknowledgeThrough {
                datastore.acknowledgeThrough = min(through, first - 1)
            }
        }
        if !datastore.confirmed.isEmpty {
            // A resumed session: what the client confirmed before the suspension is not sent again.
            datastore.outgoing.changes.removeAll { datastore.confirmed[$0.guid] == $0.sequence }
        }
    }
}
