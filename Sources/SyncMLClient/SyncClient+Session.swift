import Foundation
import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

extension SyncClient {
    /// The whole session, package by package (see the type's documentation).
    func runSession() async throws {
        progress?(SyncProgress(phase: .connecting))
        var nonceText = try await state.nonce(user: ChangeTracker.userName, devID: ChangeTracker.serverKey(configuration))
        var scheme = configuration.authentication
        var reply: SyncMLMessage
        var retried = false
        // Package 1, again once with what a 401's challenge asks for.
        while true {
            msgID = 0
            reply = try await send(initMessage(credential(scheme: scheme, nonce: nonceText)), isFinal: true)
            let header = reply.statuses.first { $0.cmd == "SyncHdr" }
            if let next = header?.chal?.meta?.nextNonce {
                nonceText = next
                try await state.setNonce(next, user: ChangeTracker.userName, devID: ChangeTracker.serverKey(configuration))
            }
            let code = header?.code.rawValue ?? 0
            switch header?.chal?.meta?.type.flatMap(CredentialScheme.init(rawValue:)) {
            case .basic? where code == 401 || code == 407:
                // Never a downgrade on the server's say-so: basic sends the password readable to anyone on the way.
                guard configuration.authentication == .basic else {
                    throw SyncClientError(.authentication, "the server asks for basic authentication (syncml:auth-basic), which sends the password "
                                          + "readable: refused, the password was not sent; allow it with --basic-auth (ClientConfiguration.authentication = .basic)")
                }
                scheme = .basic
            case .md5?:
                scheme = .md5 // from basic, a stronger scheme
            default:
                break
            }
            switch code {
            case 200, 212:
                break
            case 401 where !retried, 407 where !retried:
                retried = true
                sessionID += 1
                url = configuration.serverURL
                continue
            case 401, 407:
                throw SyncClientError(.authentication, "the server refused user \(configuration.user) (status \(header!.code))")
            case let code:
                throw SyncClientError(.serverStatus, "the server answered the session with status \(code)")
            }
            break
        }
        if let respURI = reply.header.respURI, !respURI.isEmpty {
            // A server reached over https may move the session elsewhere, but not out of TLS: the rest of the
            // session (records, and the credentials of a basic-auth client) would cross the network in clear.
            if Self.scheme(of: configuration.serverURL) == "https", Self.scheme(of: respURI) != "https" {
                throw SyncClientError(.protocolViolation, "the server's RespURI \(respURI) leaves https: refused")
            }
            url = respURI
        }
        if let size = reply.header.meta?.maxMsgSize { serverMaxMessageSize = max(size, 4096) }
        serverVersion = reply.version

        // Package 2: modes granted.
        var answers = answer(reply, allowResults: true)
        for store in stores {
            let status = reply.statuses.first { $0.cmd == "Alert" && ($0.targetRefs.first == store.datastore.remoteURI || $0.sourceRefs.first == store.localURI) }
            if let code = status?.code.rawValue, code != 200, code != 508 { store.refused = status!.code }
            if let alert = reply.alerts.first(where: { $0.items.first?.target?.locURI == store.localURI }), let code = alert.code,
               let mode = code == .resume ? store.saved?.point.mode : SyncMode(alert: code) {
                store.report.performed = mode
                store.anchors.server = alert.items.first?.meta?.anchor ?? Anchor()
                // A granted resume: status 200 and the suspended session's mode (as libsynthesis answers), or Alert 225.
                if let saved = store.saved, code == .resume || (status?.code == .ok && saved.point.mode == mode) {
                    // The server continues the suspended session: what it confirmed then is not sent again.
                    store.resumed = true
                    store.report.resumed = true
                    store.confirmed = saved.role.confirmed
                    store.touched = Set(saved.role.touched)
                }
            } else if store.refused == nil {
                store.refused = status?.code ?? .notFound
            }
        }
        for store in stores where store.refused == nil {
            // Measured before the server's changes: what its deletes are weighed against (the mass-delete guard).
            store.liveAtStart = try await state.liveCount(datastore: store.mirror)
            let grant = ModeGrant(requested: store.requested, resuming: store.saved?.point.mode,
                                  allowServerSlowSync: configuration.allowServerSlowSync)
            if let refusal = grant.refusal(of: store.performed, localRecords: store.liveAtStart) {
                store.refused = Self.refusedMode
                store.report.refusal = refusal
                refuseAlert(of: store, in: reply, answers: &answers)
            }
        }
        for store in stores where store.report.refusal == nil { store.report.refusedWithStatus = store.refused?.rawValue }
        try await beginStoreSession()
        for store in stores where store.refused == nil { try await prepareOutgoing(store) }

        // Package 3: the client's changes. Maps an earlier session could not deliver go first, so that
        // the server knows those records before it reads changes that name them.
        progress?(SyncProgress(phase: .sending))
        answers += mapCommands(stores.filter { !$0.pendingMaps.isEmpty })
        while true {
            if try await suspendIfAsked(answers) { return }
            var commands = answers
            let done = try await fillChanges(into: &commands)
            reply = try await send(commands, isFinal: done)
            answers = answer(reply, allowResults: false)
            try checkSession(reply)
            if done { break }
        }

        // Package 4: the server's changes, message by message.
        progress?(SyncProgress(phase: .receiving))
        while true {
            answers += try await receiveChanges(reply)
            if reply.isFinal { break }
            try budget.nonFinal(carriedNews: news > newsAtReply)
            if try await suspendIfAsked(answers) { return }
            answers.append(.alert(Alert(cmdID: "", code: .nextMessage, items: [
                Item(target: Location(configuration.serverURL), source: Location(configuration.deviceID)),
            ])))
            // The maps so far go along, so that neither side holds a whole book's maps until the end.
            let mapsSent = stores.map(\.pendingMaps)
            answers += mapCommands(stores)
            reply = try await send(answers, isFinal: false)
            answers = answer(reply, allowResults: false)
            try checkSession(reply)
            for (store, sent) in zip(stores, mapsSent) where !sent.isEmpty && mapAccepted(in: reply, for: store) {
                for (guid, id) in sent where store.pendingMaps[guid] == id { store.pendingMaps[guid] = nil }
            }
        }

        // The server's deletes, held until all its changes were in (the mass-delete guard weighs them together).
        answers += try await settleServerDeletes()

        // Package 5: statuses and maps; the server's statuses end the session.
        progress?(SyncProgress(phase: .mapping))
        if try await suspendIfAsked(answers) { return }
        answers += mapCommands(stores)
        reply = try await send(answers, isFinal: true)
        _ = answer(reply, allowResults: false)
        try checkSession(reply)
        for store in stores where store.refused == nil && !store.pendingMaps.isEmpty {
            store.mapsConfirmed = mapAccepted(in: reply, for: store)
        }
        try await complete()
    }

