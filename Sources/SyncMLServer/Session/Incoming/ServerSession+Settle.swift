import Logging
import SyncMLProtocol
import SyncMLStore

/// The end of the client's sync package, before the server answers: a full
/// sync with store failures stops, and the mass-delete guard may hold the
/// client's deletes.
extension ServerSession {
    /// Whether `datastore` goes on to the server's changes.
    func settleIncoming(_ datastore: DatastoreState) async -> Bool {
        if datastore.mode.isFull, datastore.received.rejected > 0 {
            // Client items the store failed to take are unmatched: sending the server's items now could
            // duplicate them on the client, and a refresh would delete their server copies. Next time.
            datastore.failed = true
            logger.error("full sync stopped after store failures", metadata: ["datastore": "\(datastore.name)"])
            return false
        }
        await holdMassDelete(datastore)
        return true
    }

    /// The mass-delete guard: when the client's package deleted too much of the
    /// datastore, those deletes are reverted (the records go back to the client
    /// in this session's changes) and the log says so.
    private func holdMassDelete(_ datastore: DatastoreState) async {
        guard let guardrail = configuration.massDeleteGuard, !datastore.forceDeletes, datastore.received.deleted >= guardrail.minimum,
              let storeSession = negotiation.storeSession, let deviceID = negotiation.deviceID else { return }
        do {
            // Counted only now that enough deletes came to matter (a count reads the whole datastore,
            // too much for every session's start): what is live now, less this package's adds, plus its deletes.
            let live = try await store.liveCount(datastore: datastore.id)
            datastore.liveAtStart = max(0, live - datastore.received.added + datastore.received.deleted)
            guard guardrail.holds(deleted: datastore.received.deleted, of: datastore.liveAtStart) else { return }
            datastore.heldDeletes = try await store.restoreDeletes(session: storeSession, device: deviceID, datastore: datastore.id)
            logger.warning("mass delete held: the records are kept and sent back", metadata: [
                "device": "\(deviceURI)", "user": "\(user)", "datastore": "\(datastore.name)",
                "deleted": "\(datastore.received.deleted)", "of": "\(datastore.liveAtStart)", "restored": "\(datastore.heldDeletes)",
            ])
        } catch {
            datastore.failed = true
            logger.error("holding a mass delete failed", metadata: ["datastore": "\(datastore.name)", "error": "\(error)"])
        }
    }
}
