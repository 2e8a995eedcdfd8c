import Foundation
import Logging
import Prometheus
import SyncMLClient
@testable import SyncMLHTTP
import SyncMLServer
import TestSupport
import Testing

private let wbxml = "Content-Type: application/vnd.syncml+wbxml"
/// Bodies up to 100 000 bytes, 400 000 of them at once: anonymous requests may hold 200 000.
private let maxBody = 100_000, ceiling = 400_000

/// Runs `body` against a server with a small body budget and shuts it down afterwards.
private func withServer(requestTimeout: Duration = .seconds(60), idleTimeout: Duration = .seconds(60),
                        registry: PrometheusCollectorRegistry? = nil, _ body: (TestServer) async throws -> Void) async throws {
    try await TestServer.with(
        configuration: .init(host: "127.0.0.1", port: 0, maxBodySize: maxBody, maxBodyBytesInFlight: ceiling,
                             connectionIdleTimeout: idleTimeout, requestTimeout: requestTimeout,
                             metricsFactory: registry.map { PrometheusMetricsFactory(registry: $0) }),
        store: try await SyncFixture.store(), body)
}

/// Waits (at most 20 s) until `condition` holds; false if it never did.
private func eventually(_ condition: () -> Bool) async throws -> Bool {
    for _ in 0..<1000 where !condition() {
        try await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// A POST announcing `length` bytes with the first `sent` of them.
private func partialPost(_ target: String = "/sync", length: Int, sent: Int) -> [UInt8] {
    RawHTTPConnection.request("POST", target, headers: [wbxml, "Content-Length: \(length)"]) + [UInt8](repeating: 0x41, count: sent)
}

/// Two anonymous bodies announcing 90 000 bytes, 80 000 of them sent, held
/// open: 180 000 of the 200 000 bytes anonymous requests may hold.
private func fillAnonymousShare(_ server: TestServer) async throws -> [Task<Void, any Error>] {
    let holders = (0..<2).map { _ in holding(partialPost(length: 90_000, sent: 80_000), port: server.http.port) }
    #expect(try await eventually { server.http.bodyBytesInFlight == 180_000 })
    return holders
}

/// Posts the head of a 90 000-byte body to `target` and expects 503: no room left.
private func expectRefused(_ target: String = "/sync", port: Int, _ comment: Comment? = nil) async throws {
    try await RawHTTPConnection.with(port: port) { connection in
        try await connection.send(partialPost(target, length: 90_000, sent: 10))
        #expect(try await connection.response().status == 503, comment)
    }
}

/// Opens a connection that sends `request` and then holds it, unanswered, until the task is cancelled.
/// The task runs on a thread of its own, as the test does (an unstructured task does not inherit
/// the test's executor, and the cooperative pool can be busy for a minute under the whole suite).
private func holding(_ request: [UInt8], port: Int) -> Task<Void, any Error> {
    let hold: @Sendable () async throws -> Void = {
        try await RawHTTPConnection.with(port: port) { connection in
            try await connection.send(request)
            try await Task.sleep(for: .seconds(60))
        }
    }
    if #available(macOS 15.0, *) { return Task(executorPreference: OwnThreadExecutor(), operation: hold) }
    return Task(operation: hold)
}

@Suite("HTTP limits: the body budget all connections share", .ownThreads)
struct BodyBudgetTests {
    @Test("anonymous bodies hold at most half the budget, sessions all of it; bytes given back are free again")
    func shares() {
        let budget = BodyBudget(ceiling: 1000, logger: .init(label: "test"), metricsFactory: PrometheusMetricsFactory(registry: .init()))
        #expect(budget.take(500, for: .anonymous))
        #expect(!budget.take(1, for: .anonymous), "the anonymous half is spent")
        #expect(budget.take(500, for: .session))
        #expect(!budget.take(1, for: .session), "the whole budget is spent")
        budget.give(500, for: .anonymous)
        #expect(budget.bytesHeld == 500)
        #expect(!budget.take(501, for: .session))
        #expect(budget.take(500, for: .anonymous))
        budget.give(500, for: .anonymous)
        budget.give(500, for: .session)
        #expect(budget.bytesHeld == 0)
    }

    @Test("many connections each sending part of a large body hold no more than the anonymous share; the next gets 503 with Retry-After and is closed")
    func manyPartialBodies() async throws {
        try await withServer { server in
            let port = server.http.port
            // Each announces 90 000 bytes and sends 80 000: its buffer (and its grant) grows to 90 000.
            let holders = try await fillAnonymousShare(server)
            defer { holders.forEach { $0.cancel() } }
            for _ in 0..<4 {
                try await RawHTTPConnection.with(port: port) { connection in
                    try await connection.send(partialPost(length: 90_000, sent: 80_000))
                    let response = try await connection.response()
                    #expect(response.status == 503)
                    #expect(response.headers["retry-after"] == "5")
                    #expect(response.headers["connection"] == "close")
                    #expect(try await connection.closedByServer())
                }
                #expect(server.http.bodyBytesInFlight <= ceiling / 2)
            }
            #expect(server.http.bodyBytesInFlight == 180_000, "the refused ones hold nothing")
            holders.forEach { $0.cancel() }
            #expect(try await eventually { server.http.bodyBytesInFlight == 0 }, "closing mid-body gives the bytes back")
            // And the budget serves again.
            try await RawHTTPConnection.with(port: port) { connection in
                try await connection.send("POST", "/sync", headers: [wbxml], body: [UInt8](repeating: 0x41, count: 90_000))
                #expect(try await connection.response().status == 400, "the engine's answer to a body that is no SyncML")
            }
        }
    }

    @Test("a chunked body's grant grows as it arrives, and the body is refused mid-way once the share is spent")
    func chunkedBody() async throws {
        try await withServer { server in
            let port = server.http.port
            // Two bodies announce 70 000 bytes and send 60 000: each holds its first grant, 64 KiB.
            let holders = (0..<2).map { _ in holding(partialPost(length: 70_000, sent: 60_000), port: port) }
            defer { holders.forEach { $0.cancel() } }
            #expect(try await eventually { server.http.bodyBytesInFlight == 131_072 })
            try await RawHTTPConnection.with(port: port) { connection in
                let chunk = Array("2000\r\n".utf8) + [UInt8](repeating: 0x41, count: 0x2000) + Array("\r\n".utf8)
                // 64 KiB fit what is left of the anonymous share (68 928 bytes)...
                try await connection.send(RawHTTPConnection.request("POST", "/sync", headers: [wbxml, "Transfer-Encoding: chunked"])
                                          + Array([[UInt8]](repeating: chunk, count: 8).joined()))
                #expect(try await eventually { server.http.bodyBytesInFlight == 196_608 })
                // ...the 100 000 (the body size limit) the body grows to next do not.
                try await connection.send(chunk)
                #expect(try await connection.response().status == 503)
                #expect(try await connection.closedByServer())
            }
            #expect(server.http.bodyBytesInFlight == 131_072)
        }
    }

    @Test("Expect: 100-continue over the budget gets 503 instead of 100 Continue")
    func expectContinue() async throws {
        try await withServer { server in
            let port = server.http.port
            let holders = try await fillAnonymousShare(server)
            defer { holders.forEach { $0.cancel() } }
            try await RawHTTPConnection.with(port: port) { connection in
                try await connection.send(RawHTTPConnection.request("POST", "/sync", headers: [wbxml, "Expect: 100-continue", "Content-Length: 90000"]))
                #expect(try await connection.response().status == 503)
                #expect(try await connection.closedByServer())
            }
        }
    }

    @Test("the count returns to zero after complete, empty, oversized, aborted and refused requests")
    func nothingLeaks() async throws {
        try await withServer { server in
            let port = server.http.port
            // Complete: the engine answers (400: no SyncML) and the connection stays open.
            try await RawHTTPConnection.with(port: port) { connection in
                try await connection.send("POST", "/sync", headers: [wbxml], body: [UInt8](repeating: 0x41, count: 70_000))
                #expect(try await connection.response().status == 400)
                #expect(server.http.bodyBytesInFlight == 0)
                // Empty.
                try await connection.send("POST", "/sync", headers: [wbxml, "Content-Length: 0"])
                #expect(try await connection.response().status == 400)
                #expect(server.http.bodyBytesInFlight == 0)
            }
            // Oversized mid-body (chunked: no length announced).
            try await RawHTTPConnection.with(port: port) { connection in
                var chunked = RawHTTPConnection.request("POST", "/sync", headers: [wbxml, "Transfer-Encoding: chunked"])
                for _ in 0..<13 { chunked += Array("2000\r\n".utf8) + [UInt8](repeating: 0x41, count: 0x2000) + Array("\r\n".utf8) }
                try await connection.send(chunked)
                #expect(try await connection.response().status == 413)
                #expect(server.http.bodyBytesInFlight == 0)
            }
            // Aborted: the client hangs up mid-body.
            try await RawHTTPConnection.with(port: port) { connection in
                try await connection.send(partialPost(length: 90_000, sent: 50_000))
                #expect(try await eventually { server.http.bodyBytesInFlight == 65_536 }, "the first grant")
            }
            #expect(try await eventually { server.http.bodyBytesInFlight == 0 })
            // Refused: over the anonymous share.
            let holders = try await fillAnonymousShare(server)
            try await expectRefused(port: port)
            holders.forEach { $0.cancel() }
            #expect(try await eventually { server.http.bodyBytesInFlight == 0 })
        }
    }

    @Test("a body cut by the request deadline (408) or the idle timeout (closed) is given back", arguments: [true, false])
    func timedOut(byDeadline: Bool) async throws {
        let (short, long) = (Duration.seconds(1), Duration.seconds(60))
        try await withServer(requestTimeout: byDeadline ? short : long, idleTimeout: byDeadline ? long : short) { server in
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                try await connection.send(partialPost(length: 90_000, sent: 50_000))
                // Not checked here: that the first grant is held. The cut comes 1 s after the
                // request began, and on a loaded machine the check came after it (CI of 56948f8);
                // `nothingLeaks` checks the grant with the long timeouts.
                if byDeadline {
                    #expect(try await connection.response().status == 408)
                } else {
                    #expect(try await connection.closedByServer())
                }
            }
            #expect(try await eventually { server.http.bodyBytesInFlight == 0 })
        }
    }

    @Test("a running sync completes while anonymous partial bodies hold their whole share; a guessed session token is anonymous")
    func sessionsFirst() async throws {
        try await withServer { server in
            let port = server.http.port
            let flood = FloodInSession(inner: try HTTPClientTransport()) {
                let holders = try await fillAnonymousShare(server)
                try await expectRefused("/sync?sessionid=0123456789abcdef0123456789abcdef", port: port, "a wrong token is no precedence")
                return holders
            }
            let book = MemoryBook(count: 30)
            let client = try SyncFixture.client(url: server.http.url, book: book, transport: flood)
            let report = try await client.sync()
            await flood.finish()
            #expect(report.isComplete, "\(report)")
            #expect(report.datastores.first?.remote.added == 30, "\(report)")
            #expect(flood.flooded)
            #expect(try await eventually { server.http.bodyBytesInFlight == 0 })
        }
    }

    @Test("the bytes in flight and the refusals are metrics")
    func metrics() async throws {
        let registry = PrometheusCollectorRegistry()
        try await withServer(registry: registry) { server in
            let port = server.http.port
            let holders = try await fillAnonymousShare(server)
            defer { holders.forEach { $0.cancel() } }
            try await expectRefused(port: port)
            let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
            #expect(text.contains("syncml_http_body_bytes_in_flight 180000"), "\(text)")
            #expect(text.contains(#"syncml_http_body_budget_refusals_total{holder="anonymous"} 1"#), "\(text)")
        }
    }

    @Test("a body budget smaller than twice the body size limit is refused at start")
    func budgetBelowTwiceTheBody() async throws {
        await #expect(throws: HTTPListenerError.self) {
            _ = try await TestServer.start(configuration: .init(host: "127.0.0.1", port: 0, maxBodySize: 1000, maxBodyBytesInFlight: 1999))
        }
    }
}

/// A client transport that, before the client's first message to its
/// session's RespURI (the session has authenticated), has anonymous requests
/// fill their share.
private final class FloodInSession: SyncTransport, @unchecked Sendable {
    private let inner: HTTPClientTransport
    private let flood: @Sendable () async throws -> [Task<Void, any Error>]
    private let lock = NSLock()
    private var holders: [Task<Void, any Error>] = []

    init(inner: HTTPClientTransport, flood: @escaping @Sendable () async throws -> [Task<Void, any Error>]) {
        self.inner = inner
        self.flood = flood
    }

    var flooded: Bool { lock.withLock { !holders.isEmpty } }

    func send(_ body: [UInt8], contentType: String, to url: String) async throws -> TransportReply {
        if url.contains("sessionid="), !flooded {
            let started = try await flood()
            lock.withLock { holders = started }
        }
        return try await inner.send(body, contentType: contentType, to: url)
    }

    func finish() async {
        lock.withLock { holders }.forEach { $0.cancel() }
        await inner.shutdown()
    }
}
