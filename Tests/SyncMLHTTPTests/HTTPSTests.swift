import Foundation
import SyncMLClient
import SyncMLServer
import SyncMLHTTP
import SyncMLStore
import TestSupport
import Testing

/// A server with the test CA's certificate on an ephemeral port, and the certificates (removed afterwards).
private func withHTTPSServer(_ body: (TestServer, TestCertificates) async throws -> Void) async throws {
    let certificates = try await TestCertificates.make()
    defer { certificates.remove() }
    let certificate = try ServerCertificate.load(chain: certificates.chain, privateKey: certificates.privateKey)
    let server = try await TestServer.start(configuration: .init(host: "127.0.0.1", port: 0, tls: certificate),
                                            store: try await SyncFixture.store())
    do {
        try await body(server, certificates)
        await server.http.shutdown()
    } catch {
        await server.http.shutdown()
        throw error
    }
}

@Suite("HTTPS", .enabled(if: TestCertificates.available), .ownThreads)
struct HTTPSTests {
    @Test("with a certificate the server's URL and its info page say https")
    func urlSaysHTTPS() async throws {
        try await withHTTPSServer { server, certificates in
            #expect(server.http.url == "https://127.0.0.1:\(server.http.port)/sync")
            #expect(server.http.scheme == "https")
            try await RawHTTPConnection.with(port: server.http.port, trusting: certificates.authority) { connection in
                try await connection.send("GET", "/sync")
                let page = try await connection.response()
                #expect(page.status == 200)
                #expect(page.text.contains("https://test.invalid:8080/sync"), "\(page.text)")
            }
        }
    }

    @Test("a whole sync runs over HTTPS, and RespURI keeps the client on https")
    func syncOverHTTPS() async throws {
        try await withHTTPSServer { server, certificates in
            let book = MemoryBook(count: 20)
            let transport = HTTPSTestTransport(trusting: certificates.authority)
            let client = try SyncFixture.client(url: server.http.url, book: book, transport: transport)
            let report = try await client.sync()
            #expect(report.isComplete, "\(report)")

            // The first contact's init is challenged (401) and sent again to the sync URL; from then on RespURI.
            let urls = transport.postedTo
            #expect(urls.count >= 3, "\(urls)")
            #expect(urls.prefix(2) == [server.http.url, server.http.url])
            for url in urls.dropFirst(2) {
                #expect(url.hasPrefix("https://127.0.0.1:\(server.http.port)/sync?sessionid="), "RespURI: \(url)")
            }
            let second = MemoryBook(count: 0)
            let download = try SyncFixture.client(url: server.http.url, book: second, transport: transport, device: "second")
            #expect(try await download.sync().isComplete)
            #expect(await second.records.count == 20, "the other device received every contact over HTTPS")
        }
    }

    @Test("plain HTTP on the TLS port, or a client that does not trust the certificate, fails without harm to others")
    func failedHandshakes() async throws {
        try await withHTTPSServer { server, certificates in
            try await RawHTTPConnection.with(port: server.http.port) { plain in
                try await plain.send("GET", "/sync")
                await #expect(throws: (any Error).self, "no HTTP answer comes back in the clear") {
                    try await plain.response()
                }
            }
            await #expect(throws: (any Error).self, "the client refuses a certificate from another CA") {
                try await RawHTTPConnection.with(port: server.http.port, trusting: certificates.otherAuthority) { connection in
                    try await connection.send("GET", "/sync")
                    _ = try await connection.response()
                }
            }
            try await RawHTTPConnection.with(port: server.http.port, trusting: certificates.authority) { connection in
                try await connection.send("GET", "/")
                #expect(try await connection.response().status == 200, "the server still serves")
            }
        }
    }

    @Test("certificate files that cannot serve are an error naming the file, before anything listens")
    func badFiles() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let missing = certificates.directory.appendingPathComponent("missing.pem").path
        let cases: [(chain: String, key: String, message: String)] = [
            (missing, certificates.privateKey, "TLS certificate chain \(missing): no such file or directory"),
            (certificates.chain, missing, "TLS private key \(missing): no such file or directory"),
            (certificates.privateKey, certificates.privateKey, "TLS certificate chain \(certificates.privateKey): not a PEM certificate chain"),
            (certificates.chain, certificates.chain, "TLS private key \(certificates.chain): not an unencrypted PEM private key"),
            (certificates.chain, certificates.unrelatedKey,
             "TLS private key \(certificates.unrelatedKey): does not match the certificate in \(certificates.chain)"),
        ]
        for (chain, key, message) in cases {
            let error = #expect(throws: ServerCertificateError.self) {
                _ = try ServerCertificate.load(chain: chain, privateKey: key)
            }
            #expect(error?.description == message)
        }
    }
}
