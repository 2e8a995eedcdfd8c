public import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
public import SyncMLServer
/// SyncML over HTTP/1.1 (OMA SyncML HTTP binding 1.2), or HTTPS with a
/// `ServerCertificate`: every POST, whatever its path, goes to a `SyncServer`;
/// GET on `/` or `/sync` says what this is. Every connection is bounded: a
/// request deadline, an idle timeout, a body size limit and a connection limit
/// (see `Configuration`).
///
/// ```swift
/// let http = try await HTTPListener.start(engine: engine, configuration: .init(port: 0))
/// print(http.url)          // http://127.0.0.1:41234/sync
/// await http.shutdown()
/// ```
public final class HTTPListener: Sendable {
    public struct Configuration: Sendable {
        /// The address to listen on; `0.0.0.0` or `::` for every interface.
        public var host: String
        /// 0 picks a free port; `HTTPListener.port` tells which.
        public var port: Int
        /// Serve HTTPS with this certificate; nil serves plain HTTP.
        public var tls: ServerCertificate?
        /// The URL clients use when a reverse proxy stands in front (see `PublicURL`);
        /// nil builds each request's URL from its Host header and this listener's scheme.
        public var publicURL: PublicURL?
        /// The largest request body; a larger one is answered 413 and its connection closed.
        public var maxBodySize: Int
        /// How often idle sessions are expired (`SyncServer.expireIdleSessions`).
        public var sessionExpiryInterval: Duration
        /// How long `shutdown()` lets requests in flight finish before closing their connections.
        public var shutdownGracePeriod: Duration
        /// A connection that sends nothing for this long, when no answer is being prepared for it, is closed.
        public var connectionIdleTimeout: Duration
        /// A request's head and body must arrive within this time, counted from its
        /// first byte (from accept for a connection's first request); past it the
        /// client gets 408 and the connection closes. Waiting for the answer does not count.
        public var requestTimeout: Duration
        /// At most this many connections are open at once; one more is closed as soon as it is accepted.
        public var maxConnections: Int

        public init(host: String = "127.0.0.1", port: Int = 8080, tls: ServerCertificate? = nil, publicURL: PublicURL? = nil,
                    maxBodySize: Int = 8 << 20, sessionExpiryInterval: Duration = .seconds(30),
                    shutdownGracePeriod: Duration = .seconds(10), connectionIdleTimeout: Duration = .seconds(60),
                    requestTimeout: Duration = .seconds(60), maxConnections: Int = 256) {
            self.host = host
            self.port = port
            self.tls = tls
            self.publicURL = publicURL
            self.maxBodySize = maxBodySize
            self.sessionExpiryInterval = sessionExpiryInterval
            self.shutdownGracePeriod = shutdownGracePeriod
            self.connectionIdleTimeout = connectionIdleTimeout
            self.requestTimeout = requestTimeout
            self.maxConnections = maxConnections
        }
    }

    /// The host as configured.
    public let host: String
    /// The bound port (the real one when the configuration asked for 0).
    public let port: Int
    /// `https` when the listener serves TLS, else `http`.
    public let scheme: String
    /// Where this listener takes posts: `http://host:port/sync` (`https://` with TLS).
    /// Behind a reverse proxy, clients are given the configuration's `publicURL` instead.
    public var url: String { "\(scheme)://\(Self.bracketed(host)):\(port)/sync" }

    private let serverChannel: any Channel
    private let connections: ConnectionRegistry
    private let expiry: Task<Void, Never>
    private let gracePeriod: Duration
    private let logger: Logger
    private let shutDown = NIOLockedValueBox(false)

    private init(host: String, port: Int, scheme: String, serverChannel: any Channel, connections: ConnectionRegistry,
                 expiry: Task<Void, Never>, gracePeriod: Duration, logger: Logger) {
        self.host = host
        self.port = port
        self.scheme = scheme
        self.serverChannel = serverChannel
        self.connections = connections
        self.expiry = expiry
        self.gracePeriod = gracePeriod
        self.logger = logger
    }

    /// Binds and starts serving `engine`; returns once the socket listens.
    ///
    /// Each connection's pipeline, in order: the idle timeout (on raw bytes),
    /// TLS when configured, the request deadline, NIO's HTTP/1.1 codec with
    /// pipelining and error handling, and `SyncHTTPHandler`. The connection
    /// limit sits on the listening socket, ahead of all of it.
    public static func start(engine: SyncServer, configuration: Configuration = Configuration(),
                             logger: Logger = Logger(label: "syncml.http")) async throws(HTTPListenerError) -> HTTPListener {
        let (host, maxBodySize, tls) = (configuration.host, configuration.maxBodySize, configuration.tls)
        let idleTimeout = TimeAmount.nanoseconds(configuration.connectionIdleTimeout.nanoseconds)
        let requestTimeout = TimeAmount.nanoseconds(configuration.requestTimeout.nanoseconds)
        let (maxConnections, scheme) = (configuration.maxConnections, tls == nil ? "http" : "https")
        let addressing = ServerAddressing(scheme: scheme, publicURL: configuration.publicURL)
        guard (0...65535).contains(configuration.port) else {
            throw HTTPListenerError(host: host, port: configuration.port, reason: "port out of range")
        }
        for (name, value) in [("request timeout", configuration.requestTimeout), ("idle timeout", configuration.connectionIdleTimeout)]
        where value <= .zero {
            throw HTTPListenerError(host: host, port: configuration.port, reason: "the \(name) must be positive")
        }
        guard maxConnections > 0, maxBodySize > 0 else {
            throw HTTPListenerError(host: host, port: configuration.port, reason: "the connection and body size limits must be positive")
        }
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
                    try pipeline.addHandler(
                        SyncHTTPHandler(engine: engine, maxBodySize: maxBodySize, addressing: addressing, logger: logger))
                    connections.add(channel)
                }
            }

        let serverChannel: any Channel
        do {
            serverChannel = try await bootstrap.bind(host: host, port: configuration.port).get()
        } catch {
            throw HTTPListenerError(host: host, port: configuration.port, cause: error)
        }
        let port = serverChannel.localAddress?.port ?? configuration.port

        let interval = configuration.sessionExpiryInterval
        let expiry = Task {
            while (try? await Task.sleep(for: interval)) != nil {
                await engine.expireIdleSessions()
            }
        }
        logger.info("listening", metadata: ["host": "\(host)", "port": "\(port)", "scheme": "\(scheme)"])
        return HTTPListener(host: host, port: port, scheme: scheme, serverChannel: serverChannel, connections: connections,
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
