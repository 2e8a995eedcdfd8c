import SyncMLCodec
import SyncMLRecords
import SyncMLProtocol
import SyncMLStore

/// Outgoing (package 3): the host's changes as `ChangeTracker` found them in
/// the mirror, what the granted mode sends of them (the mass-delete guard on
/// the host's deletes), packed to the server's MaxMsgSize by `MessagePacker`,
/// and the server's statuses for them counted.
extension SyncClient {
    /// What a datastore sends once the server granted its mode.
    func prepareOutgoing(_ store: ClientDatastoreState) async throws {
        switch store.performed {
        case .oneWayFromServer, .refreshFromServer:
            store.outgoing.changes = []
        case .slow, .refreshFromClient:
            let firstTime = try await journal.deviceState(tracker.server, datastore: store.mirror).lastAnchor == nil
            if store.resumed {
                // Listed whole, to leave out what the server confirmed before the suspension (below).
                store.outgoing.changes = try await journal.liveItems(datastore: store.mirror).map { $0.outgoing(firstTime: firstTime) }
            } else {
                store.pages = LivePages(firstTime: firstTime, total: try await journal.liveCount(datastore: store.mirror))
                store.outgoing = OutgoingQueue()
                store.outgoing.morePages = true
            }
        case .twoWay, .oneWayFromClient:
            store.outgoing.changes = try await journal.changes(for: tracker.server, datastore: store.mirror, includePayloads: false).changes
        }
        let deletes = store.outgoing.changes.filter { $0.operation == .delete }
        // Counted only when enough deletes came to matter: a count reads the whole mirror.
        if !run.forceDeletes, let guardrail = configuration.massDeleteGuard, deletes.count >= guardrail.minimum,
           guardrail.holds(deleted: deletes.count, of: try await journal.liveCount(datastore: store.mirror) + deletes.count) {
            store.outgoing.changes.removeAll { $0.operation == .delete }
            store.heldFrom = deletes.map(\.sequence).min()
            store.report.heldDeletes = deletes.count
        }
        if store.resumed {
            // Confirmed by the server before the suspension, and unchanged since: not sent again.
            store.outgoing.changes.removeAll { change in store.confirmed[change.guid].map { $0 == change.fingerprint } ?? false }
        }
    }

    /// Adds the client's changes to `commands` as far as the server's MaxMsgSize
    /// allows (`MessagePacker`). True when everything has been sent.
    func fillChanges(into commands: inout [Command]) async throws -> Bool {
        // What the statuses take, estimated: the client's messages are encoded once, when sent.
        var packer = MessagePacker(limit: min(exchange.serverMaxMessageSize, configuration.maxMessageSize), used: 1024 + commands.count * 160,
                                   rules: .client)
        for store in stores where store.refused == nil {
            guard !packer.isFull else { break }
            guard !store.outgoing.started || store.outgoing.hasMore else { continue }
            let expected = store.pages?.total ?? store.outgoing.changes.count
            let numberOfChanges = store.outgoing.started ? nil : expected
            store.outgoing.started = true
            packer.openSync()
            var queue = store.outgoing
            var items: [Command] = []
            while true {
                if queue.partial == nil, queue.pageTaken, queue.morePages { try await turnPage(&queue, of: store) }
                items += try await packer.fill(&queue) { change in
                    try await outgoingPayload(change, in: store)
                } command: { change, payload, piece in
                    itemCommand(change, store: store, payload: payload, piece: piece)
                }
                // The page ran out with room left in the message: the next page fills on.
                guard !packer.isFull, queue.partial == nil, queue.pageTaken, queue.morePages else { break }
            }
            store.outgoing = queue
            commands.append(.sync(Sync(cmdID: "", target: Location(store.datastore.remoteURI), source: Location(store.localURI),
                                       numberOfChanges: numberOfChanges, commands: items)))
            announce(SyncProgress(phase: .sending, datastore: store.datastore.name, done: store.outgoing.position, expected: expected))
        }
        return !packer.isFull && !stores.contains { $0.refused == nil && $0.outgoing.hasMore }
    }

    /// The next page of a slow sync's changes, read from the mirror in place of the one taken.
    private func turnPage(_ queue: inout OutgoingQueue<OutgoingChange>, of store: ClientDatastoreState) async throws {
        guard let pages = store.pages else { return queue.turnPage([], more: false) }
        let size = max(1, configuration.scanBatchSize)
        let items = try await journal.liveItems(datastore: store.mirror, after: pages.after, limit: size)
        store.pages?.after = items.last?.guid ?? pages.after
        queue.turnPage(items.map { $0.outgoing(firstTime: pages.firstTime) }, more: items.count == size)
    }

    /// What `change` goes as: the mirror's payload, SIF in base64; nil when the record is gone from the mirror.
    private func outgoingPayload(_ change: OutgoingChange, in store: ClientDatastoreState) async throws -> OutgoingPayload? {
        guard change.operation != .delete else { return OutgoingPayload(type: change.type) }
        guard let payload = try await journal.payload(guid: change.guid, datastore: store.mirror) else { return nil }
        guard SIFKind(mimeType: change.type) != nil else { return OutgoingPayload(type: change.type, data: payload) }
        return OutgoingPayload(type: change.type, format: "b64", data: SIF.encodeBase64(payload))
    }

    private func itemCommand(_ change: OutgoingChange, store: ClientDatastoreState, payload: OutgoingPayload, piece: OutgoingPiece) -> Command {
        let placeholder = sentItems.placeholder(for: SentItem(store: store, change: change))
        let item = Item(source: Location(change.guid), meta: piece.size.map { Meta(size: $0) },
                        data: change.operation == .delete ? nil : .bytes(piece.data), moreData: piece.moreData)
        let command = ItemCommand(cmdID: placeholder, meta: Meta(format: payload.format, type: payload.type), items: [item])
        switch change.operation {
        case .add: return .add(command)
        case .replace: return .replace(command)
        case .delete: return .delete(command)
        }
    }

    /// The server's status for one of our item commands: counted in the
    /// report, and kept as agreed (for a resume) unless the server refused it.
    func take(_ status: Status) {
        guard let sent = sentItems.answer(status) else { return }
        budget.noteNews()
        let code = status.code.rawValue
        switch code {
        case 213:
            return
        case 200...299, 418:
            sent.store.confirmed[sent.change.guid] = sent.change.fingerprint
            switch sent.change.operation {
            case .add: sent.store.report.remote.added += 1
            case .replace: sent.store.report.remote.updated += 1
            case .delete: sent.store.report.remote.deleted += 1
            }
            let conflict: String? = switch code {
            case 207: "merged"
            case 208: "client won"
            case 209: "duplicated"
            default: nil
            }
            if let conflict { sent.store.report.conflicts[conflict, default: 0] += 1 }
        case 419:
            sent.store.confirmed[sent.change.guid] = sent.change.fingerprint
            sent.store.report.conflicts["server won", default: 0] += 1
        case 211 where sent.change.operation == .delete:
            sent.store.confirmed[sent.change.guid] = sent.change.fingerprint // already gone on the server
        default:
            sent.store.serverRejected += 1
        }
    }
}

extension StoredItem {
    /// A slow sync's change for this item: an Add the first time, else a Replace.
    fileprivate func outgoing(firstTime: Bool) -> OutgoingChange {
        OutgoingChange(sequence: version, guid: guid, operation: firstTime ? .add : .replace, type: type, fingerprint: fingerprint)
    }
}
