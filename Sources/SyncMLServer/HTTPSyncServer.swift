public import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
public import SyncMLEngine

/// SyncML over HTTP/1.1 (OMA SyncML HTTP binding 1.2): every POST, whatever
/// its path, goes to a `SyncServer`; GET on `/` or `/sync` says what this is.
///
/// ```swift
/// let http = try await HTTPSyncServer.start(engine: engine, configuration: .init(port: 0))
/// print(http.url)          // http://127.0.0.1:41234/sync
/// await http.shutdown()
/// ```
public final class HTTPSyncServer: Sendable {
    public struct Configuration: Sendable {
        /// The address to listen on; `0.0.0.0` or `::` for every interface.
        public var host: String
        /// 0 picks a free port; `HTTPSyncServer.port` tells which.
        public var port: Int
        /// The largest request body; a larger one is answered 413 and its connection closed.
        public var maxBodySize: Int
        /// How often idle sessions are expired (`SyncServer.expireIdleSessions`).
        public var sessionExpiryInterval: Duration
        /// How long `shutdown()` lets requests in flight finish before closing their connections.
        public var shutdownGracePeriod: Duration
        /// A connection that sends nothing for this long, when no answer is being prepared for it, is closed.
        public var connectionIdleTimeout: Duration

        public init(host: String = "127.0.0.1", port: Int = 8080, maxBodySize: Int = 8 << 20,
                    sessionExpiryInterval: Duration = .seconds(30), shutdownGracePeriod: Duration = .seconds(10),
                    connectionIdleTimeout: Duration = .seconds(60)) {
            self.connectionIdleTimeout = connectionIdleTimeout
            self.host = host
            self.port = port
            self.maxBodySize = maxBodySize
            self.sessionExpiryInterval = sessionExpiryInterval
            self.shutdownGracePeriod = shutdownGracePeriod
        }
    }

    /// The host as configured.
    public let host: String
    /// The bound port (the real one when the configuration asked for 0).
    public let port: Int
    /// Where clients post: `http://host:port/sync`.
    public var url: String { "http://\(Self.bracketed(host)):\(port)/sync" }

    private let serverChannel: any Channel
    private let connections: ConnectionRegistry
    private let expiry: Task<Void, Never>
    private let gracePeriod: Duration
    private let logger: Logger
    private let shutDown = NIOLockedValueBox(false)

    private init(host: String, port: Int, serverChannel: any Channel, connections: ConnectionRegistry,
                 expiry: Task<Void, Never>, gracePeriod: Duration, logger: Logger) {
        self.host = host
        self.port = port
        self.serverChannel = serverChannel
        self.connections = connections
        self.expiry = expiry
        self.gracePeriod = gracePeriod
        self.logger = logger
    }

    /// Binds and starts serving `engine`; returns once the socket listens.
    public static func start(engine: SyncServer, configuration: Configuration = Configuration(),
                             logger: Logger = Logger(label: "syncml.http")) async throws(HTTPServerError) -> HTTPSyncServer {
        let (host, maxBodySize) = (configuration.host, configuration.maxBodySize)
        let idleTimeout = TimeAmount.nanoseconds(configuration.connectionIdleTimeout.nanoseconds)
        guard (0...65535).contains(configuration.port) else {
            throw HTTPServerError(host: host, port: configuration.port, reason: "port out of range")
        }
        let connections = ConnectionRegistry()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        SyncHTTPHandler(engine: engine, maxBodySize: maxBodySize, logger: logger))
                    connections.add(channel)
                }
            }

        let serverChannel: any Channel
        do {
            serverChannel = try await bootstrap.bind(host: host, port: configuration.port).get()
        } catch {
            throw HTTPServerError(host: host, port: configuration.port, cause: error)
        }
        let port = serverChannel.localAddress?.port ?? configuration.port

        let interval = configuration.sessionExpiryInterval
        let expiry = Task {
            while (try? await Task.sleep(for: interval)) != nil {
                await engine.expireIdleSessions()
            }
        }
        logger.info("listening", metadata: ["host": "\(host)", "port": "\(port)"])
        return HTTPSyncServer(host: host, port: port, serverChannel: serverChannel, connections: connections,
                              expiry: expiry, gracePeriod: configuration.shutdownGracePeriod, logger: logger)
    }

    /// Stops accepting, closes idle connections, lets requests in flight be
    /// answered (for at most the grace period), then returns. Later calls do nothing.
    public func shutdown() async {
        let first = shutDown.withLockedValue { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        expiry.cancel()
        try? await serverChannel.close()
        let open = connections.quiesceAll(closingWithin: .nanoseconds(Int64(gracePeriod.nanoseconds)))
        for channel in open {
            try? await channel.closeFuture.get()
        }
        logger.info("stopped", metadata: ["host": "\(host)", "port": "\(port)"])
    }

    static func bracketed(_ host: String) -> String {
        host.contains(":") ? "[\(host)]" : host
    }
}

extension Duration {
    /// The whole duration in nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
