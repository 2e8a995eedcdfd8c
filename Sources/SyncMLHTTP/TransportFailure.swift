import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SyncMLClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns what AsyncHTTPClient, NIO and BoringSSL throw into one line for a
/// person: where (server or proxy), and what (refused, unknown host, an
/// untrusted certificate, a timeout, a broken answer).
struct TransportFailure {
    /// The server the message was for.
    var endpoint: HTTPEndpoint
    /// The proxy in the way, if any: connection failures are about it.
    var proxy: HTTPProxy?
    var connectTimeout: Duration
    var requestTimeout: Duration
    var maxReplySize: Int

    /// Where the answer was awaited when the error came.
    enum Stage {
        /// Connecting, the TLS handshake, sending, or waiting for the answer's head.
        case request
        /// Reading the answer's body.
        case answer
    }

    func message(for error: any Error, during stage: Stage) -> String {
        let server = endpoint.authority
        switch error {
        case let error as HTTPClientError:
            return message(for: error, during: stage)
        case is NIOTooManyBytesError:
            return "the answer from \(server) is larger than \(maxReplySize) bytes"
        case let error as HTTPParserError:
            return "malformed HTTP answer from \(server) (\(error))"
        case let error as NIOSSLError:
            return "TLS handshake with \(server) failed: \(Self.reason(error))"
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            return "TLS handshake with \(server) failed: its certificate is not valid for \(endpoint.host)"
        case let error as NIOSSLExtraError:
            return "TLS handshake with \(server) failed: \(error)"
        case let error as BoringSSLError:
            return "TLS handshake with \(server) failed: \(Self.reason(error))"
        case is NIOConnectionError, is SocketAddressError, is SocketAddressError.UnknownHost, ChannelError.connectTimeout:
            return "cannot connect to \(connectTarget): \(Self.connectFailure(error, timeout: connectTimeout))"
        case let error as IOError where stage == .request && [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(error.errnoCode):
            return "cannot connect to \(connectTarget): \(Self.errnoText(error.errnoCode))"
        case let error as IOError:
            return "connection to \(server) failed: \(Self.errnoText(error.errnoCode))"
        default:
            return "connection to \(server) failed: \(error)"
        }
    }

    /// The server, or `proxy http://host:port` when one is in the way.
    private var connectTarget: String {
        proxy.map { "proxy \($0)" } ?? endpoint.authority
    }

    private func message(for error: HTTPClientError, during stage: Stage) -> String {
        let server = endpoint.authority
        switch error {
        case .connectTimeout:
            return "cannot connect to \(connectTarget): no connection within \(connectTimeout.secondsText)"
        case .deadlineExceeded, .readTimeout:
            return "no answer from \(server) within \(requestTimeout.secondsText)"
        case .tlsHandshakeTimeout:
            return "TLS handshake with \(server) failed: no handshake within \(connectTimeout.secondsText)"
        case .remoteConnectionClosed where stage == .request:
            return "\(server) closed the connection before answering"
        case .remoteConnectionClosed:
            return "\(server) closed the connection in the middle of its answer"
        case .invalidProxyResponse:
            return "proxy \(proxy.map(\.description) ?? "?") refused to open a tunnel to \(server)"
        case .proxyAuthenticationRequired:
            return "proxy \(proxy.map(\.description) ?? "?") wants credentials (407): give them in the proxy URL"
        case .httpProxyHandshakeTimeout:
            return "proxy \(proxy.map(\.description) ?? "?") did not open a tunnel to \(server) within \(connectTimeout.secondsText)"
        case .invalidURL, .emptyHost, .emptyScheme:
            return "invalid URL '\(endpoint.url)'"
        default:
            return "connection to \(server) failed: \(error)"
        }
    }

    // MARK: Reasons

    /// Why a connection could not be opened, in words (`connection refused`).
    static func connectFailure(_ error: any Error, timeout: Duration) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return connectFailure(first.error, timeout: timeout) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "unknown host" }
            return "no address to connect to"
        case ChannelError.connectTimeout:
            return "no connection within \(timeout.secondsText)"
        case let error as IOError:
            return errnoText(error.errnoCode)
        case is SocketAddressError.UnknownHost, SocketAddressError.unsupported:
            return "unknown host"
        default:
            return "\(error)"
        }
    }

    /// What went wrong in a TLS handshake, from BoringSSL's error stack.
    static func reason(_ error: NIOSSLError) -> String {
        switch error {
        case .handshakeFailed(let cause):
            return reason(cause)
        case .uncleanShutdown:
            return "the server closed the connection during the handshake"
        default:
            return "\(error)"
        }
    }

    static func reason(_ error: BoringSSLError) -> String {
        switch error {
        case .sslError(let stack), .unknownError(let stack):
            if stack.contains(.eofDuringHandshake) { return "the server closed the connection during the handshake" }
            let codes = stack.map { code(of: $0) }
            if codes.contains("CERTIFICATE_VERIFY_FAILED") {
                return "its certificate is not trusted (certificate verify failed: an unknown CA, expired or otherwise invalid)"
            }
            if codes.contains("WRONG_VERSION_NUMBER") { return "the server does not speak TLS there (wrong version number)" }
            return codes.first.map { $0.lowercased().replacing("_", with: " ") } ?? "\(error)"
        case .syscallError:
            return "the connection failed during the handshake"
        default:
            return "\(error)"
        }
    }

    /// `CERTIFICATE_VERIFY_FAILED` out of `Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at file:line`.
    private static func code(of error: BoringSSLInternalError) -> String {
        var text = Substring(error.description)
        if let at = text.ranges(of: " at ").last { text = text[..<at.lowerBound] }
        return String(text.split(separator: ":").last ?? text)
    }

    static func errnoText(_ code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
    }
}

extension Duration {
    /// `60 s`, `1.5 s`: for messages.
    var secondsText: String {
        let (whole, attoseconds) = components
        let tenths = attoseconds / 100_000_000_000_000_000
        return tenths == 0 ? "\(whole) s" : "\(whole).\(tenths) s"
    }
}

extension TimeAmount {
    /// The same span, saturating at NIO's range.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = .nanoseconds(overflow ? .max : scaled.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue)
    }
}
