public import SyncMLCore
public import SyncMLStore

/// The client role: syncs the host's datastores with a SyncML server.
///
/// Change tracking lives in `state` (a `SyncStore`): a mirror of the host's
/// records as of the last sync, journaled, so the engine finds what changed by
/// fingerprint and every version the sync replaced can be restored.
public actor SyncClient {
    public let configuration: ClientConfiguration
    let datastores: [ClientDatastore]
    let transport: any SyncTransport
    let state: SyncStore

    /// - Parameters:
    ///   - state: where the client keeps its sync state (open a `SyncStore` on a file
    ///     of its own; `":memory:"` forgets everything when the process ends).
    public init(configuration: ClientConfiguration, datastores: [ClientDatastore], transport: any SyncTransport, state: SyncStore) {
        self.configuration = configuration
        self.datastores = datastores
        self.transport = transport
        self.state = state
    }

    /// Runs one sync of every datastore in `mode`. `progress` is called as it goes.
    public func sync(mode: SyncMode = .twoWay, progress: (@Sendable (SyncProgress) -> Void)? = nil) async throws(SyncClientError) -> SyncReport {
        throw SyncClientError(.local, "not implemented yet")
    }
}
