import Foundation
import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLRecords
import SyncMLStore

/// The client's changes (Sync with Add/Replace/Delete, in Atomic or Sequence
/// too): large objects reassembled (SyncMLProtocol's `LargeObjectAssembler`),
/// each item refused, matched or written, and a status for each.
extension ServerSession {
    /// The client's changes for one datastore.
    func receive(_ sync: Sync, msgID: String, reply: inout ReplyBuilder) async {
        let targetRefs = sync.target.map { [$0.locURI] } ?? []
        let sourceRefs = sync.source.map { [$0.locURI] } ?? []
        guard let datastore = datastore(forURI: sync.target?.locURI) else {
            reply.status(msgRef: msgID, cmdRef: sync.cmdID, cmd: "Sync", code: .notFound, targetRefs: targetRefs, sourceRefs: sourceRefs)
            return
        }
        if !sync.noResp {
            reply.status(msgRef: msgID, cmdRef: sync.cmdID, cmd: "Sync", code: .ok, targetRefs: targetRefs, sourceRefs: sourceRefs)
        }
        await checkAlone(in: datastore)
        prepare(sync.commands, in: datastore)
        for command in sync.commands {
            await receive(command, in: datastore, msgID: msgID, reply: &reply)
        }
        incoming.endSync()
        await flushPendingWrites()
        for index in incoming.failedStatuses { reply.setCode(.commandFailed, at: index) }
        incoming.failedStatuses = []
    }

    private func receive(_ command: Command, in datastore: DatastoreState, msgID: String, reply: inout ReplyBuilder) async {
        switch command {
        case .add(let c): await receive(c, .add, name: "Add", in: datastore, msgID: msgID, reply: &reply)
        case .replace(let c): await receive(c, .replace, name: "Replace", in: datastore, msgID: msgID, reply: &reply)
        case .delete(let c): await receive(c, .delete, name: "Delete", in: datastore, msgID: msgID, reply: &reply)
        case .atomic(let group), .sequence(let group):
            if !group.noResp { reply.status(msgRef: msgID, cmdRef: group.cmdID, cmd: command.name, code: .ok) }
            for inner in group.commands { await receive(inner, in: datastore, msgID: msgID, reply: &reply) }
        default:
            if let cmdID = command.cmdID {
                reply.status(msgRef: msgID, cmdRef: cmdID, cmd: command.name, code: .optionalFeatureNotSupported)
            }
        }
    }

    private func receive(_ command: ItemCommand, _ operation: ChangeOperation, name: String, in datastore: DatastoreState,
                         msgID: String, reply: inout ReplyBuilder) async {
        for item in command.items {
            let position = incoming.nextPosition
            incoming.nextPosition += 1
            let pendingBefore = incoming.pendingWrites.count
            let code = await receive(item, at: position, of: command, operation, in: datastore)
            incoming.handled(position)
            var index: Int?
            if !command.noResp {
                index = reply.status(msgRef: msgID, cmdRef: command.cmdID, cmd: name, code: code,
                                     targetRefs: item.target.map { [$0.locURI] } ?? [], sourceRefs: item.source.map { [$0.locURI] } ?? [])
            }
            // A write left pending for the batch: its status is patched if the batch fails.
            if incoming.pendingWrites.count > pendingBefore { incoming.setLastPendingStatus(index) }
        }
    }

    /// Parses ahead the Sync's plain Add and Replace items (typed, whole, not too
    /// large, records), up to the first chunk of a large object: their store lookups
    /// are then made in one call (`resolution(at:)`). Positions count every item of
    /// the Sync in the order it is received; the others are parsed in their turn.
    private func prepare(_ commands: [Command], in datastore: DatastoreState) {
        guard datastore.mode.acceptsClientChanges, !datastore.largeObject.isUnderWay else { return }
        var position = 0
        func walk(_ commands: [Command]) -> Bool {
            for command in commands {
                switch command {
                case .add(let c), .replace(let c):
                    for item in c.items {
                        guard !item.moreData else { return false }
                        prepare(item, of: c, at: position)
                        position += 1
                    }
                case .delete(let c):
                    guard !c.items.contains(where: \.moreData) else { return false }
                    position += c.items.count
                case .atomic(let group), .sequence(let group):
                    guard walk(group.commands) else { return false }
                default:
                    break
                }
            }
            return true
        }
        _ = walk(commands)
    }

    private func prepare(_ item: Item, of command: ItemCommand, at position: Int) {
        guard let type = item.meta?.type ?? command.meta?.type, case .bytes(let bytes)? = item.data, !bytes.isEmpty,
              bytes.count <= configuration.maxObjectSize else { return }
        let record = ReceivedRecord(type: type, format: item.meta?.format ?? command.meta?.format, data: Array(bytes))
        guard !record.isNotARecord else { return }
        incoming.prepared[position] = PreparedItem(record: record, luid: item.source?.locURI, named: item.target?.locURI)
        incoming.preparedPositions.append(position)
    }

