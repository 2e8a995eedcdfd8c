import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

/// Packing what was selected: each change read, converted to the client's
/// format (`ItemFormat`), and placed in Sync commands as far as the client's
/// MaxMsgSize allows (SyncMLProtocol's `MessagePacker`, large objects in chunks).
extension ServerSession {
    /// Adds the server's changes to `reply` as far as the client's MaxMsgSize
    /// allows (`MessagePacker`, measured in the session's encoding). True when everything has been sent.
    func fillChanges(into reply: inout ReplyBuilder) async -> Bool {
        // What the statuses already take, measured, plus the header's room to grow.
        var packer = MessagePacker(limit: min(conversation.clientMaxMessageSize, configuration.maxMessageSize),
                                   used: reply.encodedSize(as: conversation.encoding) + 512, rules: .server)
        let msgID = reply.header.msgID
        let positionsBefore = datastores.map(\.outgoing.next)
        var placed = 0
        for datastore in datastores where !datastore.failed {
            guard !packer.isFull else { break }
            guard !datastore.outgoing.started || datastore.outgoing.hasMore else { continue }
            let numberOfChanges = datastore.outgoing.started || conversation.version < .v1_1 ? nil : datastore.outgoing.changes.count
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
        guard outgoing.stalls.record(progressed: !stalled) else { return done }
        logger.error("sending changes stopped: no room in the client's messages", metadata: [
            "device": "\(deviceURI)", "messages": "\(outgoing.stalls.count)", "max_msg_size": "\(conversation.clientMaxMessageSize)",
        ])
        for datastore in datastores where datastore.outgoing.hasMore { datastore.failed = true }
        return true
    }

    /// What `change` goes as, in the format the client prefers; nil skips it: deleted meanwhile (the next
    /// sync sends the delete), larger than the client's MaxObjSize, or unreadable (the store failed: the
    /// datastore fails, so its anchors are not saved and the next sync sends it again).
    private func outgoingPayload(_ change: OutgoingChange, in datastore: DatastoreState) async -> OutgoingPayload? {
        guard change.operation != .delete else { return OutgoingPayload(type: change.type) }
        let stored: [UInt8]
        do {
            guard let found = try await store.payload(guid: change.guid, datastore: datastore.id) else { return nil }
            stored = found
        } catch {
            logger.error("reading an item to send failed", metadata: ["datastore": "\(datastore.name)", "guid": "\(change.guid)", "error": "\(error)"])
            datastore.failed = true
            return nil
        }
        let format = ItemFormat.preferred(by: negotiation.clientDevInf, for: datastore, storedType: change.type)
        let payload = format.encode(storedType: change.type, payload: stored)
        if let maxObject = conversation.clientMaxObjectSize, payload.data.count > maxObject {
            // The client announced it cannot take an object this large, in one message or in chunks.
            logger.warning("item larger than the client's MaxObjSize skipped", metadata: [
                "guid": "\(change.guid)", "bytes": "\(payload.data.count)", "max_obj_size": "\(maxObject)",
            ])
            datastore.failures += 1
            return nil
        }
        return payload
    }

    private func count(_ change: OutgoingChange, in datastore: DatastoreState) {
        switch change.operation {
        case .add: datastore.sent.added += 1
        case .replace: datastore.sent.replaced += 1
        case .delete: datastore.sent.deleted += 1
        }
    }

    private func itemCommand(for change: OutgoingChange, payload: OutgoingPayload, piece: OutgoingPiece, cmdID: String, msgID: String,
                             datastore: DatastoreState) -> Command {
        outgoing.sentItems.expect(SentItem(datastore: datastore, guid: change.guid, sequence: change.sequence), msgID: msgID, cmdID: cmdID)
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
}
