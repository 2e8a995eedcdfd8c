import AsyncHTTPClient
import NIOCore
import NIOSSL
@testable import SyncMLHTTP
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The one-line messages for failures a loopback test cannot provoke (a connect
/// timeout needs a silent address) or that a proxy elsewhere would give.
@Suite("TransportFailure messages")
struct TransportFailureTests {
    private let direct = TransportFailure(endpoint: try! HTTPEndpoint(parsing: "https://sync.example.org:8443/sync"), proxy: nil,
                                          connectTimeout: .seconds(5), requestTimeout: .seconds(60), maxReplySize: 100)

    @Test("timeouts say which wait ran out, and for how long")
    func timeouts() {
        #expect(direct.message(for: HTTPClientError.connectTimeout, during: .request)
                == "cannot connect to sync.example.org:8443: no connection within 5 s")
        #expect(direct.message(for: ChannelError.connectTimeout(.seconds(5)), during: .request)
                == "cannot connect to sync.example.org:8443: no connection within 5 s")
        #expect(direct.message(for: HTTPClientError.deadlineExceeded, during: .request)
                == "no answer from sync.example.org:8443 within 60 s")
        #expect(direct.message(for: HTTPClientError.tlsHandshakeTimeout, during: .request)
                == "TLS handshake with sync.example.org:8443 failed: no handshake within 5 s")
    }

    @Test("a certificate for another name says which name it lacks")
    func hostName() {
        #expect(direct.message(for: NIOSSLExtraError.failedToValidateHostname, during: .request)
                == "TLS handshake with sync.example.org:8443 failed: its certificate is not valid for sync.example.org")
    }

    @Test("through a proxy, connection failures name the proxy; a refused tunnel and a 407 are told apart")
    func proxy() {
        var failure = direct
        failure.proxy = HTTPProxy(host: "10.0.0.1", port: 3128)
        #expect(failure.message(for: IOError(errnoCode: ECONNREFUSED, reason: "connect"), during: .request)
                == "cannot connect to proxy http://10.0.0.1:3128: connection refused")
        #expect(failure.message(for: HTTPClientError.invalidProxyResponse, during: .request)
                == "proxy http://10.0.0.1:3128 refused to open a tunnel to sync.example.org:8443")
        #expect(failure.message(for: HTTPClientError.proxyAuthenticationRequired, during: .request)
                == "proxy http://10.0.0.1:3128 wants credentials (407): give them in the proxy URL")
    }
}
