import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

extension ServerSession {
    /// When the client's sync package is complete: what the server sends back.
    func prepareOutgoing(_ datastore: DatastoreState) async throws {
        guard let deviceID else { return }
        if datastore.mode == .refreshFromClient {
            // The client's data is the whole truth: what it did not send goes.
            let through = try await store.lastSequence(datastore: datastore.id)
            let live = try await store.liveItems(datastore: datastore.id)
            let gone = live.filter { !datastore.claimed.contains($0.guid) }
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
                                          device: deviceID, session: storeSession)
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

    /// Adds the server's changes to `reply` as far as the client's MaxMsgSize
    /// allows (`MessagePacker`, measured in the session's encoding). True when everything has been sent.
    func fillChanges(into reply: inout ReplyBuilder) async -> Bool {
        // What the statuses already take, measured, plus the header's room to grow.
        var packer = MessagePacker(limit: min(clientMaxMessageSize, configuration.maxMessageSize),
                                   used: reply.message.encoded(as: encoding).count + 512, rules: .server)
        let msgID = reply.header.msgID
        let positionsBefore = datastores.map(\.outgoing.next)
        var placed = 0
        for datastore in datastores where !datastore.failed {
            guard !packer.isFull else { break }
            guard !datastore.outgoing.started || datastore.outgoing.hasMore else { continue }
            let numberOfChanges = datastore.outgoing.started || version < .v1_1 ? nil : datastore.outgoing.changes.count
            datastore.outgoing.started = true
            packer.openSync()
            var queue = datastore.outgoing
            let commands = await packer.fill(&queue) { change in
                await outgoingPayload(change, in: datastore)
            } command: { change, payload, piece in
                if piece.isFirst { count(change, in: datastore) }
                return itemCommand(for: change, payload: payload, piece: piece, cmdID: reply.nextCmdID(), msgID: msgID, datastore: datastore)
            }
            datastore.outgoing = queue
            placed += commands.count
            let sync = Sync(cmdID: reply.nextCmdID(), target: Location(datastore.clientURI), source: Location(datastore.serverURI),
                            numberOfChanges: numberOfChanges, commands: commands)
            reply.append(.sync(sync))
        }
        let done = !packer.isFull && !datastores.contains { !$0.failed && $0.outgoing.hasMore }
        // Nothing fitted: the client's own statuses filled its MaxMsgSize. That passes once its answers get
        // shorter; a client that keeps it so would be sent empty messages without end, so it ends here.
        let stalled = !done && placed == 0 && datastores.map(\.outgoing.next) == positionsBefore
        guard outgoingStalls.record(progressed: !stalled) else { return done }
        logger.error("sending changes stopped: no room in the client's messages", metadata: [
            "device": "\(deviceURI)", "messages": "\(outgoingStalls.count)", "max_msg_size": "\(clientMaxMessageSize)",
        ])
        for datastore in datastores where datastore.outgoing.hasMore { datastore.failed = true }
        return true
    }

    /// What `change` goes as, in the format the client prefers; nil skips it: deleted meanwhile (the next
    /// sync sends the delete), or larger than the client's MaxObjSize.
    private func outgoingPayload(_ change: OutgoingChange, in datastore: DatastoreState) async -> OutgoingPayload? {
        guard change.operation != .delete else { return OutgoingPayload(type: change.type) }
        guard let stored = try? await store.payload(guid: change.guid, datastore: datastore.id) else { return nil }
        let payload = outgoingFormat(for: datastore, storedType: change.type).encode(storedType: change.type, payload: stored)
        if let maxObject = clientMaxObjectSize, payload.data.count > maxObject {
            // The client announced it cannot take an object this large, in one message or in chunks.
            logger.warning("item larger than the client's MaxObjSize skipped", metadata: [
                "guid": "\(change.guid)", "bytes": "\(payload.data.count)", "max_obj_size": "\(maxObject)",
            ])
            datastore.failures += 1
            return nil
        }
        return payload
    }

    /// Messages in a row that may go out without a change in them before the server gives up.
    static let maxOutgoingStalls = 4

    private func count(_ change: OutgoingChange, in datastore: DatastoreState) {
        switch change.operation {
        case .add: datastore.sent.added += 1
        case .replace: datastore.sent.replaced += 1
        case .delete: datastore.sent.deleted += 1
        }
    }

    private func itemCommand(for change: OutgoingChange, payload: OutgoingPayload, piece: OutgoingPiece, cmdID: String, msgID: String,
                             datastore: DatastoreState) -> Command {
        sentItems.expect(SentItem(datastore: datastore, guid: change.guid, sequence: change.sequence), msgID: msgID, cmdID: cmdID)
        let meta = Meta(format: payload.format, type: payload.type)
        let size = piece.size.map { Meta(size: $0) }
        switch change.operation {
        case .add:
            let item = Item(source: Location(change.guid), meta: size, data: .bytes(piece.data), moreData: piece.moreData)
            return .add(ItemCommand(cmdID: cmdID, meta: meta, items: [item]))
        case .replace:
            let item = Item(target: change.luid.map { Location($0) }, source: Location(change.guid), meta: size,
                            data: .bytes(piece.data), moreData: piece.moreData)
            return .replace(ItemCommand(cmdID: cmdID, meta: meta, items: [item]))
        case .delete:
            let item = Item(target: change.luid.map { Location($0) }, source: Location(change.guid))
            return .delete(ItemCommand(cmdID: cmdID, meta: Meta(type: payload.type), items: [item]))
        }
    }

    /// The format a client gets for a datastore: what its DevInf prefers to
    /// receive, if the server can write it; else the type it sent in; else as stored.
    func outgoingFormat(for datastore: DatastoreState, storedType: String) -> ItemFormat {
        let offered = ItemFormat.offered(by: datastore.name)
        func supported(_ type: ContentTypeVersion?) -> ItemFormat? {
            guard let type else { return nil }
            let lowered = type.type.lowercased()
            return offered.first { $0.type == lowered && (type.version == nil || $0.version == type.version) }
                ?? offered.first { $0.type == lowered }
        }
        if let info = clientDevInf {
            let uri = Self.normalized(datastore.clientURI)
            if let store = info.dataStores.first(where: { Self.normalized($0.sourceRef) == uri }) {
                if let format = supported(store.rxPref) { return format }
                for type in store.rx { if let format = supported(type) { return format } }
            }
        }
        if let type = datastore.clientItemType, let format = offered.first(where: { $0.type == type }) { return format }
        return offered.first { $0.type == storedType } ?? ItemFormat(type: storedType, version: nil)
    }

    static func normalized(_ uri: String) -> String {
        var text = Substring(uri.lowercased())
        while text.hasPrefix("./") { text = text.dropFirst(2) }
        return String(text)
    }
}
