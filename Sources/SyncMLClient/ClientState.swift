package import SyncMLStore

/// What a client remembers between syncs, and nothing else: a mirror of each
/// datastore's records as of the last sync (every version journaled), the
/// server's anchors and nonce, the maps the server has not confirmed, a
/// suspended session's resume state and the host's change tokens.
///
/// A host creates one per account and server (`ClientState(path:)`, a file the
/// client owns) and hands it to `SyncClient`; a sync that finds no state starts
/// with a slow sync. It is kept in a SQLite change journal, which the host
/// never sees: no users, passwords or compaction of a server's store.
/// One `SyncClient` at a time should use a state.
public final class ClientState: Sendable {
    /// The journal behind it (the server's store type, one user, the server as its device).
    package let journal: SyncStore

    /// The state in the file at `path`, created when missing.
    ///
    /// - Throws: `.local` when the file cannot be opened or is not a state file.
    public init(path: String) throws(SyncClientError) {
        do {
            journal = try SyncStore(path: path)
        } catch {
            throw SyncClientError(.local, error.message)
        }
    }

    /// A state kept in memory only: forgotten when it is released, so every
    /// process's first sync is slow (previews, tests).
    public static func inMemory() throws(SyncClientError) -> ClientState {
        try ClientState(path: ":memory:")
    }

    /// A state on a journal the caller opened (benchmarks and tests that inject store faults).
    package init(journal: SyncStore) {
        self.journal = journal
    }
}
