import SyncMLClient
import SyncMLCore
import SyncMLServer
import Testing

private let xmlType = "application/vnd.syncml+xml"

/// The error `body` throws, which must be a `SyncClientError`.
private func clientError(_ body: () async throws -> Void) async -> SyncClientError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? SyncClientError
    }
}

@Suite("HTTPTransport")
struct HTTPTransportTests {
    @Test("a recorded SyncEvolution message posted to syncml's HTTP server comes back as SyncML with a SyncHdr status")
    func recordedMessage() async throws {
        let message = try Fixtures.bytes("syncevolution/06-bad-password-401-xml/002-c2s.xml")
        try await TestServer.with { server in
            let transport = HTTPTransport()
            let reply = try await transport.send(message, contentType: xmlType, to: server.http.url)
            #expect(reply.status == 200)
            #expect(reply.contentType.hasPrefix(xmlType))
            let decoded = try SyncMLMessage(decoding: reply.body)
            let statuses = decoded.commands.compactMap { if case .status(let status) = $0 { status } else { nil } }
            #expect(statuses.contains { $0.cmd == "SyncHdr" })
        }
    }

    @Test("messages of a session share one connection, whatever the query; another port opens another")
    func keepAlive() async throws {
        let message = try Fixtures.bytes("syncevolution/06-bad-password-401-xml/002-c2s.xml")
        try await TestServer.with { first in
            try await TestServer.with { second in
                let transport = HTTPTransport()
                _ = try await transport.send(message, contentType: xmlType, to: first.http.url)
                _ = try await transport.send(message, contentType: xmlType, to: first.http.url + "?sessionid=42")
                #expect(await transport.connectionsOpened == 1)
                _ = try await transport.send(message, contentType: xmlType, to: second.http.url)
                #expect(await transport.connectionsOpened == 2)
            }
        }
    }

    @Test("a closed port is a transport error saying the connection was refused, and where")
    func connectionRefused() async throws {
        let port = try await TestServer.with { $0.http.port }  // free again once the server stops
        let error = await clientError {
            _ = try await HTTPTransport().send([0x01], contentType: xmlType, to: "http://127.0.0.1:\(port)/sync")
        }
        #expect(error?.kind == .transport)
        #expect(error?.message == "cannot connect to 127.0.0.1:\(port): connection refused")
    }

    @Test("an HTTP status other than 200 is a transport error naming the status and the server's one-line reason")
    func unsupportedMediaType() async throws {
        try await TestServer.with { server in
            let error = await clientError {
                _ = try await HTTPTransport().send(Array("hello".utf8), contentType: "text/plain", to: server.http.url)
            }
            #expect(error?.kind == .transport)
            #expect(error?.message.hasPrefix("HTTP 415 Unsupported Media Type from 127.0.0.1:\(server.http.port)") == true, "\(String(describing: error))")
        }
    }

    @Test("a chunked answer is read whole, and an answer with Connection: close makes the next message reconnect")
    func chunkedAndClose() async throws {
        let server = try CannedHTTPServer(.answerAndClose(
            "HTTP/1.1 200 OK\r\nContent-Type: \(xmlType)\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "6\r\n<SyncM\r\n3\r\nL/>\r\n0\r\n\r\n"))
        defer { server.stop() }
        let transport = HTTPTransport()
        for _ in 0..<2 {
            let reply = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(server.port)/sync")
            #expect(reply.body == Array("<SyncML/>".utf8))
            #expect(reply.contentType == xmlType)
        }
        #expect(await transport.connectionsOpened == 2)
        #expect(server.connections == 2)
    }

    @Test("a server that drops a kept-alive connection after answering gets the next message on a new one")
    func droppedKeepAlive() async throws {
        let server = try CannedHTTPServer(.answerAndClose("HTTP/1.1 200 OK\r\nContent-Type: \(xmlType)\r\nContent-Length: 9\r\n\r\n<SyncML/>"))
        defer { server.stop() }
        let transport = HTTPTransport()
        for _ in 0..<3 {
            let reply = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(server.port)/sync")
            #expect(reply.body == Array("<SyncML/>".utf8))
        }
        #expect(server.connections == 3)
    }

    @Test("a server that never answers times out after the configured time")
    func requestTimeout() async throws {
        let server = try CannedHTTPServer(.silence)
        defer { server.stop() }
        let transport = HTTPTransport(configuration: .init(requestTimeout: .milliseconds(200)))
        let error = await clientError {
            _ = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(server.port)/sync")
        }
        #expect(error?.kind == .transport)
        #expect(error?.message == "no answer from 127.0.0.1:\(server.port) within 0.2 s")
    }

    @Test("a server that hangs up before answering, or answers more than allowed, is a transport error; the next message reconnects")
    func brokenAnswers() async throws {
        let hangUp = try CannedHTTPServer(.hangUp)
        defer { hangUp.stop() }
        let transport = HTTPTransport(configuration: .init(maxReplySize: 4))
        let closed = await clientError {
            _ = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(hangUp.port)/sync")
        }
        #expect(closed?.message == "127.0.0.1:\(hangUp.port) closed the connection before answering")

        let large = try CannedHTTPServer(.answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"))
        defer { large.stop() }
        for _ in 0..<2 {
            let tooLarge = await clientError {
                _ = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(large.port)/sync")
            }
            #expect(tooLarge?.message == "the answer from 127.0.0.1:\(large.port) is larger than 4 bytes")
        }
        #expect(large.connections == 2, "a failed connection is never reused")

        let garbage = try CannedHTTPServer(.answer("SMTP ready\r\n\r\n"))
        defer { garbage.stop() }
        let malformed = await clientError {
            _ = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(garbage.port)/sync")
        }
        #expect(malformed?.kind == .transport)
        #expect(malformed?.message.hasPrefix("malformed HTTP answer from 127.0.0.1:\(garbage.port)") == true, "\(String(describing: malformed))")
    }

    @Test("URLs: https and other schemes are refused, ports are checked, and nothing is sent for a bad URL", arguments: [
        ("https://sync.example.org/sync", "https is not supported: use an http:// URL"),
        ("ftp://host/x", "unsupported URL scheme 'ftp' in 'ftp://host/x': use http://"),
        ("sync.example.org", "invalid URL 'sync.example.org': expected http://host[:port]/path"),
        ("http://:8080/sync", "invalid URL 'http://:8080/sync': no host"),
        ("http://host:0/sync", "invalid URL 'http://host:0/sync': port '0' is not between 1 and 65535"),
        ("http://host:99999/", "invalid URL 'http://host:99999/': port '99999' is not between 1 and 65535"),
        ("http://[::1/sync", "invalid URL 'http://[::1/sync': unclosed [ in the host"),
    ])
    func badURLs(url: String, message: String) async throws {
        let transport = HTTPTransport()
        let error = await clientError { _ = try await transport.send([0x3C], contentType: xmlType, to: url) }
        #expect(error?.kind == .transport)
        #expect(error?.message == message)
        #expect(await transport.connectionsOpened == 0)
    }
}
