public import Logging

/// `/health` and `/metrics` on an address of their own, off the public listener
/// (`syncml serve --metrics-address 127.0.0.1:9090`): a scraper or a probe on the
/// private side, nothing else served. Plain HTTP, a handful of connections.
///
/// It reports for an `HTTPListener`: `/health` turns 503 as soon as that
/// listener's shutdown begins, so shut this one down after it.
public final class OperationsListener: Sendable {
    /// Where the operations listener serves, and whether it serves metrics.
    public struct Configuration: Sendable {
        /// The address to listen on: loopback by default, the metrics are for the operator's side.
        public var host: String
        /// 0 picks a free port; `OperationsListener.port` tells which.
        public var port: Int
        /// What `GET /metrics` answers; nil serves `/health` only.
        public var metrics: MetricsEndpoint?

        /// The defaults listen on 127.0.0.1:9090, `/health` only.
        public init(host: String = "127.0.0.1", port: Int = 9090, metrics: MetricsEndpoint? = nil) {
            self.host = host
            self.port = port
            self.metrics = metrics
        }
    }

    /// The host as configured.
    public let host: String
    /// The bound port.
    public let port: Int
    /// `http://host:port`.
    public var url: String { "http://\(HTTPListener.bracketed(host)):\(port)" }

    private let socket: ListenerSocket
    private let logger: Logger

    /// A scrape or probe is small: a few connections and short deadlines are plenty.
    private static let limits = ListenerSocket.Limits(maxConnections: 16, idleTimeout: .seconds(30), requestTimeout: .seconds(10))

    private init(host: String, socket: ListenerSocket, logger: Logger) {
        self.host = host
        self.port = socket.port
        self.socket = socket
        self.logger = logger
    }

    /// Binds and starts answering for `listener`; returns once the socket listens.
    public static func start(for listener: HTTPListener, configuration: Configuration = Configuration(),
                             logger: Logger = Logger(label: "syncml.operations")) async throws(HTTPListenerError) -> OperationsListener {
        let engine = listener.engine
        let operations = OperationsResponder(engine: engine, state: listener.state, metrics: configuration.metrics, logger: logger,
                                             executor: listener.engineExecutor)
        let routes = Routes(sync: false, metrics: configuration.metrics != nil)
        let addressing = ServerAddressing(scheme: "http", publicURL: nil)
        let socket = try await ListenerSocket.bind(host: configuration.host, port: configuration.port, limits: limits, tls: nil,
                                                   logger: logger) {
            SyncHTTPHandler(engine: engine, operations: operations, routes: routes, maxBodySize: 4096, addressing: addressing, logger: logger)
        }
        logger.info("operations endpoints listening", metadata: ["host": "\(configuration.host)", "port": "\(socket.port)"])
        return OperationsListener(host: configuration.host, socket: socket, logger: logger)
    }

    /// Stops accepting and closes its connections (a second after their answer at most).
    public func shutdown() async {
        await socket.close(gracePeriod: .seconds(1))
        logger.info("operations endpoints stopped", metadata: ["host": "\(host)", "port": "\(port)"])
    }
}
