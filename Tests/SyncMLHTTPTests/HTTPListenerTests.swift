import Foundation
import SyncMLHTTP
import SyncMLServer
import SyncMLStore
import TestSupport
import Testing

private let wbxml = "Content-Type: application/vnd.syncml+wbxml"
/// `shared/fixtures` beside the package, or under `SYNCML_SHARED`.
private let sharedFixtures: URL = {
    if let path = ProcessInfo.processInfo.environment["SYNCML_SHARED"] {
        return URL(fileURLWithPath: path).appendingPathComponent("fixtures")
    }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
}()

/// Not SyncML at all: whatever the engine answers, it is not a 2xx.
private let garbage = Array("definitely not WBXML".utf8)

@Suite("HTTPListener over loopback", .ownThreads)
struct HTTPSyncServerTests {
    @Test("binds an ephemeral port and reports it in its URL")
    func ephemeralPort() async throws {
        try await TestServer.with { server in
            #expect(server.http.port > 0)
            #expect(server.http.url == "http://127.0.0.1:\(server.http.port)/sync")
            #expect(server.http.scheme == "http")
        }
    }

    @Test("GET on / and /sync is a text page saying where to point a client; other paths are 404")
    func infoPage() async throws {
        try await TestServer.with { server in
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                for path in ["/", "/sync", "/sync?x=1"] {
                    try await connection.send("GET", path)
                    let page = try await connection.response()
                    #expect(page.status == 200)
                    #expect(page.headers["content-type"]?.hasPrefix("text/plain") == true)
                    #expect(page.text.contains("SyncML"))
                    #expect(page.text.contains("http://test.invalid:8080/sync"), "the Host header names the server")
                }
                try await connection.send("HEAD", "/sync")
                let head = try await connection.response(forHEAD: true)
                #expect(head.status == 200 && head.body.isEmpty)
                try await connection.send("GET", "/favicon.ico")
                #expect(try await connection.response().status == 404)
                try await connection.send("DELETE", "/sync")
                let delete = try await connection.response()
                #expect(delete.status == 405)
                #expect(delete.headers["allow"] == "GET, HEAD, POST")
            }
        }
    }

    @Test("a POST that is not a SyncML media type is 415, and the connection stays usable")
    func unsupportedMediaType() async throws {
        try await TestServer.with { server in
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                for type in ["text/plain", "application/xml", "application/vnd.syncml+wbxmlx"] {
                    try await connection.send("POST", "/sync", headers: ["Content-Type: \(type)"], body: garbage)
                    let response = try await connection.response()
                    #expect(response.status == 415, "\(type)")
                    #expect(response.text.contains("application/vnd.syncml+wbxml"))
                }
                try await connection.send("POST", "/sync", body: garbage)
                #expect(try await connection.response().status == 415, "no Content-Type at all")
                try await connection.send("GET", "/")
                #expect(try await connection.response().status == 200)
            }
        }
    }

    @Test("a POST with a SyncML type gets exactly what SyncServer.handle answers, whatever the path, case or parameters")
    func postReachesTheEngine() async throws {
        try await TestServer.with { server in
            let direct = await server.engine.handle(
                SyncRequest(body: garbage, contentType: "application/vnd.syncml+wbxml", url: "http://test.invalid:8080/sync"))
            #expect(!(200..<300).contains(direct.httpStatus), "garbage is not a SyncML message")
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                let types = ["application/vnd.syncml+wbxml", "Application/VND.SyncML+XML; charset=UTF-8", "application/vnd.syncml+xml ;charset=utf-8"]
                for (type, path) in zip(types, ["/sync", "/funambol/ds?sessionid=1", "/"]) {
                    try await connection.send("POST", path, headers: ["Content-Type: \(type)"], body: garbage)
                    let response = try await connection.response()
                    #expect(response.status == direct.httpStatus, "\(type) \(path)")
                    #expect(response.headers["content-type"] == direct.contentType)
                    #expect(response.body == direct.body)
                }
            }
        }
    }

    @Test("with an engine executor, the engine's work for a POST and for GET /health runs there")
    func engineExecutor() async throws {
        guard #available(macOS 15.0, *) else { return }
        let executor = OwnThreadExecutor()
        let server = try await TestServer.start(configuration: .init(host: "127.0.0.1", port: 0, engineExecutor: executor))
        do {
            #expect(executor.jobsEnqueued == 0)
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                try await connection.send("POST", "/sync", headers: ["Content-Type: application/vnd.syncml+wbxml"], body: garbage)
                #expect(try await connection.response().status == 400)
                let afterPost = executor.jobsEnqueued
                #expect(afterPost > 0)
                try await connection.send("GET", "/health")
                // 503 when the store misses the probe's budget in a loaded test run: answered all the same.
                #expect([200, 503].contains(try await connection.response().status))
                #expect(executor.jobsEnqueued > afterPost)
            }
            await server.http.shutdown()
        } catch {
            await server.http.shutdown()
            throw error
        }
    }

    @Test("the health check's store probe runs on the executor it is given, not on the pool")
    func probeOnExecutor() async throws {
        guard #available(macOS 15.0, *) else { return }
        let executor = OwnThreadExecutor()
        // Generous: the check must answer from the probe, not from its timer.
        let health = await SyncServer.check(timeout: .seconds(120), on: executor) {}
        #expect(health == .answering)
        #expect(executor.jobsEnqueued > 0)
    }

    @Test("a recorded SyncEvolution message gets a SyncML reply with HTTP 200 (its errors travel inside SyncML)")
    func recordedClientMessage() async throws {
        let message = try Array(Data(contentsOf: sharedFixtures.appendingPathComponent("syncevolution/06-bad-password-401-xml/002-c2s.xml")))
        let type = "application/vnd.syncml+xml"
        try await TestServer.with { server in
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                try await connection.send("POST", "/sync", headers: ["Content-Type: \(type)"], body: message)
                let response = try await connection.response()
                #expect(response.status == 200)
                #expect(response.headers["content-type"]?.hasPrefix(type) == true)
                #expect(response.text.contains("<SyncML"))
            }
        }
    }

    @Test("a POST without a body is 400")
    func missingBody() async throws {
        try await TestServer.with { server in
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                try await connection.send("POST", "/sync", headers: [wbxml])
                #expect(try await connection.response().status == 400)
                try await connection.send("POST", "/sync", headers: [wbxml, "Content-Length: 0"])
                #expect(try await connection.response().status == 400)
            }
        }
    }

    @Test("a body over the limit is 413 and the connection closes, whether the length is announced or chunked")
    func oversizedBody() async throws {
        try await TestServer.with(maxBodySize: 1024) { server in
            let large = [UInt8](repeating: 0x41, count: 4096)
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                try await connection.send("POST", "/sync", headers: [wbxml], body: large)
                let response = try await connection.response()
                #expect(response.status == 413)
                #expect(response.headers["connection"] == "close")
                #expect(try await connection.closedByServer())
            }
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                var chunked = RawHTTPConnection.request("POST", "/sync", headers: [wbxml, "Transfer-Encoding: chunked"])
                for _ in 0..<4 { chunked += Array("200\r\n".utf8) + [UInt8](repeating: 0x41, count: 512) + Array("\r\n".utf8) }
                try await connection.send(chunked)
                #expect(try await connection.response().status == 413)
                #expect(try await connection.closedByServer())
            }
            // A body exactly at the limit is the engine's business.
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                try await connection.send("POST", "/sync", headers: [wbxml], body: [UInt8](repeating: 0x41, count: 1024))
                #expect(try await connection.response().status != 413)
            }
        }
    }

    @Test("Expect: 100-continue gets 100 Continue before the body; an oversized one gets 413 at once")
    func expectContinue() async throws {
        try await TestServer.with(maxBodySize: 1024) { server in
            let direct = await server.engine.handle(SyncRequest(body: garbage, contentType: "application/vnd.syncml+wbxml", url: ""))
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                try await connection.send(RawHTTPConnection.request(
                    "POST", "/sync", headers: [wbxml, "Expect: 100-continue", "Content-Length: \(garbage.count)"]))
                #expect(try await connection.response().status == 100)
                try await connection.send(garbage)
                #expect(try await connection.response().status == direct.httpStatus)
            }
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                try await connection.send(RawHTTPConnection.request(
                    "POST", "/sync", headers: [wbxml, "Expect: 100-continue", "Content-Length: 5000"]))
                #expect(try await connection.response().status == 413)
                #expect(try await connection.closedByServer())
            }
        }
    }

    @Test("keep-alive: several requests on one connection, one after another and pipelined")
    func keepAlive() async throws {
        try await TestServer.with { server in
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                try await connection.send("GET", "/sync")
                #expect(try await connection.response().status == 200)
                try await connection.send("POST", "/sync", headers: [wbxml], body: garbage)
                let first = try await connection.response()
                try await connection.send("POST", "/sync", headers: [wbxml], body: garbage)
                #expect(try await connection.response().status == first.status)

                // Three requests in one write: three answers, in order.
                try await connection.send(
                    RawHTTPConnection.request("GET", "/")
                        + RawHTTPConnection.request("POST", "/sync", headers: ["Content-Type: text/plain"], body: garbage)
                        + RawHTTPConnection.request("POST", "/sync", headers: [wbxml], body: garbage))
                #expect(try await connection.response().status == 200)
                #expect(try await connection.response().status == 415)
                #expect(try await connection.response().status == first.status)
            }
        }
    }

    @Test("requests for the engine pipelined behind one the engine is answering are each answered, in order")
    func pipelinedEngineRequests() async throws {
        try await TestServer.with { server in
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                try await connection.send("POST", "/sync", headers: [wbxml], body: garbage)
                let single = try await connection.response()
                try await connection.send(
                    RawHTTPConnection.request("POST", "/sync", headers: [wbxml], body: garbage)
                        + RawHTTPConnection.request("POST", "/sync", headers: [wbxml], body: garbage)
                        + RawHTTPConnection.request("GET", "/"))
                #expect(try await connection.response().status == single.status)
                #expect(try await connection.response().status == single.status)
                #expect(try await connection.response().status == 200)
            }
        }
    }

    @Test("Connection: close is honoured")
    func connectionClose() async throws {
        try await TestServer.with { server in
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                try await connection.send("GET", "/", headers: ["Connection: close"])
                let response = try await connection.response()
                #expect(response.status == 200)
                #expect(response.headers["connection"] == "close")
                #expect(try await connection.closedByServer())
            }
        }
    }

    @Test("a client that stalls in the middle of a request is disconnected after the idle timeout; others are served meanwhile")
    func stalledClient() async throws {
        let server = try await TestServer.start(idleTimeout: .seconds(3))
        try await RawHTTPConnection.with(port: server.http.port) { stalled in
            // Headers announce 1000 bytes; 10 arrive, then nothing.
            try await stalled.send(Array("POST /sync HTTP/1.1\r\nHost: x\r\n\(wbxml)\r\nContent-Length: 1000\r\n\r\n0123456789".utf8))
            try await RawHTTPConnection.with(port: server.http.port) { other in
                try await other.send("GET", "/")
                #expect(try await other.response().status == 200)
            }
            #expect(try await stalled.closedByServer())
        }
        await server.http.shutdown()
    }

    @Test("many connections at once are all answered")
    func concurrentConnections() async throws {
        try await TestServer.with { server in
            let port = server.http.port
            let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                for index in 0..<16 {
                    group.addTask {
                        try await RawHTTPConnection.with(port: port) { connection in
                            var statuses: [Int] = []
                            for _ in 0..<3 {
                                try await connection.send("POST", "/sync?client=\(index)", headers: [wbxml], body: garbage)
                                statuses.append(try await connection.response().status)
                            }
                            return statuses
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(statuses.count == 48)
            #expect(Set(statuses).count == 1)
            #expect(!statuses.contains(413) && !statuses.contains(415))
        }
    }

    @Test("shutdown closes idle connections and stops accepting; a second shutdown does nothing")
    func shutdown() async throws {
        let server = try await TestServer.start()
        let port = server.http.port
        try await RawHTTPConnection.with(port: port) { connection in
            try await connection.send("GET", "/")
            #expect(try await connection.response().status == 200)
            await server.http.shutdown()
            #expect(try await connection.closedByServer())
        }
        await server.http.shutdown()
        await #expect(throws: (any Error).self) {
            try await RawHTTPConnection.with(port: port) { _ in }
        }
    }

    @Test("a port already in use is an HTTPListenerError that says so")
    func portInUse() async throws {
        try await TestServer.with { server in
            let engine = SyncServer(store: try SyncStore(path: ":memory:"))
            let error = await #expect(throws: HTTPListenerError.self) {
                _ = try await HTTPListener.start(engine: engine, configuration: .init(port: server.http.port))
            }
            #expect(error?.description == "cannot listen on 127.0.0.1:\(server.http.port): address already in use")
        }
    }
}
