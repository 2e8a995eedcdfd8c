import Foundation
import Logging
import NIOConcurrencyHelpers
import SyncMLServer

/// `GET /metrics`: the host's metrics in a text exposition format. The library
/// links no metrics backend; `syncml serve` hands in its Prometheus registry:
///
/// ```swift
/// let registry = PrometheusCollectorRegistry()
/// let metrics = MetricsEndpoint { registry.emitToBuffer() }
/// ```
public struct MetricsEndpoint: Sendable {
    /// The Prometheus text format by default.
    public var contentType: String
    /// The body of one scrape.
    public var render: @Sendable () async -> [UInt8]

    /// An endpoint that answers each scrape with `render()`'s bytes.
    public init(contentType: String = "text/plain; version=0.0.4; charset=utf-8", render: @escaping @Sendable () async -> [UInt8]) {
        self.contentType = contentType
        self.render = render
    }
}

/// Whether a listener still takes work: false from the moment its shutdown begins,
/// so `/health` (on an `OperationsListener` that outlives it) turns 503 first.
final class ServingState: Sendable {
    private let accepting = NIOLockedValueBox(true)

    var isAccepting: Bool { accepting.withLockedValue { $0 } }

    /// Marks the shutdown; true for the first call only.
    func stopAccepting() -> Bool {
        accepting.withLockedValue { value in
            defer { value = false }
            return value
        }
    }
}

/// Answers `/health` and `/metrics`. No authentication and nothing about users:
/// `/health` is 200 when the store answers a trivial query and the server takes
/// work, else 503, with a small JSON body saying which:
/// `{"accepting":true,"status":"ok","store":"ok"}`.
struct OperationsResponder: Sendable {
    let engine: SyncServer
    let state: ServingState
    let metrics: MetricsEndpoint?
    let logger: Logger
    /// Where the health check's store probe runs: the engine's executor (nil: the global one).
    var executor: (any TaskExecutor)? = nil

    /// The body of `/health`.
    struct Health: Encodable, Equatable {
        var status: String
        var accepting: Bool
        /// `ok`, `failing` (its error is logged) or `not answering`.
        var store: String
    }

    func answer(_ route: OperationsRoute) async -> HTTPAnswer {
        switch route {
        case .health:
            return await health()
        case .metrics:
            guard let metrics else { return .plainText(404, "not found: metrics are not served here") }
            await engine.recordStoreSize()
            return HTTPAnswer(status: 200, contentType: metrics.contentType, body: await metrics.render())
        }
    }

    private func health() async -> HTTPAnswer {
        let accepting = state.isAccepting
        let store = await engine.checkStore(on: executor)
        let storeText: String
        switch store {
        case .answering: storeText = "ok"
        case .failing(let error):
            storeText = "failing"
            logger.warning("health check: the store failed", metadata: ["error": "\(error)"])
        case .notAnswering(let timeout):
            storeText = "not answering"
            logger.warning("health check: the store did not answer", metadata: ["within": "\(timeout)"])
        }
        let healthy = accepting && store.isHealthy
        let body = Health(status: healthy ? "ok" : "unavailable", accepting: accepting, store: storeText)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var json: [UInt8] = []
        if let data = try? encoder.encode(body) { json = [UInt8](data) + [0x0A] }
        return HTTPAnswer(status: healthy ? 200 : 503, contentType: "application/json", body: json)
    }
}
