import SyncMLProtocol
import SyncMLStore

/// The mass-delete guard's weighing of the server's deletes: against the host's
/// records when the modes were granted, counted the first time a guard needs them.
/// A count reads the whole mirror, too much for every sync of a few changes.
extension SyncClient {
    /// The mirror's live records when the modes were granted (`startSequence`), counted once.
    func liveAtStart(_ store: ClientDatastoreState) async throws -> Int {
        if let counted = store.liveAtStart { return counted }
        let counted = try await journal.liveCount(datastore: store.mirror, asOf: store.startSequence)
        store.liveAtStart = counted
        return counted
    }

    /// Whether deleting `deleted` of the records the host held at the start is a mass delete;
    /// no count unless there are enough deletes to hold (`MassDeleteGuard.minimum`).
    func holdsMassDelete(_ deleted: Int, of store: ClientDatastoreState) async throws -> Bool {
        guard let guardrail = configuration.massDeleteGuard, deleted >= guardrail.minimum else { return false }
        return guardrail.holds(deleted: deleted, of: try await liveAtStart(store))
    }
}
