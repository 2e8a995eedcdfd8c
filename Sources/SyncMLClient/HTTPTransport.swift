import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SyncML over HTTP/1.1 (OMA SyncML HTTP binding 1.2, section 5): each message
/// is one `POST`, its answer the response body.
///
/// One connection is kept alive across the messages of a session and reused
/// while the server's RespURI stays on the same host and port; a URL on
/// another host or port, a server that closes, or any failure opens a fresh
/// one for the next message. Plain `http://` only: `https://` is refused with
/// a `.transport` error.
///
/// Messages go one at a time (a sync is a conversation); a second `send`
/// while one is in flight fails.
public actor HTTPTransport: SyncTransport {
    public struct Configuration: Sendable {
        /// How long opening a connection may take.
        public var connectTimeout: Duration
        /// How long the server may take to answer one message, from sending it to the answer's last byte.
        public var requestTimeout: Duration
        /// The largest answer accepted; a larger one fails the send (and protects the client's memory).
        public var maxReplySize: Int
        public var userAgent = "swift-syncml"

        public init(connectTimeout: Duration = .seconds(60), requestTimeout: Duration = .seconds(60), maxReplySize: Int = 64 << 20) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maxReplySize = maxReplySize
        }
    }

    private struct Connection {
        var host: String
        var port: Int
        var channel: any Channel
    }

    public let configuration: Configuration
    private var connection: Connection?
    /// How many connections this transport has opened (one per session when keep-alive works).
    public private(set) var connectionsOpened = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    deinit {
        connection?.channel.close(promise: nil)
    }

    /// Posts `body` to `url` and returns the answer; any HTTP status but 200 is a `.transport` error.
    public func send(_ body: [UInt8], contentType: String, to url: String) async throws(SyncClientError) -> TransportReply {
        let endpoint = try HTTPEndpoint(parsing: url)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: endpoint.authority)
        headers.add(name: "User-Agent", value: configuration.userAgent)
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(body.count)")
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: endpoint.target, headers: headers)

        var (channel, reused) = try await self.channel(for: endpoint)
        var answer: HTTPResponse
        do {
            answer = try await exchange(head, body, on: channel)
        } catch HTTPExchangeFailure.closed(midAnswer: false) where reused {
            // A kept-alive connection the server dropped as the message left: the
            // server never read it, so it goes once more, on a fresh connection.
            disconnect()
            (channel, reused) = try await self.channel(for: endpoint)
            do {
                answer = try await exchange(head, body, on: channel)
            } catch {
                throw failure(error, talkingTo: endpoint)
            }
        } catch {
            throw failure(error, talkingTo: endpoint)
        }
        if !answer.head.isKeepAlive { disconnect() }

        let type = answer.head.headers.first(name: "Content-Type") ?? ""
        guard answer.head.status == .ok else {
            throw SyncClientError(.transport, Self.statusMessage(answer, type: type, from: endpoint))
        }
        return TransportReply(body: Array(buffer: answer.body), contentType: type, status: 200)
    }

    /// Closes the kept-alive connection, if any (the next send opens a new one).
    public func close() {
        disconnect()
    }

    // MARK: Connections

    /// The open connection to `endpoint`'s host and port (reused), or a new one.
    private func channel(for endpoint: HTTPEndpoint) async throws(SyncClientError) -> (channel: any Channel, reused: Bool) {
        if let connection, connection.host == endpoint.host, connection.port == endpoint.port, connection.channel.isActive {
            return (connection.channel, true)
        }
        disconnect()
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(HTTPExchangeHandler())
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            throw SyncClientError(.transport, "cannot connect to \(endpoint.authority): \(Self.connectFailure(error, timeout: configuration.connectTimeout))")
        }
        connection = Connection(host: endpoint.host, port: endpoint.port, channel: channel)
        connectionsOpened += 1
        return (channel, false)
    }

    private func disconnect() {
        connection?.channel.close(promise: nil)
        connection = nil
    }

    /// Writes one request on `channel` and waits for its whole answer; cancelling the task closes the connection.
    private func exchange(_ head: HTTPRequestHead, _ body: [UInt8], on channel: any Channel) async throws -> HTTPResponse {
        let response = channel.eventLoop.makePromise(of: HTTPResponse.self)
        channel.writeAndFlush(HTTPExchange(
            head: head, body: channel.allocator.buffer(bytes: body), response: response,
            timeout: TimeAmount(configuration.requestTimeout), maxBodySize: configuration.maxReplySize), promise: nil)
        return try await withTaskCancellationHandler {
            try await response.futureResult.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    /// Drops the connection (its state is unknown) and says what went wrong.
    private func failure(_ error: any Error, talkingTo endpoint: HTTPEndpoint) -> SyncClientError {
        disconnect()
        if Task.isCancelled { return SyncClientError(.cancelled, "cancelled while waiting for \(endpoint.authority)") }
        return describe(error, talkingTo: endpoint)
    }

    // MARK: Messages

    /// Why a connection could not be opened, in words (`connection refused`).
    private static func connectFailure(_ error: any Error, timeout: Duration) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return connectFailure(first.error, timeout: timeout) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "unknown host" }
            return "no address to connect to"
        case ChannelError.connectTimeout:
            return "no connection within \(timeout.secondsText)"
        case let error as IOError:
            return errnoText(error.errnoCode)
        case is SocketAddressError:
            return "unknown host"
        default:
            return "\(error)"
        }
    }

    private func describe(_ error: any Error, talkingTo endpoint: HTTPEndpoint) -> SyncClientError {
        let server = endpoint.authority
        let message: String
        switch error {
        case HTTPExchangeFailure.timedOut:
            message = "no answer from \(server) within \(configuration.requestTimeout.secondsText)"
        case HTTPExchangeFailure.closed(midAnswer: false):
            message = "\(server) closed the connection before answering"
        case HTTPExchangeFailure.closed(midAnswer: true):
            message = "\(server) closed the connection in the middle of its answer"
        case HTTPExchangeFailure.tooLarge(let limit):
            message = "the answer from \(server) is larger than \(limit) bytes"
        case HTTPExchangeFailure.busy:
            message = "another message to \(server) is still waiting for its answer"
        case HTTPExchangeFailure.io(let cause as IOError):
            message = "connection to \(server) failed: \(Self.errnoText(cause.errnoCode))"
        case HTTPExchangeFailure.io(let cause as HTTPParserError):
            message = "malformed HTTP answer from \(server) (\(cause))"
        case HTTPExchangeFailure.io(let cause):
            message = "connection to \(server) failed: \(cause)"
        default:
            message = "connection to \(server) failed: \(error)"
        }
        return SyncClientError(.transport, message)
    }

    /// `HTTP 415 Unsupported Media Type from host:port`, with the first line of a plain-text body.
    private static func statusMessage(_ answer: HTTPResponse, type: String, from endpoint: HTTPEndpoint) -> String {
        var message = "HTTP \(answer.head.status.code) \(answer.head.status.reasonPhrase) from \(endpoint.authority)"
        if type.lowercased().hasPrefix("text/plain") {
            let text = String(decoding: answer.body.readableBytesView.prefix(200), as: UTF8.self)
            let firstLine = text.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingWhitespace ?? ""
            if !firstLine.isEmpty { message += ": \(firstLine)" }
        }
        return message
    }

    private static func errnoText(_ code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
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

extension Duration {
    /// `60 s`, `1.5 s`: for messages.
    var secondsText: String {
        let (whole, attoseconds) = components
        let tenths = attoseconds / 100_000_000_000_000_000
        return tenths == 0 ? "\(whole) s" : "\(whole).\(tenths) s"
    }
}
