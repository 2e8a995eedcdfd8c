import Foundation
import Logging
import Prometheus
import SyncMLClient
import SyncMLHTTP
import SyncMLServer
import SyncMLStore
import TestSupport
import Testing

/// A listener whose server reports to its own Prometheus registry, and `/metrics` serving it.
private struct MeteredServer {
    let registry = PrometheusCollectorRegistry()
    let store: SyncStore
    let engine: SyncServer

    init() async throws {
        store = try await SyncFixture.store()
        engine = SyncServer(store: store, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                            metricsFactory: PrometheusMetricsFactory(registry: registry))
    }

    var endpoint: MetricsEndpoint {
        let registry = self.registry
        return MetricsEndpoint { registry.emitToBuffer() }
    }

    func listen(metricsHere: Bool) async throws -> HTTPListener {
        var logger = Logger(label: "syncml.http.test")
        logger.logLevel = .warning
        var configuration = HTTPListener.Configuration(host: "127.0.0.1", port: 0, metrics: metricsHere ? endpoint : nil)
        if #available(macOS 15.0, *) { configuration.engineExecutor = OwnThreadExecutor() }  // as `TestServer`'s
        return try await HTTPListener.start(engine: engine, configuration: configuration, logger: logger)
    }
}

/// `GET path` on a fresh connection.
private func get(_ path: String, port: Int) async throws -> RawHTTPResponse {
    try await RawHTTPConnection.with(port: port) { connection in
        try await connection.send("GET", path)
        return try await connection.response()
    }
}

/// `/health` (GET, or HEAD) until it is not a 503 for want of a store answer: in a
/// test run that loads both cores, the in-process store can miss the check's budget.
/// A HEAD answer has no body to say why it is a 503, so any 503 is asked again.
private func askHealth(_ method: String = "GET", port: Int) async throws -> RawHTTPResponse {
    func ask() async throws -> RawHTTPResponse {
        try await RawHTTPConnection.with(port: port) { connection in
            try await connection.send(method, "/health")
            return try await connection.response(forHEAD: method == "HEAD")
        }
    }
    var response = try await ask()
    for _ in 0..<3 where response.status == 503 && (method == "HEAD" || response.text.contains("not answering")) {
        response = try await ask()
    }
    return response
}

@Suite("HTTPListener: /health and /metrics", .ownThreads)
struct OperationsEndpointTests {
    @Test("GET /health is 200 with a small JSON body while the listener serves; HEAD too")
    func health() async throws {
        try await TestServer.with { server in
            let answer = try await askHealth(port: server.http.port)
            #expect(answer.status == 200)
            #expect(answer.headers["content-type"] == "application/json")
            #expect(answer.text == "{\"accepting\":true,\"status\":\"ok\",\"store\":\"ok\"}\n")
            let head = try await askHealth("HEAD", port: server.http.port)
            #expect(head.status == 200 && head.body.isEmpty)
            #expect(server.http.isAccepting)
        }
    }

    @Test("without a metrics endpoint /metrics is 404; with one, a scrape shows a session that moved after a sync")
    func metricsAfterASync() async throws {
        let plain = try await TestServer.start()
        #expect(try await get("/metrics", port: plain.http.port).status == 404)
        await plain.http.shutdown()

        let server = try await MeteredServer()
        let http = try await server.listen(metricsHere: true)
        let before = try await get("/metrics", port: http.port)
        #expect(before.status == 200)
        #expect(before.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(!before.text.contains("syncml_sessions_total{"))
        #expect(before.text.contains("syncml_store_size_bytes "), "the store's size is read for each scrape")

        let transport = try HTTPClientTransport()
        let book = MemoryBook(count: 5)
        let report = try await SyncFixture.client(url: http.url, book: book, transport: transport).sync()
        await transport.shutdown()
        #expect(report.datastores.count == 1)

        let after = try await get("/metrics", port: http.port).text
        #expect(after.contains("syncml_sessions_total{outcome=\"completed\",mode=\"slow\"} 1"), "\(after)")
        #expect(after.contains("syncml_items_received_total{operation=\"add\"} 5"), "\(after)")
        #expect(after.contains("syncml_message_duration_seconds_count "))
        await http.shutdown()
    }

    @Test("an OperationsListener serves /health and /metrics on its own address and nothing else; the sync listener then has no /metrics")
    func separateAddress() async throws {
        let server = try await MeteredServer()
        let http = try await server.listen(metricsHere: false)
        let operations = try await OperationsListener.start(for: http, configuration: .init(host: "127.0.0.1", port: 0, metrics: server.endpoint))
        #expect(operations.url == "http://127.0.0.1:\(operations.port)")

        #expect(try await get("/metrics", port: http.port).status == 404, "not on the public listener")
        #expect(try await askHealth(port: http.port).status == 200)
        #expect(try await get("/metrics", port: operations.port).text.contains("syncml_store_size_bytes"))
        #expect(try await askHealth(port: operations.port).status == 200)
        for path in ["/", "/sync"] {
            #expect(try await get(path, port: operations.port).status == 404, "\(path): no SyncML there")
        }
        try await RawHTTPConnection.with(port: operations.port) { connection in
            try await connection.send("POST", "/sync", headers: ["Content-Type: application/vnd.syncml+xml"], body: Array("<SyncML/>".utf8))
            #expect(try await connection.response().status == 404)
        }

        // Shutting the sync listener down turns /health to 503 where it is still asked.
        await http.shutdown()
        #expect(!http.isAccepting)
        let down = try await askHealth(port: operations.port)
        #expect(down.status == 503)
        #expect(down.text == "{\"accepting\":false,\"status\":\"unavailable\",\"store\":\"ok\"}\n")
        await operations.shutdown()
    }
}