    /// One item: reassembled if chunked, then applied. Returns its status.
    private func receive(_ item: Item, at position: Int, of command: ItemCommand, _ operation: ChangeOperation,
                         in datastore: DatastoreState) async -> StatusCode {
        guard datastore.mode.acceptsClientChanges else { return .commandNotAllowed }
        guard let deviceID = negotiation.deviceID else { return .invalidCredentials }
        let luid = item.source?.locURI ?? (operation == .delete ? item.target?.locURI : nil)
        let named = operation == .delete ? nil : item.target?.locURI
        var type = item.meta?.type ?? command.meta?.type
        var format = item.meta?.format ?? command.meta?.format
        // A slice of the request: copied only into what is kept (a chunk, a record not prepared).
        var data: ArraySlice<UInt8> = []
        if case .bytes(let bytes)? = item.data { data = bytes }

        // Large objects (DS 1.2 §6.2.4): collect chunks until one comes without MoreData.
        if item.moreData || datastore.largeObject.isUnderWay {
            switch datastore.largeObject.take(Array(data), source: luid ?? "", moreData: item.moreData,
                                              declaredSize: item.meta?.size ?? command.meta?.size,
                                              type: type, format: format, maxObjectSize: configuration.maxObjectSize) {
            case .accepted: return .chunkedItemAccepted
            case .refused(let code): return code
            case .complete(let bytes, let firstType, let firstFormat): (data, type, format) = (bytes[...], firstType, firstFormat)
            }
        }

        if data.count > configuration.maxObjectSize { return .requestEntityTooLarge }

        do {
            switch operation {
            case .delete:
                guard let luid else { return .badRequest }
                return try await delete(luid: luid, in: datastore, device: deviceID)
            case .add, .replace:
                guard !data.isEmpty else { return .badRequest }
                let record = incoming.prepared[position]?.record
                    ?? ReceivedRecord(type: type ?? datastore.clientItemType, format: format, data: Array(data))
                guard !record.isNotARecord else {
                    // Declared a vCard, calendar or SIF document but not one at all: refused, so that nothing
                    // unreadable replaces a record. (A record that parses only in part is kept as sent.)
                    logger.notice("item refused: not a record of its type", metadata: ["datastore": "\(datastore.name)", "luid": "\(luid ?? "-")",
                                                                                   "type": "\(record.type)"])
                    return .unsupportedMediaType
                }
                datastore.clientItemType = record.type
                return try await write(record, at: position, luid: luid, named: named, operation, in: datastore, device: deviceID)
            }
        } catch {
            logger.error("applying a change failed", metadata: ["datastore": "\(datastore.name)", "luid": "\(luid ?? "-")", "error": "\(error)"])
            datastore.received.rejected += 1
            if let luid { datastore.unsettled.insert(luid) }
            return .commandFailed
        }
    }

    // MARK: Applying

    private func delete(luid: String, in datastore: DatastoreState, device: DeviceID) async throws -> StatusCode {
        await flushPendingWrites()
        incoming.discardResolved()
        if case .keepServer = ConflictResolution.resolveDelete(policy: datastore.conflictPolicy),
           let guid = try await store.guid(forLUID: luid, device: device, datastore: datastore.id),
           let current = try await store.currentVersion(guid: guid, datastore: datastore.id),
           changedElsewhere(current, in: datastore), current.operation != .delete {
            // The client deleted what another device edited since: the edit stays and the
            // item goes back to the client as an Add (its LUID is forgotten).
            try await store.unmap(luid: luid, device: device, datastore: datastore.id)
            datastore.received.conflicts += 1
            return .ok
        }
        let result = try await store.apply([ItemChange(.delete, luid: luid, type: "")], datastore: datastore.id,
                                           device: device, session: negotiation.storeSession)[0]
        if result.sequence != nil { datastore.wrote(1) }
        switch result.outcome {
        case .deleted:
            datastore.received.deleted += 1
            return .ok
        case .notFound:
            return .itemNotDeleted
        default:
            return .ok
        }
    }

