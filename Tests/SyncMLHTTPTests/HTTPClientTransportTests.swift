import SyncMLClient
import SyncMLCodec
import SyncMLHTTP
import TestSupport
import Testing

let xmlType = "application/vnd.syncml+xml"

/// The error `body` throws, which must be a `SyncClientError`.
func clientError(_ body: () async throws -> Void) async -> SyncClientError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? SyncClientError
    }
}

/// Runs `body` with a transport and shuts the transport down afterwards.
func withTransport<T>(_ configuration: HTTPClientTransport.Configuration = .init(),
                      _ body: (HTTPClientTransport) async throws -> T) async throws -> T {
    let transport = try HTTPClientTransport(configuration: configuration)
    do {
        let result = try await body(transport)
        await transport.shutdown()
        return result
    } catch {
        await transport.shutdown()
        throw error
    }
}

@Suite("HTTPClientTransport over plain HTTP", .ownThreads)
struct HTTPClientTransportTests {
    @Test("a recorded SyncEvolution message posted to syncml's HTTP server comes back as SyncML with a SyncHdr status")
    func recordedMessage() async throws {
        let message = try Fixtures.bytes("syncevolution/06-bad-password-401-xml/002-c2s.xml")
        try await TestServer.with { server in
            try await withTransport { transport in
                let reply = try await transport.send(message, contentType: xmlType, to: server.http.url)
                #expect(reply.status == 200)
                #expect(reply.contentType.hasPrefix(xmlType))
                let decoded = try SyncMLMessage(decoding: reply.body)
                let statuses = decoded.commands.compactMap { if case .status(let status) = $0 { status } else { nil } }
                #expect(statuses.contains { $0.cmd == "SyncHdr" })
            }
        }
    }

    @Test("messages of a session share one connection, whatever the query; a RespURI on another port opens another")
    func keepAlive() async throws {
        let answer = "HTTP/1.1 200 OK\r\nContent-Type: \(xmlType)\r\nContent-Length: 9\r\n\r\n<SyncML/>"
        let first = try CannedHTTPServer(.answer(answer)), second = try CannedHTTPServer(.answer(answer))
        defer { first.stop(); second.stop() }
        try await withTransport { transport in
            _ = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(first.port)/sync")
            _ = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(first.port)/sync?sessionid=42")
            #expect(await transport.connectionsOpened == 1)
            #expect(first.connections == 1)
            _ = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(second.port)/sync?sessionid=42")
            #expect(await transport.connectionsOpened == 2)
            #expect(second.connections == 1)
        }
    }

    @Test("a closed port is a transport error saying the connection was refused, and where")
    func connectionRefused() async throws {
        // A port bound by a socket that never listens refuses every connection, and no other
        // test's server can take it meanwhile (a stopped server's port could be reused).
        let socket = try #require(LoopbackPort())
        defer { socket.close() }
        let port = socket.port
        let error = await clientError {
            try await withTransport { _ = try await $0.send([0x01], contentType: xmlType, to: "http://127.0.0.1:\(port)/sync") }
        }
        #expect(error?.kind == .transport)
        #expect(error?.message == "cannot connect to 127.0.0.1:\(port): connection refused")
    }

    @Test("a host name that does not resolve is a transport error saying so, not a resolver error's type name")
    func unknownHost() async throws {
        // A label over 63 characters: getaddrinfo refuses the name itself, without
        // asking a DNS server (no packet leaves the machine; checked with strace).
        let host = String(repeating: "a", count: 64) + ".invalid"
        let error = await clientError {
            try await withTransport { _ = try await $0.send([0x01], contentType: xmlType, to: "http://\(host)/sync") }
        }
        #expect(error?.kind == .transport)
        #expect(error?.message == "cannot connect to \(host):80: unknown host")
    }

    @Test("an HTTP status other than 200 is a transport error naming the status and the server's one-line reason")
    func unsupportedMediaType() async throws {
        try await TestServer.with { server in
            let error = await clientError {
                try await withTransport { _ = try await $0.send(Array("hello".utf8), contentType: "text/plain", to: server.http.url) }
            }
            #expect(error?.kind == .transport)
            #expect(error?.message.hasPrefix("HTTP 415 Unsupported Media Type from 127.0.0.1:\(server.http.port)") == true, "\(String(describing: error))")
        }
    }

