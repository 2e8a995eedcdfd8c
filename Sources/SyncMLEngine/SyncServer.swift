public import Logging
public import SyncMLStore

/// The SyncML server: takes one request at a time per session and answers it.
/// Sessions of different devices run concurrently; one session's messages are
/// handled in order. Work in progress (issue #5): this skeleton answers 503.
public actor SyncServer {
    let store: SyncStore
    let configuration: ServerConfiguration
    let logger: Logger

    public init(store: SyncStore, configuration: ServerConfiguration = ServerConfiguration(),
                logger: Logger = Logger(label: "syncml.server")) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// Answers one request.
    public func handle(_ request: SyncRequest) async -> SyncReply {
        .plainText(503, "the SyncML engine is not ready yet")
    }

    /// Drops sessions idle for longer than the configured timeout; the
    /// transport calls this periodically.
    public func expireIdleSessions() async {}
}
