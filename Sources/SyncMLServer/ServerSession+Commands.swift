import Logging
import Foundation
import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

extension ServerSession {
    /// One command of the client's message, answered in `reply`.
    func receive(_ command: Command, msgID: String, reply: inout ReplyBuilder) async {
        switch command {
        case .status(let status):
            receive(status)
        case .alert(let alert):
            await receive(alert, msgID: msgID, reply: &reply)
        case .put(let put):
            var code = StatusCode.ok
            if case .devInf(let info)? = put.items.first?.data {
                await keepDevInf(info)
            } else {
                code = .optionalFeatureNotSupported
            }
            if !put.noResp {
                reply.status(msgRef: msgID, cmdRef: put.cmdID, cmd: "Put", code: code,
                             sourceRefs: put.items.compactMap { $0.source?.locURI })
            }
        case .get(let get):
            receive(get, msgID: msgID, reply: &reply)
        case .results(let results):
            // The client's DevInf, answering our Get. No Status is owed for Results in DS 1.2, but
            // SyncEvolution's peer sends one; we acknowledge it the same way.
            if case .devInf(let info)? = results.items.first?.data { await keepDevInf(info) }
            reply.status(msgRef: msgID, cmdRef: results.cmdID, cmd: "Results", code: .ok,
                         sourceRefs: results.items.compactMap { $0.source?.locURI })
        case .sync(let sync):
            await receive(sync, msgID: msgID, reply: &reply)
        case .map(let map):
            await receive(map, msgID: msgID, reply: &reply)
        case .atomic(let group), .sequence(let group):
            if !group.noResp {
                reply.status(msgRef: msgID, cmdRef: group.cmdID, cmd: command.name, code: .ok)
            }
            for inner in group.commands { await receive(inner, msgID: msgID, reply: &reply) }
        case .add(let c), .replace(let c), .delete(let c), .copy(let c), .move(let c):
            // Item commands outside a Sync name no datastore.
            if !c.noResp { reply.status(msgRef: msgID, cmdRef: c.cmdID, cmd: command.name, code: .commandNotAllowed) }
        case .exec(let exec):
            if !exec.noResp { reply.status(msgRef: msgID, cmdRef: exec.cmdID, cmd: "Exec", code: .optionalFeatureNotSupported) }
        case .search(let search):
            if !search.noResp { reply.status(msgRef: msgID, cmdRef: search.cmdID, cmd: "Search", code: .optionalFeatureNotSupported) }
        case .unknown:
            break
        }
    }

    // MARK: Statuses from the client

    private func receive(_ status: Status) {
        if status.cmd == "Alert", !(200...299).contains(status.code.rawValue),
           let datastore = datastores.first(where: { status.targetRefs.contains($0.clientURI) || status.sourceRefs.contains($0.serverURI) }) {
            // The client refused the mode this server granted (a slow sync it does not accept, say): the datastore is
            // not synced in this session — nothing sent, anchors not saved — so the next sync is decided afresh.
            datastore.failed = true
            logger.notice("client refused the sync mode", metadata: ["datastore": "\(datastore.name)", "mode": "\(datastore.mode)",
                                                                     "status": "\(status.code)"])
            return
        }
        guard let sent = sentItems.answer(status) else { return }
        switch status.code.rawValue {
        case 213:
            break // a chunk; the item's last chunk gets the item's status
        case 200...299, 418:
            sent.datastore.confirmed[sent.guid] = sent.sequence
        default:
            sent.datastore.failures += 1
            logger.notice("client refused an item", metadata: ["datastore": "\(sent.datastore.name)", "guid": "\(sent.guid)",
                                                              "status": "\(status.code)"])
        }
    }

    // MARK: Alert

