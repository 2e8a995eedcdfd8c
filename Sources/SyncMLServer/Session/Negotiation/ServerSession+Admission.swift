import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

/// Admission, the store session and resume: the user authenticated before
/// the session existed (`SyncServer.handle`); here the device is admitted and
/// a suspended session of it is found again or ended.
extension ServerSession {
    /// The first message: the user and device from the store, the device's other sessions
    /// dealt with (`onAuthenticated`), its stored DevInf read.
    func admit() async throws {
        let userID = try await store.user(named: user)
        let deviceID = try await store.device(devID: deviceURI, user: userID)
        guard await onAuthenticated(deviceID, userID, token) else { throw SessionLimitReached() }
        if let stored = try await store.devInf(for: deviceID) { negotiation.clientDevInf = Self.decodeStoredDevInf(stored) }
        (negotiation.userID, negotiation.deviceID, negotiation.authenticated) = (userID, deviceID, true)
    }

    /// The store session this sync's changes are journaled under, begun at the first datastore.
    func ensureStoreSession() async throws -> SessionID {
        if let storeSession = negotiation.storeSession { return storeSession }
        guard let deviceID = negotiation.deviceID else { throw StoreError(.notFound, "no device") }
        let session = try await store.beginSession(device: deviceID, sessionKey: token)
        negotiation.storeSession = session
        return session
    }

    /// The device's suspended session (looked up once per session).
    func suspendedSession() async throws -> (id: SessionID, state: ServerResumeState)? {
        guard !negotiation.suspendedLookedUp, let deviceID = negotiation.deviceID else { return negotiation.suspended }
        negotiation.suspendedLookedUp = true
        if let found = try await store.suspendedSession(device: deviceID) {
            if let state = ServerResumeState.decode(found.resumeState) {
                negotiation.suspended = (found.id, state)
            } else {
                try await store.endSession(found.id, succeeded: false)
            }
        }
        return negotiation.suspended
    }

    /// The datastore as the device's suspended session left it, when that
    /// session synced it and the client continues from the same anchor; the
    /// suspended store session becomes this one's (its changes stay one session).
    func resume(_ name: String, id: DatastoreID, anchor: Anchor) async throws -> DatastoreState? {
        guard let suspended = try await suspendedSession(),
              let state = suspended.state.restore(name, id: id, conflictPolicy: configuration.conflictPolicy(for: name)),
              state.anchors.client.last == anchor.last else { return nil }
        if negotiation.storeSession == nil {
            try await store.resumeSession(suspended.id)
            negotiation.storeSession = suspended.id
        }
        if let next = anchor.next { state.anchors.client.next = next }
        let (mode, confirmed, clientHas) = (state.mode, state.confirmed.count, state.clientHas.count)
        logger.info("session resumed", metadata: ["device": "\(deviceURI)", "datastore": "\(name)", "mode": "\(mode)",
                                                  "confirmed": "\(confirmed)", "client_has": "\(clientHas)"])
        return state
    }

    /// A suspended session the device did not resume is over: it is ended, so it is never resumed later.
    func endUnresumedSession() async {
        guard let deviceID = negotiation.deviceID, !datastores.isEmpty else { return }
        do {
            if !negotiation.suspendedLookedUp { _ = try await suspendedSession() }
            if let suspended = negotiation.suspended, suspended.id != negotiation.storeSession {
                try await store.endSession(suspended.id, succeeded: false)
                negotiation.suspended = nil
            }
        } catch {
            logger.error("ending a suspended session failed", metadata: ["device": "\(deviceID)", "error": "\(error)"])
        }
    }
}