    /// The status the client answers a granted mode it refuses with (see `ModeGrant`):
    /// 403 Forbidden, "understood and refused" — the client can do the mode, it was
    /// just not asked for. Not 406 (which says the feature is missing, so a server
    /// could stop offering it), nor 508 (which asks the server for a slow sync).
    static let refusedMode = StatusCode.forbidden

    /// Answers the server's Alert for `store` with `refusedMode` instead of 200.
    private func refuseAlert(of store: ClientDatastoreState, in reply: SyncMLMessage, answers: inout [Command]) {
        guard let alert = reply.alerts.first(where: { $0.items.first?.target?.locURI == store.localURI }) else { return }
        for index in answers.indices {
            if case .status(var status) = answers[index], status.cmd == "Alert", status.cmdRef == alert.cmdID {
                status.code = Self.refusedMode
                answers[index] = .status(status)
            }
        }
    }

    /// Whether `reply` answers the datastore's Map with success.
    private func mapAccepted(in reply: SyncMLMessage, for store: ClientDatastoreState) -> Bool {
        let status = reply.statuses.first { $0.cmd == "Map" && ($0.sourceRefs.first == store.localURI || $0.targetRefs.first == store.datastore.remoteURI) }
        return status.map { (200...299).contains($0.code.rawValue) } ?? false
    }

    /// A Map per datastore with maps the server has not confirmed.
    private func mapCommands(_ stores: [ClientDatastoreState]) -> [Command] {
        stores.filter { $0.refused == nil && !$0.pendingMaps.isEmpty }.map { store in
            let items = store.pendingMaps.sorted { $0.key < $1.key }.map { MapItem(target: Location($0.key), source: Location($0.value)) }
            return .map(Map(cmdID: "", target: Location(store.datastore.remoteURI), source: Location(store.localURI), items: items))
        }
    }

