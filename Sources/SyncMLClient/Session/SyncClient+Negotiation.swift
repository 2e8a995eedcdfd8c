import Foundation
import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

/// Negotiation (packages 1 and 2): the credentials and the one retry a 401
/// allows, the DevInf and an Alert per datastore, the modes the server grants
/// (each checked by `ModeGrant`), and whether it resumes a suspended session.
extension SyncClient {
    /// Package 1, again once with what a 401's challenge asks for; returns the
    /// server's answer once it accepted the session.
    func openSession() async throws -> SyncMLMessage {
        let serverKey = ChangeTracker.serverKey(configuration)
        var nonceText = try await journal.nonce(user: ChangeTracker.userName, devID: serverKey)
        var scheme = configuration.authentication
        var reply: SyncMLMessage
        var retried = false
        while true {
            exchange.msgID = 0
            reply = try await send(initMessage(credential(scheme: scheme, nonce: nonceText)), isFinal: true)
            let header = reply.statuses.first { $0.cmd == "SyncHdr" }
            if let next = header?.chal?.meta?.nextNonce {
                nonceText = next
                try await journal.setNonce(next, user: ChangeTracker.userName, devID: serverKey)
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
                run.logger.debug("challenged: the session starts again with the server's nonce", metadata: ["syncml.status": "\(code)"])
                exchange.sessionID += 1
                exchange.url = configuration.serverURL
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
            exchange.url = respURI
        }
        if let size = reply.header.meta?.maxMsgSize { exchange.serverMaxMessageSize = max(size, 4096) }
        return reply
    }

    /// Package 2: the mode the server granted each datastore, accepted or
    /// refused (`ModeGrant`), and whether it resumes the suspended session.
    /// Returns the statuses owed for the server's commands, a refused mode's
    /// Alert answered with `refusedMode`.
    func takeGrantedModes(_ reply: SyncMLMessage) async throws -> [Command] {
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
            // Where the mirror stood before the server's changes: what its deletes are weighed against
            // (the mass-delete guard), counted only if they come to matter (a count reads the whole mirror).
            store.startSequence = try await journal.lastSequence(datastore: store.mirror)
            let grant = ModeGrant(requested: store.requested, resuming: store.saved?.point.mode,
                                  allowServerSlowSync: configuration.allowServerSlowSync)
            let records = grant.weighsLocalRecords(store.performed) ? try await liveAtStart(store) : 0
            if let refusal = grant.refusal(of: store.performed, localRecords: records) {
                store.refused = Self.refusedMode
                store.report.refusal = refusal
                refuseAlert(of: store, in: reply, answers: &answers)
            }
        }
        for store in stores where store.report.refusal == nil { store.report.refusedWithStatus = store.refused?.rawValue }
        for store in stores { logGrant(of: store) }
        return answers
    }

    private func logGrant(of store: ClientDatastoreState) {
        var metadata: Logger.Metadata = ["syncml.datastore": "\(store.datastore.name)", "syncml.requested": "\(store.requested)"]
        if let refusal = store.report.refusal {
            metadata["syncml.refusal"] = "\(refusal)"
            run.logger.info("mode refused: datastore not synced", metadata: metadata)
        } else if let status = store.report.refusedWithStatus {
            metadata["syncml.status"] = "\(status)"
            run.logger.info("datastore refused by the server: not synced", metadata: metadata)
        } else {
            metadata["syncml.granted"] = "\(store.performed)"
            metadata["syncml.resumed"] = "\(store.resumed)"
            run.logger.info("mode granted", metadata: metadata)
        }
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

    /// The store session this sync's received changes are journaled under:
    /// the suspended one when the server resumes it, else a new one (and a
    /// suspended session nobody resumed is over).
    func beginStoreSession() async throws {
        if let suspended = run.suspended {
            if stores.contains(where: \.resumed) {
                try await journal.resumeSession(suspended.id)
                run.storeSession = suspended.id
            } else {
                try await journal.endSession(suspended.id, succeeded: suspended.state.isLeftoverMaps)
            }
            run.suspended = nil
        }
        if run.storeSession == nil { run.storeSession = try await journal.beginSession(device: tracker.server) }
    }

    // MARK: Package 1

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
                     meta: Meta(anchor: store.anchors.client, maxObjSize: configuration.maxObjectSize,
                                emi: run.forceDeletes ? [MassDeleteGuard.forceEMI] : [])),
            ])))
        }
        exchange.pendingCredential = cred
        return commands
    }

    /// What the client announces of itself (also the Results of a server's Get).
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

    /// The lower-cased scheme of a URL (`https` of `HTTPS://host/…`), empty when it has none.
    static func scheme(of url: String) -> String {
        guard let end = url.firstRange(of: "://") else { return "" }
        return url[..<end.lowerBound].trimmingCharacters(in: .whitespaces).lowercased()
    }
}
