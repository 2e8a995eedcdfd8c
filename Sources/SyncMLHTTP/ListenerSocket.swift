import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A bound, listening socket with the connection pipeline both listeners share
/// (`HTTPListener` for the syncs, `OperationsListener` for `/health` and
/// `/metrics`): the idle timeout on raw bytes, TLS when configured, the request
/// deadline, NIO's HTTP/1.1 codec with pipelining and error handling, then the
/// listener's `SyncHTTPHandler`. The connection limit sits on the listening
/// socket, ahead of all of it.
struct ListenerSocket: Sendable {
    /// What bounds each connection.
    struct Limits: Sendable {
        var maxConnections: Int
        var idleTimeout: Duration
        var requestTimeout: Duration
    }

    /// The bound port (the real one when 0 was asked for).
    let port: Int
    private let channel: any Channel
    private let connections: ConnectionRegistry

    static func bind(host: String, port: Int, limits: Limits, tls: ServerCertificate?, logger: Logger,
                     handler: @escaping @Sendable () -> SyncHTTPHandler) async throws(HTTPListenerError) -> ListenerSocket {
        guard (0...65535).contains(port) else {
            throw HTTPListenerError(host: host, port: port, reason: "port out of range")
        }
        for (name, value) in [("request timeout", limits.requestTimeout), ("idle timeout", limits.idleTimeout)] where value <= .zero {
            throw HTTPListenerError(host: host, port: port, reason: "the \(name) must be positive")
        }
        guard limits.maxConnections > 0 else {
            throw HTTPListenerError(host: host, port: port, reason: "the connection and body size limits must be positive")
        }
        let idleTimeout = TimeAmount.nanoseconds(limits.idleTimeout.nanoseconds)
        let requestTimeout = TimeAmount.nanoseconds(limits.requestTimeout.nanoseconds)
        let maxConnections = limits.maxConnections
        let connections = ConnectionRegistry()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectionLimiter(limit: maxConnections, logger: logger))
                }
            }
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    if let tls {
                        try pipeline.addHandler(NIOSSLServerHandler(context: tls.context))
                        try pipeline.addHandler(TLSFailureHandler(logger: logger))
                    }
                    try pipeline.addHandler(RequestDeadlineHandler(timeout: requestTimeout, logger: logger))
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(handler())
                    connections.add(channel)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw HTTPListenerError(host: host, port: port, cause: error)
        }
        return ListenerSocket(port: channel.localAddress?.port ?? port, channel: channel, connections: connections)
    }

    /// Stops accepting, closes idle connections and lets busy ones finish their
    /// answer, closing them after `gracePeriod` at the latest.
    func close(gracePeriod: Duration) async {
        try? await channel.close()
        let open = connections.quiesceAll(closingWithin: .nanoseconds(gracePeriod.nanoseconds))
        for channel in open {
            try? await channel.closeFuture.get()
        }
    }
}