    /// Anchors saved, journal acknowledged; a refresh from the server removes what it did not send.
    private func complete() async throws {
        for store in stores where store.refused == nil {
            if store.performed == .refreshFromServer {
                let stale = try await state.liveItems(datastore: store.mirror).filter { !store.touched.contains($0.guid) }
                if !forceDeletes, let guardrail = configuration.massDeleteGuard, guardrail.holds(deleted: stale.count, of: store.liveAtStart) {
                    // The refresh would empty the host: kept (still known to the mirror as the host's, so never sent as new).
                    store.report.heldServerDeletes = stale.count
                } else {
                    for item in stale {
                        try await store.datastore.source.delete(id: item.guid)
                        try await tracker.record(.delete, id: item.guid, type: item.type, payload: [], in: store.mirror, session: storeSession)
                        store.report.local.deleted += 1
                    }
                }
            }
            store.report.rejected += store.serverRejected
            if store.performed.isFull, store.serverRejected > 0 {
                // A full sync the server took only in part is no base to continue from (our server keeps no anchors
                // for it): neither does the client, so the next sync asks for the slow sync itself instead of being
                // told to with a 508 it would refuse.
                try await state.resetDevice(tracker.server, datastore: store.mirror)
                continue
            }
            // Held deletes stay unacknowledged: they are still changes to send.
            let through = min(try await state.lastSequence(datastore: store.mirror), (store.heldFrom ?? .max) - 1)
            try await state.finishSync(tracker.server, datastore: store.mirror, last: store.anchors.client.next, next: store.anchors.server.next,
                                       acknowledgeThrough: store.serverRejected == 0 ? through : nil)
        }
        guard let storeSession else { return }
        let unmapped = stores.filter { $0.refused == nil && !$0.pendingMaps.isEmpty && !$0.mapsConfirmed }
        if unmapped.isEmpty {
            try await state.endSession(storeSession, succeeded: true)
        } else {
            // The server did not take the Map (a store error there): without it, the server cannot name
            // these records to this client again. Kept, they go with the next sync.
            try await state.suspendSession(storeSession, resumeState: ClientResumeState(leftoverMapsOf: unmapped).encoded())
        }
    }

    // MARK: Suspend and resume

    /// The store session this sync's received changes are journaled under:
    /// the suspended one when the server resumes it, else a new one (and a
    /// suspended session nobody resumed is over).
    private func beginStoreSession() async throws {
        if let suspended {
            if stores.contains(where: \.resumed) {
                try await state.resumeSession(suspended.id)
                storeSession = suspended.id
            } else {
                try await state.endSession(suspended.id, succeeded: suspended.state.isLeftoverMaps)
            }
            self.suspended = nil
        }
        if storeSession == nil { storeSession = try await state.beginSession(device: tracker.server) }
    }

    /// When the host asked to suspend: Alert 224 goes instead of the next
    /// message (with the statuses owed), and the state is saved for a resume.
    private func suspendIfAsked(_ answers: [Command]) async throws -> Bool {
        guard suspendRequested else { return false }
        progress?(SyncProgress(phase: .suspending))
        let reply = try await send(answers + [.alert(Alert(cmdID: "", code: .suspend, items: []))], isFinal: true)
        _ = answer(reply, allowResults: false)
        try checkSession(reply)
        try await saveForResume()
        wasSuspended = true
        return true
    }

    /// Keeps what a resume needs (see `ClientResumeState`); nothing when the session never got its modes granted.
    func saveForResume() async throws {
        guard let storeSession else { return }
        let resumable = stores.filter { $0.refused == nil }
        if resumable.isEmpty {
            try await state.endSession(storeSession, succeeded: false)
        } else {
            try await state.suspendSession(storeSession, resumeState: ClientResumeState(resumable).encoded())
        }
        self.storeSession = nil
    }

    /// A session-level refusal in a later message (the header's status).
    private func checkSession(_ reply: SyncMLMessage) throws {
        if let header = reply.statuses.first(where: { $0.cmd == "SyncHdr" }), !(200...299).contains(header.code.rawValue) {
            throw SyncClientError(.serverStatus, "the server answered message \(reply.header.msgID) with status \(header.code)")
        }
    }

    // MARK: Messages

    /// The Cred of the session's first message; `nonce` is the server's last NextNonce (base64).
    func credential(scheme: ClientConfiguration.Authentication, nonce: String?) -> Credential {
        switch scheme {
        case .basic:
            .basic(user: configuration.user, password: configuration.password)
        case .md5:
            .md5(user: configuration.user, password: configuration.password, nonce: Array(nonce.flatMap { Data(base64Encoded: $0) } ?? Data()))
        }
    }

    private func initMessage(_ cred: Credential) -> [Command] {
        var commands: [Command] = [
            .put(Exchange(cmdID: "", meta: Meta(type: "application/vnd.syncml-devinf+xml"),
                          items: [Item(source: Location(SyncMLVersion.v1_2.devInfURI), data: .devInf(devInf()))])),
        ]
        for store in stores {
            commands.append(.alert(Alert(cmdID: "", code: store.saved == nil ? store.requested.alertCode : .resume, items: [
                Item(target: Location(store.datastore.remoteURI), source: Location(store.localURI),
                     meta: Meta(anchor: store.anchors.client, maxObjSize: configuration.maxObjectSize, emi: forceDeletes ? [MassDeleteGuard.forceEMI] : [])),
            ])))
        }
        pendingCred = cred
        return commands
    }

