import SyncMLCodec
import SyncMLRecords
import SyncMLProtocol
import SyncMLStore

/// Incoming (package 4): the server's changes applied to the host and
/// recorded in the mirror as the server's (large objects reassembled by
/// `LargeObjectAssembler`, a repeated Add found by its map or fingerprint),
/// the Maps that pair the server's GUIDs with the host's ids, and the
/// mass-delete guard on the server's deletes.
extension SyncClient {
    /// Applies the server's Syncs in `reply` to the host; returns their statuses.
    func receiveChanges(_ reply: SyncMLMessage) async throws -> [Command] {
        let msgRef = reply.header.msgID
        var out: [Command] = []
        for command in reply.commands {
            guard case .sync(let sync) = command else { continue }
            let target = sync.target?.locURI ?? ""
            guard let store = stores.first(where: { $0.localURI == target || $0.datastore.name == target || "./" + target == $0.localURI }) else {
                out.append(.status(Status(cmdID: "", msgRef: msgRef, cmdRef: sync.cmdID, cmd: "Sync", code: .notFound, targetRefs: [target])))
                continue
            }
            guard store.refused == nil else {
                // Not synced in this session (the server refused it, or the client refused its mode): nothing applied.
                out.append(.status(Status(cmdID: "", msgRef: msgRef, cmdRef: sync.cmdID, cmd: "Sync", code: Self.refusedMode, targetRefs: [target])))
                continue
            }
            out.append(.status(Status(cmdID: "", msgRef: msgRef, cmdRef: sync.cmdID, cmd: "Sync", code: .ok,
                                      targetRefs: [target], sourceRefs: sync.source.map { [$0.locURI] } ?? [])))
            for child in sync.commands {
                let (name, itemCommand): (String, ItemCommand)
                switch child {
                case .add(let c): (name, itemCommand) = ("Add", c)
                case .replace(let c): (name, itemCommand) = ("Replace", c)
                case .delete(let c): (name, itemCommand) = ("Delete", c)
                default:
                    if let cmdID = child.cmdID {
                        out.append(.status(Status(cmdID: "", msgRef: msgRef, cmdRef: cmdID, cmd: child.name, code: .optionalFeatureNotSupported)))
                    }
                    continue
                }
                for item in itemCommand.items {
                    budget.noteNews()
                    guard let code = await receive(item, name: name, command: itemCommand, into: store) else {
                        store.deferredDeletes.append(DeferredDelete(id: item.target?.locURI ?? "", msgRef: msgRef, cmdRef: itemCommand.cmdID,
                                                                    noResp: itemCommand.noResp, sourceRefs: item.source.map { [$0.locURI] } ?? []))
                        continue
                    }
                    if !itemCommand.noResp {
                        out.append(.status(Status(cmdID: "", msgRef: msgRef, cmdRef: itemCommand.cmdID, cmd: name, code: code,
                                                  targetRefs: item.target.map { [$0.locURI] } ?? [], sourceRefs: item.source.map { [$0.locURI] } ?? [])))
                    }
                }
                announce(SyncProgress(phase: .receiving, datastore: store.datastore.name,
                                      done: store.report.local.added + store.report.local.updated + store.report.local.deleted))
            }
        }
        return out
    }

    /// A server record new to the host: added, recorded, paired with its GUID.
    private func addReceived(_ data: [UInt8], type: String, pairing guid: String, in store: ClientDatastoreState) async throws -> StatusCode {
        let id = try await store.datastore.source.add(payload: data, type: type)
        try await recordReceived(data, type: type, id: id, pairing: guid, in: store)
        store.report.local.added += 1
        return .itemAdded
    }

    /// The server's version of host record `id`, recorded in the mirror as the
    /// server's (and as agreed, for a resume); paired with the server's `guid` when given.
    private func recordReceived(_ data: [UInt8], type: String, id: String, pairing guid: String?, in store: ClientDatastoreState) async throws {
        store.confirmed[id] = try await tracker.record(.replace, id: id, type: type, payload: data, in: store.mirror, session: run.storeSession)
        store.touched.insert(id)
        if let guid {
            store.maps.pair(guid, id)
        }
    }

    /// A host record with the fingerprint of `data` that no server item of this
    /// session claimed yet (the server pairs equal fingerprints the same way).
    private func sameRecord(as data: [UInt8], type: String, in store: ClientDatastoreState) async throws -> String? {
        let fingerprint = ChangeTracker.fingerprint(type: type, payload: data)
        let claimed = store.touched.union(store.maps.known.values)
        return try await journal.items(withFingerprint: fingerprint, datastore: store.mirror).first { !claimed.contains($0.guid) }?.guid
    }

