import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOSSL
public import SyncMLClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SyncML over HTTP/1.1, plain or TLS (OMA SyncML HTTP binding 1.2, section 5),
/// on AsyncHTTPClient: each message is one `POST`, its answer the response body.
///
/// - `https://` verifies the server's certificate against the system's roots plus
///   those of `Configuration.caFile` (a private CA), and that it names the host.
///   Nothing is sent before both checks passed.
/// - Connections are kept alive across the messages of a session, one pool per
///   host and port, so a RespURI naming another host or port simply opens
///   another. A kept-alive connection that the server closed as the message left
///   (before any answer began) gets the message once more, on a fresh connection.
/// - A message has `requestTimeout` from the send to the answer's last byte;
///   answers over `maxReplySize` are refused; redirects are not followed. Any
///   failure, and any status but 200, is a one-line `.transport` error.
///
/// Call `shutdown()` when done: it closes the kept-alive connections. The event
/// loops are NIO's process-wide singleton group, so no thread outlives that; a
/// transport dropped without `shutdown()` closes its connections in `deinit`.
public actor HTTPClientTransport: SyncTransport {
    /// How the transport connects: timeouts, the largest answer, extra trusted CAs, a proxy.
    public struct Configuration: Sendable {
        /// How long opening a connection (and its TLS handshake) may take.
        public var connectTimeout: Duration
        /// How long one message may take, from the send (connecting included) to the answer's last byte.
        public var requestTimeout: Duration
        /// The largest answer accepted; a larger one fails the send (and protects the client's memory).
        public var maxReplySize: Int
        /// A PEM file of certificates to trust besides the system's roots: the CA of a private server.
        public var caFile: String?
        /// Direct, an explicit proxy, or the environment's (`https_proxy`, `http_proxy`, `no_proxy`).
        public var proxy: ProxyChoice
        /// The `User-Agent` header of every request.
        public var userAgent = "swift-syncml"

        /// The defaults suit a server on the internet: 60 s to connect and per message, answers up to 64 MiB, no proxy.
        public init(connectTimeout: Duration = .seconds(60), requestTimeout: Duration = .seconds(60), maxReplySize: Int = 64 << 20,
                    caFile: String? = nil, proxy: ProxyChoice = .direct) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maxReplySize = maxReplySize
            self.caFile = caFile
            self.proxy = proxy
        }
    }

    /// The configuration the transport was made with.
    public let configuration: Configuration
    private let tls: TLSConfiguration
    private let proxies: ProxyRules
    /// One AsyncHTTPClient (a connection pool) per proxy in use, nil for direct; made on first use.
    private var clients: [HTTPProxy?: HTTPClient] = [:]
    private let opened = NIOLockedValueBox(0)

    /// How many connections this transport has opened (one per server and session when keep-alive works).
    public var connectionsOpened: Int { opened.withLockedValue { $0 } }

    /// Fails, before any connection, when the CA file cannot be read or holds no
    /// certificate, or when the proxy (explicit or from the environment) is not a valid URL.
    public init(configuration: Configuration = Configuration()) throws(SyncClientError) {
        self.configuration = configuration
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = configuration.caFile {
            tls.additionalTrustRoots = [.certificates(try Self.certificates(inPEMFile: caFile))]
        }
        self.tls = tls
        proxies = try ProxyRules(configuration.proxy, environment: ProcessInfo.processInfo.environment)
    }

    deinit {
        for client in clients.values { client.shutdown { _ in } }
    }

    /// Posts `body` to `url` and returns the answer; any HTTP status but 200 is a `.transport` error.
    public func send(_ body: [UInt8], contentType: String, to url: String) async throws(SyncClientError) -> TransportReply {
        let endpoint = try HTTPEndpoint(parsing: url)
        let proxy = proxies.proxy(for: endpoint)
        let client = client(through: proxy)
        let failure = TransportFailure(endpoint: endpoint, proxy: proxy, connectTimeout: configuration.connectTimeout,
                                       requestTimeout: configuration.requestTimeout, maxReplySize: configuration.maxReplySize)
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(body)
        let deadline = NIODeadline.now() + TimeAmount(configuration.requestTimeout)

        let response: HTTPClientResponse
        let openedBefore = connectionsOpened
        do {
            response = try await client.execute(request, deadline: deadline)
        } catch where Self.closedBeforeAnswer(error) && connectionsOpened == openedBefore {
            // A kept-alive connection the server dropped as the message left: the
            // server never answered it, so it goes once more, on a fresh connection.
            do {
                response = try await client.execute(request, deadline: deadline)
            } catch {
                throw Self.error(error, failure, during: .request)
            }
        } catch {
            throw Self.error(error, failure, during: .request)
        }

        let type = response.headers.first(name: "Content-Type") ?? ""
        guard response.status == .ok else {
            let text = try? await Self.collect(response.body, upTo: min(configuration.maxReplySize, 64 << 10), until: deadline)
            throw SyncClientError(.transport, Self.statusMessage(response.status, type: type, text: text, from: endpoint))
        }
        do {
            let answer = try await Self.collect(response.body, upTo: configuration.maxReplySize, until: deadline)
            return TransportReply(body: Array(buffer: answer), contentType: type, status: 200)
        } catch {
            throw Self.error(error, failure, during: .answer)
        }
    }

    /// Closes the kept-alive connections. The transport stays usable: a later send opens new ones.
    public func shutdown() async {
        let open = clients.values
        clients = [:]
        for client in open { try? await client.shutdown() }
    }

    // MARK: Clients

    private func client(through proxy: HTTPProxy?) -> HTTPClient {
        if let existing = clients[proxy] { return existing }
        var settings = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(configuration.connectTimeout)),
            proxy: proxy.map(Self.proxySettings), decompression: .disabled)
        // SyncML's HTTP binding is HTTP/1.1, and one session is one conversation.
        settings.httpVersion = .http1Only
        // A refused connection or a failed handshake fails the message at once,
        // instead of being retried until the deadline and reported as a timeout.
        settings.connectionPool.retryConnectionEstablishment = false
        settings.http1_1ConnectionDebugInitializer = { [opened] channel in
            opened.withLockedValue { $0 += 1 }
            return channel.eventLoop.makeSucceededVoidFuture()
        }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
        clients[proxy] = client
        return client
    }

    private static func proxySettings(_ proxy: HTTPProxy) -> HTTPClient.Configuration.Proxy {
        let authorization = proxy.username.map { HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "") }
        return .server(host: proxy.host, port: proxy.port, authorization: authorization)
    }

    /// The certificates of a PEM file, at least one.
    private static func certificates(inPEMFile path: String) throws(SyncClientError) -> [NIOSSLCertificate] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "it cannot be read" : "no such file"
            throw SyncClientError(.transport, "cannot use the CA file \(path): \(why)")
        }
        let certificates = (try? NIOSSLCertificate.fromPEMBytes(Array(data))) ?? []
        guard !certificates.isEmpty else {
            throw SyncClientError(.transport, "cannot use the CA file \(path): it holds no PEM certificate")
        }
        return certificates
    }

    // MARK: Answers

    /// The whole body, failing past `limit` bytes or past `deadline` (AsyncHTTPClient's
    /// deadline ends with the answer's head, so the body gets its own).
    private static func collect(_ body: HTTPClientResponse.Body, upTo limit: Int, until deadline: NIODeadline) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: limit) }
            group.addTask {
                let remaining = max(0, (deadline - .now()).nanoseconds)
                try await Task.sleep(nanoseconds: UInt64(remaining))
                return nil
            }
            defer { group.cancelAll() }
            guard case let answer?? = try await group.next() else { throw HTTPClientError.deadlineExceeded }
            return answer
        }
    }

    /// True for the ways a connection that was already closed fails a request
    /// before any answer: written to a closed channel, reset, or closed while waiting.
    private static func closedBeforeAnswer(_ error: any Error) -> Bool {
        switch error {
        case let error as HTTPClientError:
            return error == .remoteConnectionClosed
        case ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed, ChannelError.outputClosed, ChannelError.eof:
            return true
        case let error as IOError:
            return error.errnoCode == ECONNRESET || error.errnoCode == EPIPE
        default:
            return false
        }
    }

    /// A `.cancelled` error when the task was, else `.transport` with what went wrong.
    private static func error(_ error: any Error, _ failure: TransportFailure, during stage: TransportFailure.Stage) -> SyncClientError {
        if Task.isCancelled || error is CancellationError {
            return SyncClientError(.cancelled, "cancelled while waiting for \(failure.endpoint.authority)")
        }
        // One line whatever a library's description holds.
        let message = failure.message(for: error, during: stage).split(whereSeparator: \.isNewline).joined(separator: " ")
        return SyncClientError(.transport, message)
    }

    /// `HTTP 415 Unsupported Media Type from host:port`, with the first line of a plain-text body.
    private static func statusMessage(_ status: HTTPResponseStatus, type: String, text: ByteBuffer?, from endpoint: HTTPEndpoint) -> String {
        var message = "HTTP \(status.code) \(status.reasonPhrase) from \(endpoint.authority)"
        if type.lowercased().hasPrefix("text/plain"), let text {
            let prefix = String(decoding: text.readableBytesView.prefix(200), as: UTF8.self)
            let firstLine = prefix.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingWhitespace ?? ""
            if !firstLine.isEmpty { message += ": \(firstLine)" }
        }
        return message
    }
}
