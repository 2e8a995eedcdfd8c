public import SyncMLClient
public import SyncMLServer
/// A client talking straight to a server engine in the same process: each
/// message is encoded, handled and answered exactly as over HTTP, without the
/// network. `syncml preview` and the benchmarks run whole syncs this way.
///
/// ```swift
/// let client = SyncClient(configuration: configuration, datastores: datastores,
///                         transport: InProcessTransport(server: server), state: try ClientState.inMemory())
/// ```
public struct InProcessTransport: SyncTransport {
    public let server: SyncServer

    public init(server: SyncServer) {
        self.server = server
    }

    public func send(_ body: [UInt8], contentType: String, to url: String) async throws -> TransportReply {
        let reply = await server.handle(SyncRequest(body: body, contentType: contentType, url: url))
        return TransportReply(body: reply.body, contentType: reply.contentType, status: reply.httpStatus)
    }
}
