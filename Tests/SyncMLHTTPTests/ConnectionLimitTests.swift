import Foundation
import SyncMLClient
import SyncMLHTTP
import TestSupport
import Testing

private let wbxml = "Content-Type: application/vnd.syncml+wbxml"

/// Runs `body` against a server with these limits and shuts it down afterwards.
private func withServer(requestTimeout: Duration = .seconds(60), maxConnections: Int = 256,
                        _ body: (TestServer) async throws -> Void) async throws {
    try await TestServer.with(configuration: .init(host: "127.0.0.1", port: 0, requestTimeout: requestTimeout, maxConnections: maxConnections),
                              store: try await SyncFixture.store(), body)
}

@Suite("HTTP limits: request deadline and connection cap", .ownThreads)
struct ConnectionLimitTests {
    @Test("a body that does not arrive within the request timeout is answered 408 and the connection closed")
    func slowBody() async throws {
        try await withServer(requestTimeout: .seconds(1)) { server in
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                // 100 bytes announced, 10 sent, then nothing: the deadline answers.
                try await connection.send(RawHTTPConnection.request("POST", "/sync", headers: [wbxml, "Content-Length: 100"])
                                          + Array("0123456789".utf8))
                let response = try await connection.response()
                #expect(response.status == 408)
                #expect(response.headers["connection"] == "close")
                #expect(try await connection.closedByServer())
            }
        }
    }

    @Test("slowloris connections (a byte at a time) are cut at the deadline while a normal client on another connection syncs")
    func slowloris() async throws {
        try await withServer(requestTimeout: .seconds(2)) { server in
            let port = server.http.port
            let head = RawHTTPConnection.request("POST", "/sync", headers: [wbxml, "Content-Length: 10"])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        let status = try await RawHTTPConnection.with(port: port) { connection in
                            // A quarter second per byte: the whole head would take about 20 s.
                            for byte in head {
                                do {
                                    try await connection.send([byte])
                                } catch {
                                    break  // the server has closed
                                }
                                try await Task.sleep(for: .milliseconds(250))
                            }
                            return try await connection.response().status
                        }
                        #expect(status == 408, "the deadline, not the finished head, ended the request")
                    }
                }
                let book = MemoryBook(count: 10)
                let transport = try HTTPClientTransport()
                let client = try SyncFixture.client(url: server.http.url, book: book, transport: transport)
                let report = try await client.sync()
                await transport.shutdown()
                #expect(report.isComplete, "\(report)")
                #expect(report.datastores.first?.remote.added == 10, "\(report)")
                try await group.waitForAll()
            }
        }
    }

    @Test("a keep-alive connection waiting for its next request is not cut by the deadline (the idle timeout governs it)")
    func keepAliveBetweenRequests() async throws {
        try await withServer(requestTimeout: .seconds(1)) { server in
            try await RawHTTPConnection.with(port: server.http.port) { connection in
                try await connection.send("GET", "/")
                #expect(try await connection.response().status == 200)
                try await Task.sleep(for: .milliseconds(1_500))
                try await connection.send("GET", "/")
                #expect(try await connection.response().status == 200)
            }
        }
    }

    @Test("with N connections open the next one is closed at once; once one closes, a new one is served")
    func connectionCap() async throws {
        try await withServer(maxConnections: 2) { server in
            let port = server.http.port
            try await RawHTTPConnection.with(port: port) { first in
                try await first.send("GET", "/")
                #expect(try await first.response().status == 200)
                try await RawHTTPConnection.with(port: port) { second in
                    try await second.send("GET", "/")
                    #expect(try await second.response().status == 200)
                    let refused = try await RawHTTPConnection.with(port: port) { third in
                        try await third.closedByServer()
                    }
                    #expect(refused, "refused while two are open")
                    try await first.send("GET", "/")
                    #expect(try await first.response().status == 200, "the open ones are unaffected")
                }
                // The second has closed; the server frees its slot as soon as it sees the close.
                var served = false
                for _ in 0..<200 where !served {
                    served = (try? await RawHTTPConnection.with(port: port) { connection in
                        try await connection.send("GET", "/")
                        return try await connection.response().status == 200
                    }) ?? false
                    if !served { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(served)
            }
        }
    }
}