    @Test("a redirect is not followed: it is a transport error like any status but 200")
    func redirect() async throws {
        let server = try CannedHTTPServer(.answer("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\n\r\n"))
        defer { server.stop() }
        let error = await clientError {
            try await withTransport { _ = try await $0.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(server.port)/sync") }
        }
        #expect(error?.message == "HTTP 302 Found from 127.0.0.1:\(server.port)")
    }

    @Test("a chunked answer is read whole, and an answer with Connection: close makes the next message reconnect")
    func chunkedAndClose() async throws {
        let server = try CannedHTTPServer(.answerAndClose(
            "HTTP/1.1 200 OK\r\nContent-Type: \(xmlType)\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "6\r\n<SyncM\r\n3\r\nL/>\r\n0\r\n\r\n"))
        defer { server.stop() }
        try await withTransport { transport in
            for _ in 0..<2 {
                let reply = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(server.port)/sync")
                #expect(reply.body == Array("<SyncML/>".utf8))
                #expect(reply.contentType == xmlType)
            }
            #expect(await transport.connectionsOpened == 2)
        }
        #expect(server.connections == 2)
    }

    @Test("a server that drops a kept-alive connection after answering gets the next message on a new one")
    func droppedKeepAlive() async throws {
        let server = try CannedHTTPServer(.answerAndClose("HTTP/1.1 200 OK\r\nContent-Type: \(xmlType)\r\nContent-Length: 9\r\n\r\n<SyncML/>"))
        defer { server.stop() }
        try await withTransport { transport in
            for _ in 0..<3 {
                let reply = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(server.port)/sync")
                #expect(reply.body == Array("<SyncML/>".utf8))
            }
        }
        #expect(server.connections == 3)
    }

    @Test("a kept-alive connection the server closes as the next message arrives gets that message once more, on a new connection")
    func retryOnClosedKeepAlive() async throws {
        let server = try CannedHTTPServer(.answerOnceThenHangUp("HTTP/1.1 200 OK\r\nContent-Type: \(xmlType)\r\nContent-Length: 9\r\n\r\n<SyncML/>"))
        defer { server.stop() }
        try await withTransport { transport in
            for _ in 0..<2 {
                let reply = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(server.port)/sync")
                #expect(reply.body == Array("<SyncML/>".utf8))
            }
            #expect(await transport.connectionsOpened == 2)
        }
        #expect(server.connections == 2)
    }

    @Test("a server that never answers times out after the configured time")
    func requestTimeout() async throws {
        let server = try CannedHTTPServer(.silence)
        defer { server.stop() }
        let error = await clientError {
            try await withTransport(.init(requestTimeout: .milliseconds(200))) {
                _ = try await $0.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(server.port)/sync")
            }
        }
        #expect(error?.kind == .transport)
        #expect(error?.message == "no answer from 127.0.0.1:\(server.port) within 0.2 s")
    }

    @Test("an answer whose body stalls after its head times out too")
    func bodyTimeout() async throws {
        let server = try CannedHTTPServer(.answer("HTTP/1.1 200 OK\r\nContent-Type: \(xmlType)\r\nContent-Length: 100\r\n\r\n<SyncML>"))
        defer { server.stop() }
        let error = await clientError {
            try await withTransport(.init(requestTimeout: .milliseconds(300))) {
                _ = try await $0.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(server.port)/sync")
            }
        }
        #expect(error?.message == "no answer from 127.0.0.1:\(server.port) within 0.3 s")
    }

    @Test("a server that hangs up before answering, or answers more than allowed, is a transport error; the next message reconnects")
    func brokenAnswers() async throws {
        let hangUp = try CannedHTTPServer(.hangUp)
        defer { hangUp.stop() }
        try await withTransport(.init(maxReplySize: 4)) { transport in
            let closed = await clientError {
                _ = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(hangUp.port)/sync")
            }
            #expect(closed?.message == "127.0.0.1:\(hangUp.port) closed the connection before answering")
            #expect(hangUp.connections == 1, "a fresh connection that closed is not retried")

            let large = try CannedHTTPServer(.answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"))
            defer { large.stop() }
            for _ in 0..<2 {
                let tooLarge = await clientError {
                    _ = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(large.port)/sync")
                }
                #expect(tooLarge?.message == "the answer from 127.0.0.1:\(large.port) is larger than 4 bytes")
            }

            let chunked = try CannedHTTPServer(.answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n012\r\n3\r\n345\r\n0\r\n\r\n"))
            defer { chunked.stop() }
            let tooLong = await clientError {
                _ = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(chunked.port)/sync")
            }
            #expect(tooLong?.message == "the answer from 127.0.0.1:\(chunked.port) is larger than 4 bytes", "counted as it arrives")

            let garbage = try CannedHTTPServer(.answer("SMTP ready\r\n\r\n"))
            defer { garbage.stop() }
            let malformed = await clientError {
                _ = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(garbage.port)/sync")
            }
            #expect(malformed?.kind == .transport)
            #expect(malformed?.message.hasPrefix("malformed HTTP answer from 127.0.0.1:\(garbage.port)") == true, "\(String(describing: malformed))")
        }
    }

    @Test("a cancelled send is a .cancelled error, not a transport failure")
    func cancellation() async throws {
        let server = try CannedHTTPServer(.silence)
        defer { server.stop() }
        try await withTransport { transport in
            let task = Task {
                try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(server.port)/sync")
            }
            while server.connections == 0 { try await Task.sleep(for: .milliseconds(10)) }
            task.cancel()
            let error = await clientError { _ = try await task.value }
            #expect(error?.kind == .cancelled)
        }
    }

    @Test("URLs: schemes other than http and https are refused, ports are checked, and nothing is sent for a bad URL", arguments: [
        ("ftp://host/x", "unsupported URL scheme 'ftp' in 'ftp://host/x': use http:// or https://"),
        ("sync.example.org", "invalid URL 'sync.example.org': expected http[s]://host[:port]/path"),
        ("http://:8080/sync", "invalid URL 'http://:8080/sync': no host"),
        ("https://host:0/sync", "invalid URL 'https://host:0/sync': port '0' is not between 1 and 65535"),
        ("http://host:99999/", "invalid URL 'http://host:99999/': port '99999' is not between 1 and 65535"),
        ("http://[::1/sync", "invalid URL 'http://[::1/sync': unclosed [ in the host"),
    ])
    func badURLs(url: String, message: String) async throws {
        try await withTransport { transport in
            let error = await clientError { _ = try await transport.send([0x3C], contentType: xmlType, to: url) }
            #expect(error?.kind == .transport)
            #expect(error?.message == message)
            #expect(await transport.connectionsOpened == 0)
        }
    }
}
