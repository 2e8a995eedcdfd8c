import Foundation
import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLRecords
import SyncMLStore

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
        for command in sync.commands {
            await receive(command, in: datastore, msgID: msgID, reply: &reply)
        }
        await flushPendingWrites()
        for index in failedStatuses { reply.setCode(.commandFailed, at: index) }
        failedStatuses = []
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
            let pendingBefore = pendingWrites.count
            let code = await receive(item, of: command, operation, in: datastore)
            var index: Int?
            if !command.noResp {
                index = reply.status(msgRef: msgID, cmdRef: command.cmdID, cmd: name, code: code,
                                     targetRefs: item.target.map { [$0.locURI] } ?? [], sourceRefs: item.source.map { [$0.locURI] } ?? [])
            }
            // A write left pending for the batch: its status is patched if the batch fails.
            if pendingWrites.count > pendingBefore { pendingWrites[pendingWrites.count - 1].statusIndex = index }
        }
    }

    /// One item: reassembled if chunked, then applied. Returns its status.
    private func receive(_ item: Item, of command: ItemCommand, _ operation: ChangeOperation, in datastore: DatastoreState) async -> StatusCode {
        guard datastore.mode.acceptsClientChanges else { return .commandNotAllowed }
        guard let deviceID else { return .invalidCredentials }
        let luid = item.source?.locURI ?? (operation == .delete ? item.target?.locURI : nil)
        let named = operation == .delete ? nil : item.target?.locURI
        var type = item.meta?.type ?? command.meta?.type
        var format = item.meta?.format ?? command.meta?.format
        var data: [UInt8] = []
        if case .bytes(let bytes)? = item.data { data = Array(bytes) }

        // Large objects (DS 1.2 §6.2.4): collect chunks until one comes without MoreData.
        if item.moreData || datastore.incoming.isUnderWay {
            switch datastore.incoming.take(data, source: luid ?? "", moreData: item.moreData, declaredSize: item.meta?.size ?? command.meta?.size,
                                           type: type, format: format, maxObjectSize: configuration.maxObjectSize) {
            case .accepted: return .chunkedItemAccepted
            case .refused(let code): return code
            case .complete(let bytes, let firstType, let firstFormat): (data, type, format) = (bytes, firstType, firstFormat)
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
                let record = ReceivedRecord(type: type ?? datastore.clientItemType, format: format, data: data)
                guard !record.isNotARecord else {
                    // Declared a vCard, calendar or SIF document but not one at all: refused, so that nothing
                    // unreadable replaces a record. (A record that parses only in part is kept as sent.)
                    logger.notice("item refused: not a record of its type", metadata: ["datastore": "\(datastore.name)", "luid": "\(luid ?? "-")",
                                                                                   "type": "\(record.type)"])
                    return .unsupportedMediaType
                }
                datastore.clientItemType = record.type
                return try await write(record, luid: luid, named: named, operation, in: datastore, device: deviceID)
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
        if datastore.conflictPolicy != .clientWins,
           let guid = try await store.guid(forLUID: luid, device: device, datastore: datastore.id),
           let current = try await store.currentVersion(guid: guid, datastore: datastore.id),
           changedElsewhere(current, in: datastore), current.operation != .delete {
            // The client deleted what another device edited since: the edit wins and the
            // item goes back to the client as an Add (its LUID is forgotten).
            try await store.unmap(luid: luid, device: device, datastore: datastore.id)
            datastore.received.conflicts += 1
            return .ok
        }
        let result = try await store.apply([ItemChange(.delete, luid: luid, type: "")], datastore: datastore.id,
                                           device: device, session: storeSession)[0]
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

    private func write(_ record: ReceivedRecord, luid: String?, named: String?, _ operation: ChangeOperation,
                       in datastore: DatastoreState, device: DeviceID) async throws -> StatusCode {
        let success: StatusCode = operation == .add ? .itemAdded : .ok
        var mapped: String? = nil
        if let luid, pendingWrites.contains(where: { $0.change.luid == luid }) { await flushPendingWrites() }
        if let luid { mapped = try await store.guid(forLUID: luid, device: device, datastore: datastore.id) }
        if mapped == nil, let named, let item = try await store.item(guid: named, datastore: datastore.id), !item.deleted {
            mapped = named
        }
        if let guid = mapped {
            // A known item: a change, or the echo of one (an Add of a LUID already mapped).
            if !datastore.mode.isFull, let current = try await store.currentVersion(guid: guid, datastore: datastore.id),
               changedElsewhere(current, in: datastore), current.fingerprint != record.fingerprint {
                await flushPendingWrites()
                return try await resolveConflict(record, luid: luid, guid: guid, current: current, in: datastore, device: device)
            }
            enqueue(record, .replace, luid: luid, guid: guid, in: datastore)
            return success
        }
        // An item the server does not know by this LUID: add, or pair with what it holds.
        switch try await findMatch(for: record, in: datastore, device: device) {
        case .same(let guid):
            enqueue(record, .replace, luid: luid, guid: guid, in: datastore)
            return success
        case .similar(let guid, let server):
            await flushPendingWrites()
            let merged = Self.merge(record, server).flatMap { $0.fingerprint != record.fingerprint ? $0 : nil }
            _ = try await apply(record, .replace, luid: luid, guid: guid, in: datastore, device: device, then: merged.map { .merged($0) })
            datastore.received.matched += 1
            return merged == nil ? success : .conflictResolvedWithMerge
        case nil:
            enqueue(record, .add, luid: luid, guid: nil, in: datastore)
            return .itemAdded
        }
    }

    // MARK: Batched writes

    /// Leaves a client change for the batch; the GUID it pairs with is taken now.
    private func enqueue(_ record: ReceivedRecord, _ operation: ChangeOperation, luid: String?, guid: String?, in datastore: DatastoreState) {
        if let guid { datastore.claimed.insert(guid) }
        let change = ItemChange(operation, luid: luid, guid: guid, type: record.type, payload: record.payload,
                                fingerprint: record.fingerprint, matchKeys: record.signature?.matchKey.indexKeys ?? [])
        pendingDatastore = datastore
        pendingWrites.append(PendingWrite(change: change))
    }

    /// Writes the pending changes in one transaction. On failure, none is written and their statuses become 500.
    func flushPendingWrites() async {
        guard !pendingWrites.isEmpty, let datastore = pendingDatastore, let deviceID else { return }
        let batch = pendingWrites
        pendingWrites = []
        do {
            let results = try await store.apply(batch.map(\.change), datastore: datastore.id, device: deviceID, session: storeSession)
            for (write, result) in zip(batch, results) {
                switch result.outcome {
                case .added: datastore.received.added += 1
                case .unchanged: datastore.received.matched += 1
                default: datastore.received.replaced += 1
                }
                if let guid = result.guid ?? write.change.guid, let fingerprint = write.change.fingerprint {
                    datastore.clientHas[guid] = fingerprint
                    datastore.claimed.insert(guid)
                }
            }
        } catch {
            logger.error("applying changes failed", metadata: ["datastore": "\(datastore.name)", "count": "\(batch.count)", "error": "\(error)"])
            datastore.received.rejected += batch.count
            datastore.unsettled.formUnion(batch.compactMap(\.change.luid))
            failedStatuses += batch.compactMap(\.statusIndex)
        }
    }

    /// Both sides changed the item since the device's last sync.
    private func resolveConflict(_ record: ReceivedRecord, luid: String?, guid: String, current: JournalEntry,
                                 in datastore: DatastoreState, device: DeviceID) async throws -> StatusCode {
        datastore.received.conflicts += 1
        let serverPayload = try await store.payload(guid: guid, datastore: datastore.id)
        let serverType = try await store.item(guid: guid, datastore: datastore.id)?.type ?? record.type
        var policy = datastore.conflictPolicy
        if policy == .newestWins {
            policy = Self.clientIsNewer(record, than: current.time) ? .clientWins : .serverWins
        }
        switch policy {
        case .clientWins, .newestWins:
            _ = try await apply(record, .replace, luid: luid, guid: guid, in: datastore, device: device)
            return .conflictResolvedWithClientWinning
        case .serverWins:
            // The client's version is journaled (nothing is lost), then the server's is made current again.
            _ = try await apply(record, .replace, luid: luid, guid: guid, in: datastore, device: device, then: .restore(current.sequence))
            datastore.clientHas[guid] = nil
            return .conflictResolvedWithServerData
        case .merge:
            guard let serverPayload,
                  let merged = Self.merge(record, ReceivedRecord(type: serverType, payload: serverPayload)),
                  merged.fingerprint != record.fingerprint else {
                _ = try await apply(record, .replace, luid: luid, guid: guid, in: datastore, device: device)
                return .conflictResolvedWithClientWinning
            }
            _ = try await apply(record, .replace, luid: luid, guid: guid, in: datastore, device: device, then: .merged(merged))
            return .conflictResolvedWithMerge
        case .duplicate:
            // The client's version becomes an item of its own; the server's goes to the client as an Add.
            if let luid { try await store.unmap(luid: luid, device: device, datastore: datastore.id) }
            let result = try await apply(record, .add, luid: luid, guid: nil, in: datastore, device: device)
            if let guid = result.guid { datastore.claimed.insert(guid) }
            return .conflictResolvedWithDuplicate
        }
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
    private func apply(_ record: ReceivedRecord, _ operation: ChangeOperation, luid: String?, guid: String?,
                       in datastore: DatastoreState, device: DeviceID, then answer: ServerAnswer? = nil) async throws -> AppliedChange {
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
        let (datastoreID, session, followUp, restoring) = (datastore.id, storeSession, follow, restore)
        let result = try await store.atomically { store throws(StoreError) -> AppliedChange in
            let result = try store.apply([change], datastore: datastoreID, device: device, session: session)[0]
            if let followUp { _ = try store.apply([followUp], datastore: datastoreID, device: nil, session: session) }
            if let restoring, let guid = result.guid ?? guid {
                _ = try store.restore(guid: guid, datastore: datastoreID, toVersion: restoring, session: session)
            }
            return result
        }
        if let guid = result.guid ?? guid {
            datastore.clientHas[guid] = record.fingerprint
            datastore.claimed.insert(guid)
        }
        return result
    }

    func changedElsewhere(_ version: JournalEntry, in datastore: DatastoreState) -> Bool {
        version.sequence > datastore.acknowledged && version.device != deviceID
    }

    // MARK: Matching

    enum Match {
        /// Equal fingerprints: the same record.
        case same(String)
        /// Paired by the matcher's keys: the same contact or event, written differently.
        case similar(String, ReceivedRecord)
    }

    /// The server item an unknown client item is, if any: equal fingerprint in
    /// every mode; in slow and refresh syncs also the matcher's key pairing.
    /// Items already paired in this session, or mapped to another LUID of the device, are not candidates.
    private func findMatch(for record: ReceivedRecord, in datastore: DatastoreState, device: DeviceID) async throws -> Match? {
        for item in try await store.items(withFingerprint: record.fingerprint, datastore: datastore.id)
        where try await isFree(item.guid, in: datastore, device: device) {
            return .same(item.guid)
        }
        guard datastore.mode.isFull, let signature = record.signature else { return nil }
        var candidates: [RecordMatcher.Entry] = []
        var records: [String: ReceivedRecord] = [:]
        // Bounded per key: a name or number thousands share must not make matching quadratic. A candidate
        // found by an e-mail or phone alone must be found by two of them (the matcher's rule) before it is
        // read and parsed: a phone number's last digits shared by chance costs a lookup, not a parse.
        let keys = signature.matchKey.lookupKeys
        var found: [StoredItem] = try await store.items(matchingKeys: keys.filter { !$0.kind.isSinglePoint }, datastore: datastore.id, limitPerKey: 8)
        var points: [String: (item: StoredItem, count: Int)] = [:]
        for key in keys where key.kind.isSinglePoint {
            for item in try await store.items(matchingKeys: [key], datastore: datastore.id, limitPerKey: 8) {
                points[item.guid, default: (item, 0)].count += 1
            }
        }
        let known = Set(found.map(\.guid))
        found += points.values.filter { $0.count >= 2 && !known.contains($0.item.guid) }.map(\.item).sorted { $0.guid < $1.guid }
        for item in found where try await isFree(item.guid, in: datastore, device: device) {
            guard let payload = try await store.payload(guid: item.guid, datastore: datastore.id) else { continue }
            let server = ReceivedRecord(type: item.type, payload: payload)
            guard let serverSignature = server.signature, serverSignature.kind == signature.kind else { continue }
            candidates.append(RecordMatcher.Entry(id: item.guid, signature: serverSignature))
            records[item.guid] = server
        }
        guard !candidates.isEmpty else { return nil }
        let result = RecordMatcher.match([RecordMatcher.Entry(id: "\u{0}client", signature: signature)], candidates)
        guard let pair = result.pairs.first, let server = records[pair.right] else { return nil }
        return pair.reason.sameFingerprint ? .same(pair.right) : .similar(pair.right, server)
    }

    private func isFree(_ guid: String, in datastore: DatastoreState, device: DeviceID) async throws -> Bool {
        guard !datastore.claimed.contains(guid) else { return false }
        if datastore.mode.isFull { return true } // maps were reset when the slow sync began
        return try await store.luid(forGUID: guid, device: device, datastore: datastore.id) == nil
    }

    /// Client and server versions merged field by field, the client's values winning, in the client's format.
    static func merge(_ client: ReceivedRecord, _ server: ReceivedRecord) -> ReceivedRecord? {
        guard let clientRecord = ReceivedRecord.component(type: client.type, payload: client.payload),
              let serverRecord = ReceivedRecord.component(type: server.type, payload: server.payload) else { return nil }
        let merged = RecordMerger.merge(clientRecord, serverRecord, winner: .first)
        if let kind = SIFKind(mimeType: client.type) {
            guard let bytes = try? SIF.fromVComponent(merged, as: kind) else { return nil }
            return ReceivedRecord(type: client.type, payload: bytes)
        }
        let format = clientRecord.format ?? (clientRecord.name == "VCARD" ? .vCard30 : .iCalendar20)
        return ReceivedRecord(type: client.type, payload: VObjectWriter.write(merged, as: format))
    }

    /// Whether the client's record says it was modified after `time` (REV or LAST-MODIFIED); without either, it is not.
    static func clientIsNewer(_ record: ReceivedRecord, than time: Date) -> Bool {
        guard let component = ReceivedRecord.component(type: record.type, payload: record.payload) else { return false }
        let stamp = component.first("REV")?.value ?? component.first("LAST-MODIFIED")?.value
            ?? component.components.first?.first("LAST-MODIFIED")?.value
        guard let stamp else { return false }
        let digits = stamp.filter(\.isNumber)
        guard digits.count >= 14 else { return false }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss"
        guard let date = formatter.date(from: String(digits.prefix(14))) else { return false }
        return date > time
    }
}