    private func write(_ record: ReceivedRecord, at position: Int, luid: String?, named: String?, _ operation: ChangeOperation,
                       in datastore: DatastoreState, device: DeviceID) async throws -> StatusCode {
        let success: StatusCode = operation == .add ? .itemAdded : .ok
        if let luid, incoming.isPending(luid: luid) { await flushPendingWrites() }
        let resolution = try await resolution(at: position, of: record, luid: luid, named: named, in: datastore, device: device)
        if let guid = resolution.known?.guid {
            // A known item: a change, or the echo of one (an Add of a LUID already mapped).
            if !datastore.mode.isFull, let current = resolution.current,
               changedElsewhere(current, in: datastore), current.fingerprint != record.fingerprint {
                await flushPendingWrites()
                return try await resolveConflict(record, luid: luid, guid: guid, current: current, in: datastore, device: device)
            }
            enqueue(record, .replace, luid: luid, guid: guid, lookup: resolution.lookup, in: datastore)
            return success
        }
        // An item the server does not know by this LUID: add, or pair with what it holds.
        switch try await findMatch(for: record, resolution, in: datastore, device: device) {
        case .same(let guid):
            enqueue(record, .replace, luid: luid, guid: guid, in: datastore)
            return success
        case .similar(let guid, let server):
            await flushPendingWrites()
            let merged = ConflictResolution.merged(record, server).flatMap { $0.fingerprint != record.fingerprint ? $0 : nil }
            _ = try await apply(record, .replace, luid: luid, guid: guid, in: datastore, device: device, then: merged.map { .merged($0) })
            datastore.received.matched += 1
            return merged == nil ? success : .conflictResolvedWithMerge
        case nil:
            // Nothing has this LUID (looked up above, after flushing a batch that held it): a new item.
            enqueue(record, .add, luid: luid, guid: nil, lookup: resolution.lookup, in: datastore)
            return .itemAdded
        }
    }

    /// What the store knows of the item at `position`: answered ahead when the item
    /// was prepared and nothing was written since; else asked now, in one call, for
    /// this item and as many prepared ones after it as `IncomingState.resolvesAhead`
    /// says (the whole Sync unless writes kept discarding what was asked ahead).
    private func resolution(at position: Int, of record: ReceivedRecord, luid: String?, named: String?,
                            in datastore: DatastoreState, device: DeviceID) async throws -> Resolution {
        if incoming.prepared[position] != nil, let resolution = incoming.takeResolved(at: position) { return resolution }
        let (positions, answered) = (incoming.preparedPositions, incoming.resolved)
        var first = positions.endIndex, low = positions.startIndex
        while low < first {
            let middle = (low + first) / 2
            if positions[middle] > position { first = middle } else { low = middle + 1 }
        }
        let ahead = Array(positions[first...].lazy.filter { answered[$0] == nil }.prefix(incoming.resolvesAhead))
        var keys = [incomingKey(record, luid: luid, named: named, in: datastore)]
        for later in ahead {
            let item = incoming.prepared[later]!
            keys.append(incomingKey(item.record, luid: item.luid, named: item.named, in: datastore))
        }
        let resolutions = try await store.resolve(keys, datastore: datastore.id, device: device, deferringNewKeys: datastore.defersKeys)
        incoming.keep(ahead, resolutions.dropFirst())
        return resolutions[0]
    }

    /// Whether the session still owns the datastore: the only writer since it began.
    /// If anyone else wrote (another device slow-syncing the same book), its items
    /// may pair with the client's: keys are looked up again from now on (the store
    /// indexes what was deferred before the first lookup), and the session records
    /// what it pairs and what its client holds, beginning with what it wrote so far.
    func checkAlone(in datastore: DatastoreState) async {
        guard let ownership = datastore.ownership else { return }
        do {
            let seen = try await store.journalRows(datastore: datastore.id, after: ownership.seen)
            if seen.count == ownership.written {
                datastore.ownership?.seen = seen.last
                datastore.ownership?.written = 0
                return
            }
            logger.info("another writer in the datastore: match keys looked up again", metadata: ["datastore": "\(datastore.name)"])
        } catch {
            logger.warning("checking for another writer failed", metadata: ["datastore": "\(datastore.name)", "error": "\(error)"])
        }
        await disown(datastore)
    }

    /// Ends the session's ownership of `datastore`: what it paired and what its client
    /// holds are read back from the journal, the device's rows since the Alert (its
    /// rows between the last check and now included). When they cannot be read the
    /// datastore fails (nothing sent, anchors not saved) and stays owned, so that no
    /// client item pairs with one the session wrote.
    func disown(_ datastore: DatastoreState) async {
        guard let ownership = datastore.ownership, let deviceID = negotiation.deviceID else { return }
        do {
            datastore.disown(written: try await store.itemsWritten(datastore: datastore.id, device: deviceID, after: ownership.since))
        } catch {
            datastore.failed = true
            logger.error("reading back what the session wrote failed", metadata: ["datastore": "\(datastore.name)", "error": "\(error)"])
        }
    }

    private func incomingKey(_ record: ReceivedRecord, luid: String?, named: String?, in datastore: DatastoreState) -> IncomingKey {
        // Match keys are looked up in slow and refresh syncs only (`findMatch`), and not while they can pair nothing.
        let keys = datastore.mode.isFull && !datastore.defersKeys ? record.signature?.matchKey.lookupKeys ?? [] : []
        return IncomingKey(luid: luid, guid: named, fingerprint: record.fingerprint, keys: keys)
    }
}
