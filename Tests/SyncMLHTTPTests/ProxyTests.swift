import SyncMLClient
@testable import SyncMLHTTP
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Proxy settings")
struct ProxySettingsTests {
    @Test("a proxy URL gives host, port (80 by default) and percent-decoded credentials; https and socks proxies are refused")
    func parsing() throws {
        let full = try HTTPProxy(parsing: "http://me%40corp:p%3Ass@proxy.corp:3128/")
        #expect(full == HTTPProxy(host: "proxy.corp", port: 3128, username: "me@corp", password: "p:ss"))
        #expect(full.description == "http://proxy.corp:3128")
        #expect(try HTTPProxy(parsing: "proxy.corp:8080") == HTTPProxy(host: "proxy.corp", port: 8080))
        #expect(try HTTPProxy(parsing: "http://[::1]") == HTTPProxy(host: "::1", port: 80))
        for url in ["https://proxy.corp:443", "socks5://proxy.corp:1080"] {
            #expect(throws: SyncClientError.self) { try HTTPProxy(parsing: url) }
        }
        #expect(throws: SyncClientError.self) { try HTTPProxy(parsing: "http://proxy.corp:3128/path") }
    }

    @Test("from the environment: https_proxy for https, http_proxy for http, lower case before upper case")
    func byScheme() throws {
        let rules = try ProxyRules(environment: ["https_proxy": "http://secure:3128", "HTTPS_PROXY": "http://ignored:1",
                                                 "HTTP_PROXY": "plain:8080"])
        #expect(rules.proxy(for: try HTTPEndpoint(parsing: "https://sync.example.org/sync"))?.host == "secure")
        #expect(rules.proxy(for: try HTTPEndpoint(parsing: "http://sync.example.org/sync")) == HTTPProxy(host: "plain", port: 8080))
        #expect(try ProxyRules(environment: [:]).proxy(for: try HTTPEndpoint(parsing: "https://sync.example.org/")) == nil)
    }

    @Test("no_proxy names hosts, domains (with or without a leading dot or *.), ports, or * for all; loopback never goes through an environment proxy",
          arguments: [
              ("https://sync.example.org/", "example.org", true),
              ("https://example.org/", ".example.org", true),
              ("https://sync.example.org/", "*.example.org", true),
              ("https://badexample.org/", "example.org", false),
              ("https://sync.example.org:8443/", "sync.example.org:8443", true),
              ("https://sync.example.org/", "sync.example.org:8443", false),
              ("https://10.1.2.3/", "other, 10.1.2.3", true),
              ("https://[fd00::1]/", "fd00::1", true),
              ("https://anything/", "*", true),
              ("https://127.0.0.1:8443/", "", true),
              ("https://localhost/", "", true),
              ("https://[::1]/", "", true),
              ("https://sync.example.org/", "", false),
          ])
    func exceptions(url: String, noProxy: String, direct: Bool) throws {
        let rules = try ProxyRules(environment: ["https_proxy": "http://proxy:3128", "no_proxy": noProxy])
        #expect((rules.proxy(for: try HTTPEndpoint(parsing: url)) == nil) == direct)
    }

    @Test("an explicit proxy is used for every URL, loopback included; direct uses none")
    func explicit() throws {
        let proxy = HTTPProxy(host: "127.0.0.1", port: 3128)
        let loopback = try HTTPEndpoint(parsing: "https://127.0.0.1:8443/sync")
        #expect(try ProxyRules(.server(proxy), environment: [:]).proxy(for: loopback) == proxy)
        #expect(try ProxyRules(.direct, environment: ["https_proxy": "http://proxy:3128"]).proxy(for: try HTTPEndpoint(parsing: "https://a.b/")) == nil)
    }

    @Test("a bad proxy variable fails when the transport is made, naming the variable")
    func badVariable() {
        #expect {
            try ProxyRules(environment: ["http_proxy": "socks5://proxy:1080"])
        } throws: { error in
            (error as? SyncClientError)?.message == "http_proxy: unsupported proxy 'socks5://proxy:1080': only http:// proxies are supported"
        }
    }
}

@Suite("HTTPClientTransport through a proxy", .ownThreads)
struct ProxyTransportTests {
    private let answer = "HTTP/1.1 200 OK\r\nContent-Type: \(xmlType)\r\nContent-Length: 9\r\n\r\n<SyncML/>"

    @Test("http through an explicit proxy goes in a CONNECT tunnel, kept alive across messages")
    func plainThroughProxy() async throws {
        let server = try CannedHTTPServer(.answer(answer))
        let proxy = try ConnectProxy()
        defer { server.stop(); proxy.stop() }
        try await withTransport(.init(proxy: .server(try HTTPProxy(parsing: proxy.url)))) { transport in
            for _ in 0..<2 {
                let reply = try await transport.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(server.port)/sync")
                #expect(reply.body == Array("<SyncML/>".utf8))
            }
        }
        #expect(proxy.requestLines == ["CONNECT 127.0.0.1:\(server.port) HTTP/1.1"])
        #expect(server.connections == 1)
    }

    @Test("a proxy that refuses the tunnel, or is not there, is a one-line error naming the proxy")
    func proxyFailures() async throws {
        let server = try CannedHTTPServer(.answer(answer))
        let refusing = try ConnectProxy(.refuse)
        defer { server.stop(); refusing.stop() }
        let refused = await clientError {
            try await withTransport(.init(proxy: .server(try HTTPProxy(parsing: refusing.url)))) {
                _ = try await $0.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(server.port)/sync")
            }
        }
        #expect(refused?.message == "proxy http://127.0.0.1:\(refusing.port) refused to open a tunnel to 127.0.0.1:\(server.port)")

        let (listener, port) = try LoopbackSocket.listen()
        close(listener)  // nobody listens there any more
        let absent = await clientError {
            try await withTransport(.init(proxy: .server(HTTPProxy(host: "127.0.0.1", port: port)))) {
                _ = try await $0.send([0x3C], contentType: xmlType, to: "http://127.0.0.1:\(server.port)/sync")
            }
        }
        #expect(absent?.message == "cannot connect to proxy http://127.0.0.1:\(port): connection refused")
        #expect(server.connections == 0)
    }
}
