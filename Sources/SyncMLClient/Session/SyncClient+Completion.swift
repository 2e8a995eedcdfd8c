import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

/// Completion (after package 6): anchors saved and the mirror acknowledged
/// once the server confirmed everything, what a refresh from the server did
/// not send removed, maps the server did not take kept for the next sync; or,
/// cut short (a suspend, a failure), what a resume needs saved.
extension SyncClient {
    /// Anchors saved, journal acknowledged; a refresh from the server removes what it did not send.
    func complete() async throws {
        for store in stores where store.refused == nil {
            if store.performed == .refreshFromServer {
                let stale = try await journal.liveItems(datastore: store.mirror).filter { !store.touched.contains($0.guid) }
                if !run.forceDeletes, try await holdsMassDelete(stale.count, of: store) {
                    // The refresh would empty the host: kept (still known to the mirror as the host's, so never sent as new).
                    store.report.heldServerDeletes = stale.count
                } else {
                    for item in stale {
                        try await store.datastore.source.delete(id: item.guid)
                        try await tracker.record(.delete, id: item.guid, type: item.type, payload: [], in: store.mirror, session: run.storeSession)
                        store.report.local.deleted += 1
                    }
                }
            }
            store.report.rejected += store.serverRejected
            if store.performed.isFull, store.serverRejected > 0 {
                // A full sync the server took only in part is no base to continue from (our server keeps no anchors
                // for it): neither does the client, so the next sync asks for the slow sync itself instead of being
                // told to with a 508 it would refuse.
                try await journal.resetDevice(tracker.server, datastore: store.mirror)
                continue
            }
            // Held deletes stay unacknowledged: they are still changes to send.
            let through = min(try await journal.lastSequence(datastore: store.mirror), (store.heldFrom ?? .max) - 1)
            try await journal.finishSync(tracker.server, datastore: store.mirror, last: store.anchors.client.next, next: store.anchors.server.next,
                                         acknowledgeThrough: store.serverRejected == 0 ? through : nil)
        }
        guard let storeSession = run.storeSession else { return }
        let unmapped = stores.filter { $0.refused == nil && !$0.maps.pending.isEmpty && !$0.maps.confirmed }
        if unmapped.isEmpty {
            try await journal.endSession(storeSession, succeeded: true)
        } else {
            // The server did not take the Map (a store error there): without it, the server cannot name
            // these records to this client again. Kept, they go with the next sync.
            try await journal.suspendSession(storeSession, resumeState: ClientResumeState(leftoverMapsOf: unmapped).encoded())
        }
    }

    // MARK: Suspend

    /// When the host asked to suspend: Alert 224 goes instead of the next
    /// message (with the statuses owed), and the state is saved for a resume.
    func suspendIfAsked(_ answers: [Command]) async throws -> Bool {
        guard run.suspendRequested else { return false }
        announce(SyncProgress(phase: .suspending))
        let reply = try await send(answers + [.alert(Alert(cmdID: "", code: .suspend, items: []))], isFinal: true)
        _ = answer(reply, allowResults: false)
        try checkSession(reply)
        try await saveForResume()
        run.wasSuspended = true
        return true
    }

    /// Keeps what a resume needs (see `ClientResumeState`); nothing when the session never got its modes granted.
    func saveForResume() async throws {
        guard let storeSession = run.storeSession else { return }
        let resumable = stores.filter { $0.refused == nil }
        if resumable.isEmpty {
            try await journal.endSession(storeSession, succeeded: false)
        } else {
            try await journal.suspendSession(storeSession, resumeState: ClientResumeState(resumable).encoded())
        }
        run.storeSession = nil
    }
}