    /// One server item applied to the host and recorded in the mirror as the server's change;
    /// nil for a delete of a host record while the mass-delete guard is on (`settleServerDeletes` decides).
    private func receive(_ item: Item, name: String, command: ItemCommand, into store: ClientDatastoreState) async -> StatusCode? {
        guard store.performed != .oneWayFromClient, store.performed != .refreshFromClient else { return .commandNotAllowed }
        var type = (item.meta?.type ?? command.meta?.type ?? store.datastore.type).lowercased()
        var format = item.meta?.format ?? command.meta?.format
        var data: [UInt8] = []
        if case .bytes(let bytes)? = item.data { data = Array(bytes) }
        let guid = item.source?.locURI ?? ""
        // Large objects (DS 1.2 §6.2.4): collected up to the client's own MaxObjSize.
        if item.moreData || store.incoming.isUnderWay {
            switch store.incoming.take(data, source: guid, moreData: item.moreData, declaredSize: item.meta?.size ?? command.meta?.size,
                                       type: type, format: format, maxObjectSize: configuration.maxObjectSize) {
            case .accepted: return .chunkedItemAccepted
            case .refused(let code): return code
            case .complete(let bytes, let firstType, let firstFormat): (data, type, format) = (bytes, firstType ?? type, firstFormat)
            }
        }
        if format?.lowercased() == "b64", let decoded = try? SIF.decodeBase64(data) {
            data = decoded
            format = nil
        }
        let source = store.datastore.source
        do {
            switch name {
            case "Add":
                if let id = store.maps.known[guid], let known = try await journal.item(guid: id, datastore: store.mirror), !known.deleted {
                    // Sent again: its status or its Map never reached the server (an interrupted sync). The host has it.
                    try await source.update(id: id, payload: data, type: type)
                    try await recordReceived(data, type: type, id: id, pairing: nil, in: store)
                    return .itemAdded
                }
                if let id = try await sameRecord(as: data, type: type, in: store) {
                    // The host already holds this very record (equal fingerprints), unpaired: it is mapped, not added twice.
                    try await recordReceived(data, type: type, id: id, pairing: guid, in: store)
                    return .itemAdded
                }
                return try await addReceived(data, type: type, pairing: guid, in: store)
            case "Replace":
                let id = item.target?.locURI ?? ""
                if !id.isEmpty, let known = try await journal.item(guid: id, datastore: store.mirror), !known.deleted {
                    try await source.update(id: id, payload: data, type: type)
                    try await recordReceived(data, type: type, id: id, pairing: nil, in: store)
                    store.report.local.updated += 1
                    return .ok
                }
                // An item the host no longer has (or never had): it comes back as a new record.
                return try await addReceived(data, type: type, pairing: guid, in: store)
            default:
                let id = item.target?.locURI ?? ""
                guard !id.isEmpty, let known = try await journal.item(guid: id, datastore: store.mirror), !known.deleted else { return .itemNotDeleted }
                if guardsServerDeletes { return nil }
                try await deleteReceived(id, type: known.type, in: store)
                return .ok
            }
        } catch {
            store.report.rejected += 1
            return .commandFailed
        }
    }

    private func deleteReceived(_ id: String, type: String, in store: ClientDatastoreState) async throws {
        try await store.datastore.source.delete(id: id)
        store.confirmed[id] = .some(try await tracker.record(.delete, id: id, type: type, payload: [], in: store.mirror, session: run.storeSession))
        store.report.local.deleted += 1
    }

    /// Whether the server's deletes wait for the mass-delete guard.
    private var guardsServerDeletes: Bool { configuration.massDeleteGuard != nil && !run.forceDeletes }

    /// The status a held server delete gets: 503 Service Unavailable, a temporary
    /// condition on the recipient's side. Not a success (which would acknowledge
    /// the delete as done) and not a 4xx (which blames the server's command, so a
    /// server could drop it): a correct server keeps it and sends it again, and a
    /// forced sync then applies it.
    static let heldDeleteStatus = StatusCode.serviceUnavailable

    /// The server's deletes of this session, once all its changes are in: held
    /// when they would remove more than the guard's share of a datastore (the
    /// records stay on the host and in the mirror, unchanged, so they are neither
    /// deleted nor sent back as new), else applied. Returns their statuses.
    func settleServerDeletes() async throws -> [Command] {
        var out: [Command] = []
        for store in stores where !store.deferredDeletes.isEmpty {
            let deletes = store.deferredDeletes
            store.deferredDeletes = []
            let distinct = Set(deletes.map(\.id)).count
            let held = try await holdsMassDelete(distinct, of: store)
            if held { store.report.heldServerDeletes += distinct }
            for delete in deletes {
                var code = Self.heldDeleteStatus
                if !held {
                    do {
                        if let known = try await journal.item(guid: delete.id, datastore: store.mirror), !known.deleted {
                            try await deleteReceived(delete.id, type: known.type, in: store)
                            code = .ok
                        } else {
                            code = .itemNotDeleted
                        }
                    } catch {
                        store.report.rejected += 1
                        code = .commandFailed
                    }
                }
                if !delete.noResp {
                    out.append(.status(Status(cmdID: "", msgRef: delete.msgRef, cmdRef: delete.cmdRef, cmd: "Delete", code: code,
                                              targetRefs: [delete.id], sourceRefs: delete.sourceRefs)))
                }
            }
        }
        return out
    }

    // MARK: Maps

    /// The maps of `sent` (per datastore) that `reply` confirmed are no longer pending.
    func confirmMaps(sent: [[String: String]], in reply: SyncMLMessage) {
        for (store, sent) in zip(stores, sent) where !sent.isEmpty && mapAccepted(in: reply, for: store) {
            store.maps.confirm(sent)
        }
    }

    /// Whether `reply` answers the datastore's Map with success.
    func mapAccepted(in reply: SyncMLMessage, for store: ClientDatastoreState) -> Bool {
        let status = reply.statuses.first { $0.cmd == "Map" && ($0.sourceRefs.first == store.localURI || $0.targetRefs.first == store.datastore.remoteURI) }
        return status.map { (200...299).contains($0.code.rawValue) } ?? false
    }

    /// A Map per datastore with maps the server has not confirmed.
    func mapCommands(_ stores: [ClientDatastoreState]) -> [Command] {
        stores.filter { $0.refused == nil && !$0.maps.pending.isEmpty }.map { store in
            .map(Map(cmdID: "", target: Location(store.datastore.remoteURI), source: Location(store.localURI), items: store.maps.items))
        }
    }
}