    private func receive(_ alert: Alert, msgID: String, reply: inout ReplyBuilder) async {
        guard let code = alert.code else {
            if !alert.noResp { reply.status(msgRef: msgID, cmdRef: alert.cmdID, cmd: "Alert", code: .badRequest) }
            return
        }
        if code == .suspend {
            // The client stops here; what it confirmed so far is kept for its resume.
            suspendRequested = authenticated && !datastores.isEmpty
            if !alert.noResp { reply.status(msgRef: msgID, cmdRef: alert.cmdID, cmd: "Alert", code: suspendRequested ? .ok : .commandNotAllowed) }
            return
        }
        let resuming = code == .resume
        // A resume the server cannot grant is answered as the two-way sync it asks to continue.
        guard let requested = resuming ? .twoWay : SyncMode(alert: code) else {
            let answer: StatusCode = code == .nextMessage ? .ok : .optionalFeatureNotSupported
            if !alert.noResp { reply.status(msgRef: msgID, cmdRef: alert.cmdID, cmd: "Alert", code: answer) }
            return
        }
        let item = alert.items.first
        let target = item?.target?.locURI ?? ""
        let source = item?.source?.locURI ?? ""
        let refs = (targets: target.isEmpty ? [] : [target], sources: source.isEmpty ? [] : [source])
        guard let name = configuration.datastore(forURI: target), let userID, let deviceID else {
            reply.status(msgRef: msgID, cmdRef: alert.cmdID, cmd: "Alert", code: .notFound, targetRefs: refs.targets, sourceRefs: refs.sources)
            return
        }
        guard !datastores.contains(where: { $0.name == name }) else {
            reply.status(msgRef: msgID, cmdRef: alert.cmdID, cmd: "Alert", code: .ok, targetRefs: refs.targets, sourceRefs: refs.sources)
            return
        }
        if let type = item?.meta?.type, !ItemFormat.offered(by: name).contains(where: { $0.type == type.lowercased() }) {
            reply.status(msgRef: msgID, cmdRef: alert.cmdID, cmd: "Alert", code: .optionalFeatureNotSupported,
                         targetRefs: refs.targets, sourceRefs: refs.sources)
            return
        }
        let clientAnchor = item?.meta?.anchor ?? Anchor()
        do {
            let datastoreID = try await store.datastore(named: name, user: userID)
            if resuming, let state = try await resume(name, id: datastoreID, anchor: clientAnchor) {
                state.liveAtStart = try await store.liveCount(datastore: datastoreID)
                state.forceDeletes = item?.meta?.emi.contains(MassDeleteGuard.forceEMI) ?? false
                datastores.append(state)
                pendingAlerts.append(state)
                reply.status(msgRef: msgID, cmdRef: alert.cmdID, cmd: "Alert", code: .ok, targetRefs: refs.targets,
                             sourceRefs: refs.sources, items: [Item(data: .anchor(Anchor(next: clientAnchor.next)))])
                return
            }
            _ = try await ensureStoreSession()
            let known = try await store.deviceState(deviceID, datastore: datastoreID)
            var mode = requested
            var answer = StatusCode.ok
            // A continuing mode needs the client's Last to be what it said was Next last time —
            // or the time before, when the reply that completed the last sync never reached it
            // (what the server sent since is still unacknowledged or harmlessly repeated).
            let continues = known.lastAnchor != nil
                && (clientAnchor.last == known.lastAnchor || (known.previousAnchor != nil && clientAnchor.last == known.previousAnchor))
            if mode.needsAnchors, !continues {
                mode = .slow
                answer = .refreshRequired
            }
            if mode.isFull { try await store.resetDevice(deviceID, datastore: datastoreID) }
            let state = DatastoreState(
                name: name, id: datastoreID, clientURI: source.isEmpty ? target : source, serverURI: target, mode: mode,
                anchors: SyncAnchors(client: clientAnchor,
                                     server: Anchor(last: mode.isFull ? nil : known.nextAnchor, next: configuration.anchorClock.next())),
                conflictPolicy: configuration.conflictPolicy(for: name))
            state.acknowledged = mode.isFull ? 0 : known.acknowledged
            state.clientItemType = known.clientType
            state.liveAtStart = try await store.liveCount(datastore: datastoreID)
            state.forceDeletes = item?.meta?.emi.contains(MassDeleteGuard.forceEMI) ?? false
            datastores.append(state)
            pendingAlerts.append(state)
            reply.status(msgRef: msgID, cmdRef: alert.cmdID, cmd: "Alert", code: answer, targetRefs: refs.targets,
                         sourceRefs: refs.sources, items: [Item(data: .anchor(Anchor(next: clientAnchor.next)))])
        } catch {
            logger.error("alert failed", metadata: ["datastore": "\(name)", "error": "\(error)"])
            reply.status(msgRef: msgID, cmdRef: alert.cmdID, cmd: "Alert", code: .dataStoreFailure, targetRefs: refs.targets, sourceRefs: refs.sources)
        }
    }

