import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

/// Alerts: the mode granted per datastore (a continuing mode only when the
/// anchors agree), resume (Alert 225), suspend (Alert 224), the server's own
/// alerts at the end of the init package, and a client refusing the mode.
extension ServerSession {
    func receive(_ alert: Alert, msgID: String, reply: inout ReplyBuilder) async {
        guard let code = alert.code else {
            if !alert.noResp { reply.status(msgRef: msgID, cmdRef: alert.cmdID, cmd: "Alert", code: .badRequest) }
            return
        }
        if code == .suspend {
            // The client stops here; what it confirmed so far is kept for its resume.
            negotiation.suspendRequested = negotiation.authenticated && !datastores.isEmpty
            if !alert.noResp {
                reply.status(msgRef: msgID, cmdRef: alert.cmdID, cmd: "Alert", code: negotiation.suspendRequested ? .ok : .commandNotAllowed)
            }
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
        guard let name = configuration.datastore(forURI: target), let userID = negotiation.userID, let deviceID = negotiation.deviceID else {
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
        let forceDeletes = item?.meta?.emi.contains(MassDeleteGuard.forceEMI) ?? false
        do {
            let datastoreID = try await store.datastore(named: name, user: userID)
            var answer = StatusCode.ok
            let state: DatastoreState
            if resuming, let resumed = try await resume(name, id: datastoreID, anchor: clientAnchor) {
                state = resumed
            } else {
                (state, answer) = try await grant(requested, of: name, id: datastoreID, device: deviceID,
                                                  clientAnchor: clientAnchor, clientURI: source.isEmpty ? target : source, serverURI: target)
            }
            state.forceDeletes = forceDeletes
            datastores.append(state)
            negotiation.pendingAlerts.append(state)
            reply.status(msgRef: msgID, cmdRef: alert.cmdID, cmd: "Alert", code: answer, targetRefs: refs.targets,
                         sourceRefs: refs.sources, items: [Item(data: .anchor(Anchor(next: clientAnchor.next)))])
        } catch {
            logger.error("alert failed", metadata: ["datastore": "\(name)", "error": "\(error)"])
            reply.status(msgRef: msgID, cmdRef: alert.cmdID, cmd: "Alert", code: .dataStoreFailure, targetRefs: refs.targets, sourceRefs: refs.sources)
        }
    }

    /// The mode granted for a fresh (not resumed) datastore and the Alert's status:
    /// 508 and a slow sync when the anchors do not continue the last sync.
    private func grant(_ requested: SyncMode, of name: String, id datastoreID: DatastoreID, device deviceID: DeviceID,
                       clientAnchor: Anchor, clientURI: String, serverURI: String) async throws -> (DatastoreState, StatusCode) {
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
            name: name, id: datastoreID, clientURI: clientURI, serverURI: serverURI, mode: mode,
            anchors: SyncAnchors(client: clientAnchor,
                                 server: Anchor(last: mode.isFull ? nil : known.nextAnchor, next: configuration.anchorClock.next())),
            conflictPolicy: configuration.conflictPolicy(for: name))
        state.acknowledged = mode.isFull ? 0 : known.acknowledged
        state.clientItemType = known.clientType
        if mode.isFull, mode.acceptsClientChanges {
            // The journal's head first: a write between the two reads is then seen as another writer's.
            let last = try await store.lastSequence(datastore: datastoreID)
            if try await !store.hasLiveItems(datastore: datastoreID) {
                state.defersKeys = true
                state.ownership = DatastoreOwnership(since: last)
            }
        }
        return (state, answer)
    }

    /// The end of the client's init package: the server's Alert per datastore granted, and
    /// a Get for the client's DevInf when the server has none.
    func grantAlerts(into reply: inout ReplyBuilder) {
        for datastore in negotiation.pendingAlerts {
            let alert = Alert(cmdID: reply.nextCmdID(), code: datastore.mode.alertCode, items: [
                Item(target: Location(datastore.clientURI), source: Location(datastore.serverURI),
                     meta: Meta(anchor: datastore.anchors.server)),
            ])
            reply.append(.alert(alert))
        }
        negotiation.pendingAlerts = []
        if negotiation.clientDevInf == nil, !negotiation.askedForDevInf {
            negotiation.askedForDevInf = true
            reply.append(.get(Exchange(cmdID: reply.nextCmdID(), meta: Meta(type: "application/vnd.syncml-devinf+xml"),
                                       items: [Item(target: Location(conversation.version.devInfURI))])))
        }
    }

    /// Whether `status` is the client refusing the mode the server granted a datastore (a slow sync
    /// it does not accept, say): the datastore is then not synced in this session — nothing sent,
    /// anchors not saved — so the next sync is decided afresh.
    func refusedMode(_ status: Status) -> Bool {
        guard status.cmd == "Alert", !(200...299).contains(status.code.rawValue),
              let datastore = datastores.first(where: { status.targetRefs.contains($0.clientURI) || status.sourceRefs.contains($0.serverURI) })
        else { return false }
        datastore.failed = true
        logger.notice("client refused the sync mode", metadata: ["datastore": "\(datastore.name)", "mode": "\(datastore.mode)",
                                                                 "status": "\(status.code)"])
        return true
    }

    /// The session's datastore a client names by the server URI it used (or its own URI).
    func datastore(forURI uri: String?) -> DatastoreState? {
        guard let uri else { return nil }
        let name = configuration.datastore(forURI: uri)
        return datastores.first { $0.serverURI == uri || $0.clientURI == uri || $0.name == name }
    }
}
