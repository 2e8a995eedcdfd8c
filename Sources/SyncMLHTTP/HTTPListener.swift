public import CoreMetrics
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
/// request deadline, an idle timeout, a body size limit and a connection limit,
/// and all connections' bodies together by the body budget (see `Configuration`). For operators, `GET /health` says whether the store
/// answers and the listener takes work (200, or 503 once shutdown begins), and
/// `GET /metrics` is served when `Configuration.metrics` is set (or on an
/// `OperationsListener` of its own, off the public address).
///
/// ```swift
/// let http = try await HTTPListener.start(engine: engine, configuration: .init(port: 0))
/// print(http.url)          // http://127.0.0.1:41234/sync
/// await http.shutdown()
/// ```
public final class HTTPListener: Sendable {
    /// Where and how the listener serves: address, TLS, limits, timeouts, metrics.
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
        /// The most request body bytes all connections together may hold before the
        /// engine takes them (at least twice `maxBodySize`). Requests that belong to no
        /// running session (by its RespURI token or its connection) may hold half of it;
        /// one that does not fit is answered 503 with `Retry-After` and its connection closed.
        public var maxBodyBytesInFlight: Int
        /// How often idle sessions are expired (`SyncServer.expireIdleSessions`);
        /// nil when the host runs the expiry itself (`syncml serve` runs it as a service).
        public var sessionExpiryInterval: Duration?
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
        /// What `GET /metrics` answers here; nil serves no metrics on this listener.
        public var metrics: MetricsEndpoint?
        /// Where the engine's work for each request runs; nil runs it on the global
        /// concurrent executor (Swift's cooperative pool). A host whose pool also runs
        /// long synchronous work of its own can give the server an executor of its
        /// own, so that requests are answered however busy the pool is. Honoured on
        /// Linux and on macOS 15 and later.
        public var engineExecutor: (any TaskExecutor)?
        /// Where the listener's metrics go (the body budget's); nil: the process's `MetricsSystem`.
        public var metricsFactory: (any MetricsFactory)?

        /// Whether anonymous requests' share of the body budget holds a whole body of
        /// `maxBodySize`: else a session's first message (always anonymous) could never
        /// fit, and its client would retry forever. `start` refuses a configuration without it.
        package var budgetHoldsAnAnonymousBody: Bool { BodyBudget.anonymousShare(of: maxBodyBytesInFlight) >= maxBodySize }

        /// The defaults listen on 127.0.0.1:8080 in plain HTTP: bodies up to 8 MiB and 64 MiB of them
        /// at once, 256 connections, 60 s timeouts.
        public init(host: String = "127.0.0.1", port: Int = 8080, tls: ServerCertificate? = nil, publicURL: PublicURL? = nil,
                    maxBodySize: Int = 8 << 20, maxBodyBytesInFlight: Int = 64 << 20, sessionExpiryInterval: Duration? = .seconds(30),
                    shutdownGracePeriod: Duration = .seconds(10), connectionIdleTimeout: Duration = .seconds(60),
                    requestTimeout: Duration = .seconds(60), maxConnections: Int = 256, metrics: MetricsEndpoint? = nil,
                    engineExecutor: (any TaskExecutor)? = nil, metricsFactory: (any MetricsFactory)? = nil) {
            self.host = host
            self.port = port
            self.tls = tls
            self.publicURL = publicURL
            self.maxBodySize = maxBodySize
            self.maxBodyBytesInFlight = maxBodyBytesInFlight
            self.metricsFactory = metricsFactory
            self.sessionExpiryInterval = sessionExpiryInterval
            self.shutdownGracePeriod = shutdownGracePeriod
            self.connectionIdleTimeout = connectionIdleTimeout
            self.requestTimeout = requestTimeout
            self.maxConnections = maxConnections
            self.metrics = metrics
            self.engineExecutor = engineExecutor
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

    /// The server this listener hands its posts to.
    public let engine: SyncServer
    /// Whether the listener still takes work: false once `shutdown()` has begun.
    public var isAccepting: Bool { state.isAccepting }

    private let socket: ListenerSocket
    private let expiry: Task<Void, Never>?
    private let gracePeriod: Duration
    private let logger: Logger
    private let budget: BodyBudget
    let state: ServingState
    /// `Configuration.engineExecutor`, for an `OperationsListener`'s health check.
    let engineExecutor: (any TaskExecutor)?

    private init(engine: SyncServer, host: String, scheme: String, socket: ListenerSocket, state: ServingState, budget: BodyBudget,
                 expiry: Task<Void, Never>?, gracePeriod: Duration, logger: Logger, engineExecutor: (any TaskExecutor)?) {
        self.engine = engine
        self.budget = budget
        self.engineExecutor = engineExecutor
        self.host = host
        self.port = socket.port
        self.scheme = scheme
        self.socket = socket
        self.state = state
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
        let scheme = tls == nil ? "http" : "https"
        let addressing = ServerAddressing(scheme: scheme, publicURL: configuration.publicURL)
        guard maxBodySize > 0 else {
            throw HTTPListenerError(host: host, port: configuration.port, reason: "the connection and body size limits must be positive")
        }
        guard configuration.budgetHoldsAnAnonymousBody else {
            throw HTTPListenerError(host: host, port: configuration.port,
                                    reason: "the body budget (\(configuration.maxBodyBytesInFlight) bytes) must be at least twice the body size limit (\(maxBodySize))")
        }
        let budget = BodyBudget(ceiling: configuration.maxBodyBytesInFlight, logger: logger,
                                metricsFactory: configuration.metricsFactory ?? MetricsSystem.factory)
        let state = ServingState()
        let operations = OperationsResponder(engine: engine, state: state, metrics: configuration.metrics, logger: logger,
                                             executor: configuration.engineExecutor)
        let routes = Routes(sync: true, metrics: configuration.metrics != nil)
        let limits = ListenerSocket.Limits(maxConnections: configuration.maxConnections, idleTimeout: configuration.connectionIdleTimeout,
                                           requestTimeout: configuration.requestTimeout)
        let executor = configuration.engineExecutor
        let socket = try await ListenerSocket.bind(host: host, port: configuration.port, limits: limits, tls: tls, logger: logger) {
            SyncHTTPHandler(engine: engine, operations: operations, routes: routes, maxBodySize: maxBodySize, budget: budget,
                            addressing: addressing, logger: logger, executor: executor)
        }
        let expiry = configuration.sessionExpiryInterval.map { interval in
            Task {
                while (try? await Task.sleep(for: interval)) != nil {
                    await engine.expireIdleSessions()
                }
            }
        }
        logger.info("listening", metadata: ["host": "\(host)", "port": "\(socket.port)", "scheme": "\(scheme)"])
        return HTTPListener(engine: engine, host: host, scheme: scheme, socket: socket, state: state, budget: budget,
                            expiry: expiry, gracePeriod: configuration.shutdownGracePeriod, logger: logger,
                            engineExecutor: configuration.engineExecutor)
    }

    /// Stops accepting, closes idle connections, lets requests in flight be
    /// answered (for at most the grace period), then returns. Later calls do nothing.
    public func shutdown() async {
        guard state.stopAccepting() else { return }
        expiry?.cancel()
        await socket.close(gracePeriod: gracePeriod)
        logger.info("stopped", metadata: ["host": "\(host)", "port": "\(port)"])
    }

    /// Request body bytes the connections hold now, before the engine has them.
    package var bodyBytesInFlight: Int { budget.bytesHeld }

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
