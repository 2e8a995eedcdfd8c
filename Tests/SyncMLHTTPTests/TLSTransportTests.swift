import Foundation
import SyncMLClient
import SyncMLHTTP
import SyncMLServer
import TestSupport
import Testing

/// A canned SyncML-ish answer for the HTTPS test server.
private let canned: HTTPSTestServer.Responder = { _ in
    SyncReply(httpStatus: 200, contentType: xmlType, body: Array("<SyncML/>".utf8))
}

@Suite("HTTPClientTransport over TLS", .enabled(if: TestCertificates.available), .ownThreads)
struct TLSTransportTests {
    @Test("https with the private CA given answers, over one kept-alive connection")
    func trustedCA() async throws {
        let certificates = try await TransportCertificates()
        defer { certificates.remove() }
        try await HTTPSTestServer.with(certificates.server, respond: canned) { server in
            try await withTransport(.init(caFile: certificates.caFile)) { transport in
                for query in ["", "?sessionid=1"] {
                    let reply = try await transport.send([0x3C], contentType: xmlType, to: server.url + query)
                    #expect(reply.body == Array("<SyncML/>".utf8))
                    #expect(reply.contentType == xmlType)
                }
                #expect(await transport.connectionsOpened == 1)
            }
            #expect(server.connections == 1)
            #expect(server.requests == 2)
        }
    }

    @Test("without the CA the certificate is refused: a one-line TLS error, and no byte of the message reaches the server")
    func untrusted() async throws {
        let certificates = try await TransportCertificates()
        defer { certificates.remove() }
        try await HTTPSTestServer.with(certificates.server, respond: canned) { server in
            let error = await clientError {
                try await withTransport { _ = try await $0.send(Array("secret".utf8), contentType: xmlType, to: server.url) }
            }
            #expect(error?.kind == .transport)
            #expect(error?.message == "TLS handshake with 127.0.0.1:\(server.port) failed: its certificate is not trusted "
                        + "(certificate verify failed: an unknown CA, expired or otherwise invalid)", "\(String(describing: error))")
            #expect(server.connections == 1, "the client did connect")
            #expect(server.requests == 0, "but sent nothing")
        }
    }

    @Test("a certificate signed by the trusted CA but for another host name is refused")
    func wrongHostName() async throws {
        let certificates = try await TransportCertificates()
        defer { certificates.remove() }
        try await HTTPSTestServer.with(certificates.otherHost, respond: canned) { server in
            let error = await clientError {
                try await withTransport(.init(caFile: certificates.caFile)) {
                    _ = try await $0.send([0x3C], contentType: xmlType, to: server.url)
                }
            }
            #expect(error?.message == "TLS handshake with 127.0.0.1:\(server.port) failed: its certificate is not valid for 127.0.0.1",
                    "\(String(describing: error))")
            #expect(server.requests == 0)
        }
    }

    @Test("https to a server that does not speak TLS fails the handshake in one line")
    func plainServer() async throws {
        try await TestServer.with { server in
            let error = await clientError {
                try await withTransport { _ = try await $0.send([0x3C], contentType: xmlType, to: "https://127.0.0.1:\(server.http.port)/sync") }
            }
            #expect(error?.kind == .transport)
            #expect(error?.message == "TLS handshake with 127.0.0.1:\(server.http.port) failed: the server does not speak TLS there (wrong version number)",
                    "\(String(describing: error))")
        }
    }

    @Test("https through a CONNECT proxy: the proxy sees only the tunnel, and the certificate is still checked end to end")
    func throughProxy() async throws {
        let certificates = try await TransportCertificates()
        defer { certificates.remove() }
        let proxy = try ConnectProxy()
        defer { proxy.stop() }
        try await HTTPSTestServer.with(certificates.server, respond: canned) { server in
            let reply = try await withTransport(.init(caFile: certificates.caFile, proxy: .server(try HTTPProxy(parsing: proxy.url)))) {
                try await $0.send([0x3C], contentType: xmlType, to: server.url)
            }
            #expect(reply.body == Array("<SyncML/>".utf8))
            #expect(proxy.requestLines == ["CONNECT 127.0.0.1:\(server.port) HTTP/1.1"])

            let refused = await clientError {
                try await withTransport(.init(proxy: .server(try HTTPProxy(parsing: proxy.url)))) {
                    _ = try await $0.send([0x3C], contentType: xmlType, to: server.url)
                }
            }
            #expect(refused?.message.hasPrefix("TLS handshake with 127.0.0.1:\(server.port) failed: its certificate is not trusted") == true,
                    "\(String(describing: refused))")
            #expect(server.requests == 1)
        }
    }

    @Test("a CA file that is missing or holds no certificate fails when the transport is made")
    func badCAFile() async throws {
        let certificates = try await TransportCertificates()
        defer { certificates.remove() }
        let missing = certificates.directory.appendingPathComponent("nowhere.pem").path
        #expect {
            _ = try HTTPClientTransport(configuration: .init(caFile: missing))
        } throws: { error in
            (error as? SyncClientError)?.message == "cannot use the CA file \(missing): no such file"
        }
        let notPEM = certificates.directory.appendingPathComponent("server.ext").path
        #expect {
            _ = try HTTPClientTransport(configuration: .init(caFile: notPEM))
        } throws: { error in
            (error as? SyncClientError)?.message == "cannot use the CA file \(notPEM): it holds no PEM certificate"
        }
    }
}