    /// The datastore as the device's suspended session left it, when that
    /// session synced it and the client continues from the same anchor; the
    /// suspended store session becomes this one's (its changes stay one session).
    private func resume(_ name: String, id: DatastoreID, anchor: Anchor) async throws -> DatastoreState? {
        guard let suspended = try await suspendedSession(),
              let state = suspended.state.restore(name, id: id, conflictPolicy: configuration.conflictPolicy(for: name)),
              state.anchors.client.last == anchor.last else { return nil }
        if storeSession == nil {
            try await store.resumeSession(suspended.id)
            storeSession = suspended.id
        }
        if let next = anchor.next { state.anchors.client.next = next }
        let (mode, confirmed, clientHas) = (state.mode, state.confirmed.count, state.clientHas.count)
        logger.info("session resumed", metadata: ["device": "\(deviceURI)", "datastore": "\(name)", "mode": "\(mode)",
                                                  "confirmed": "\(confirmed)", "client_has": "\(clientHas)"])
        return state
    }

    // MARK: Get

    private func receive(_ get: Exchange, msgID: String, reply: inout ReplyBuilder) {
        let target = get.items.first?.target?.locURI ?? ""
        let isDevInf = target.lowercased().hasPrefix("./devinf") || target.lowercased().hasPrefix("devinf")
        reply.status(msgRef: msgID, cmdRef: get.cmdID, cmd: "Get", code: isDevInf ? .ok : .notFound, targetRefs: [target])
        guard isDevInf else { return }
        let results = Results(cmdID: reply.nextCmdID(), msgRef: msgID, cmdRef: get.cmdID,
                              meta: Meta(type: "application/vnd.syncml-devinf+xml"), targetRefs: [],
                              items: [Item(source: Location(target), data: .devInf(ServerDevInf.devInf(version: version)))])
        reply.append(.results(results))
    }

    // MARK: Map

    private func receive(_ map: Map, msgID: String, reply: inout ReplyBuilder) async {
        guard let datastore = datastore(forURI: map.target.locURI), let deviceID else {
            reply.status(msgRef: msgID, cmdRef: map.cmdID, cmd: "Map", code: .notFound,
                         targetRefs: [map.target.locURI], sourceRefs: [map.source.locURI])
            return
        }
        var code = StatusCode.ok
        do {
            let unknown = try await store.map(map.items.map { ($0.source.locURI, $0.target.locURI) }, device: deviceID, datastore: datastore.id)
            if !unknown.isEmpty {
                logger.notice("map names unknown items", metadata: ["guids": "\(unknown.prefix(5).joined(separator: ","))"])
            }
        } catch {
            code = .commandFailed
            logger.error("map failed", metadata: ["datastore": "\(datastore.name)", "error": "\(error)"])
        }
        reply.status(msgRef: msgID, cmdRef: map.cmdID, cmd: "Map", code: code,
                     targetRefs: [map.target.locURI], sourceRefs: [map.source.locURI])
    }

    /// The session's datastore a client names by the server URI it used (or its own URI).
    func datastore(forURI uri: String?) -> DatastoreState? {
        guard let uri else { return nil }
        let name = configuration.datastore(forURI: uri)
        return datastores.first { $0.serverURI == uri || $0.clientURI == uri || $0.name == name }
    }
}