    func devInf() -> DevInf {
        DevInf(verDTD: "1.2", manufacturer: "swift-syncml", model: "swift-syncml client", softwareVersion: "0.1",
               devID: configuration.deviceID, devType: "workstation", utc: true, supportsLargeObjects: true,
               supportsNumberOfChanges: true, dataStores: stores.map { store in
                   let type = ContentTypeVersion(store.datastore.type, version: Self.version(of: store.datastore.type))
                   return DataStore(sourceRef: store.localURI, displayName: store.datastore.name, maxGUIDSize: 64,
                                    rxPref: type, txPref: type, syncTypes: [1, 2, 3, 4, 5, 6, 7])
               })
    }

    static func version(of type: String) -> String? {
        switch type.lowercased() {
        case "text/vcard": "3.0"
        case "text/x-vcard": "2.1"
        case "text/calendar": "2.0"
        case "text/x-vcalendar": "1.0"
        case "text/plain": "1.0"
        default: type.hasPrefix("text/x-s4j") ? "1.1" : nil
        }
    }

    /// Numbers the commands, adds the header, posts, decodes the reply.
    func send(_ commands: [Command], isFinal: Bool) async throws -> SyncMLMessage {
        try Task.checkCancellation()
        try budget.willSend()
        msgID += 1
        var header = SyncHeader(version: .v1_2, sessionID: String(sessionID), msgID: String(msgID), target: Location(configuration.serverURL),
                                source: Location(configuration.deviceID, name: configuration.user),
                                meta: Meta(maxMsgSize: configuration.maxMessageSize, maxObjSize: configuration.maxObjectSize))
        if let cred = pendingCred {
            header.cred = cred
            pendingCred = nil
        }
        var numbered: [Command] = []
        var next = 0
        for command in commands { numbered.append(number(command, &next)) }
        let message = SyncMLMessage(header: header, commands: numbered, isFinal: isFinal)
        let encoding: SyncMLEncoding = configuration.wbxml ? .wbxml : .xml
        let bytes = message.encoded(as: encoding)
        let reply: TransportReply
        do {
            reply = try await transport.send(bytes, contentType: encoding.contentType, to: url)
        } catch let error as SyncClientError {
            throw error
        } catch {
            throw SyncClientError(.transport, "\(error)")
        }
        guard reply.status == 200 else {
            throw SyncClientError(.transport, "HTTP \(reply.status) from \(url)")
        }
        try budget.received(reply.body.count)
        newsAtReply = news
        do {
            return try SyncMLMessage(decoding: reply.body)
        } catch {
            throw SyncClientError(.protocolViolation, "the server's answer is not SyncML: \(error)")
        }
    }

    /// CmdIDs 1, 2, 3 … through nested Syncs; an item command's placeholder id
    /// ("item:N") becomes its real id in `sentItems`, so the server's status finds it.
    private func number(_ command: Command, _ next: inout Int) -> Command {
        next += 1
        let id = String(next)
        func track(_ placeholder: String) {
            if let sent = placeholders.removeValue(forKey: placeholder) { sentItems.expect(sent, msgID: String(msgID), cmdID: id) }
        }
        switch command {
        case .status(var c): c.cmdID = id; return .status(c)
        case .alert(var c): c.cmdID = id; return .alert(c)
        case .put(var c): c.cmdID = id; return .put(c)
        case .get(var c): c.cmdID = id; return .get(c)
        case .results(var c): c.cmdID = id; return .results(c)
        case .map(var c): c.cmdID = id; return .map(c)
        case .add(var c): track(c.cmdID); c.cmdID = id; return .add(c)
        case .replace(var c): track(c.cmdID); c.cmdID = id; return .replace(c)
        case .delete(var c): track(c.cmdID); c.cmdID = id; return .delete(c)
        case .sync(var c):
            c.cmdID = id
            c.commands = c.commands.map { number($0, &next) }
            return .sync(c)
        default: return command
        }
    }
}

extension SyncMLMessage {
    var statuses: [Status] { commands.compactMap { if case .status(let s) = $0 { s } else { nil } } }
    var alerts: [Alert] { commands.compactMap { if case .alert(let a) = $0 { a } else { nil } } }

}

extension SyncClient {
    /// The lower-cased scheme of a URL (`https` of `HTTPS://host/…`), empty when it has none.
    static func scheme(of url: String) -> String {
        guard let end = url.firstRange(of: "://") else { return "" }
        return url[..<end.lowerBound].trimmingCharacters(in: .whitespaces).lowercased()
    }
}
