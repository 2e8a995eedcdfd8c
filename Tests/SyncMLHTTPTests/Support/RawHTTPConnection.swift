import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SyncMLServer
import SyncMLHTTP
import SyncMLStore
import TestSupport

/// One TCP connection speaking HTTP/1.1 as raw bytes, so a test controls
/// exactly what goes on the wire (bad lengths, pipelining, Expect headers).
/// Non-blocking (NIO underneath): the server under test shares the process.
final class RawHTTPConnection {
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    /// Received bytes not yet consumed by a parsed response.
    private var pending: [UInt8] = []

    private init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.inbound = inbound.makeAsyncIterator()
        self.outbound = outbound
    }

    /// Connects to `127.0.0.1:port`, runs `body`, closes. With `trusting`, the
    /// connection speaks TLS and trusts only that CA certificate (PEM file),
    /// checking that the server's certificate names 127.0.0.1.
    static func with<T: Sendable>(port: Int, trusting authority: String? = nil,
                                  _ body: (RawHTTPConnection) async throws -> T) async throws -> T {
        let tls = try authority.map { authority in
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(authority))
            return try NIOSSLContext(configuration: configuration)
        }
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: nil))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(RawHTTPConnection(inbound: inbound, outbound: outbound))
        }
    }

    func send(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Sends a request; `Content-Length` is added when there is a body and no length header is given.
    func send(_ method: String, _ target: String, host: String = "test.invalid:8080", headers: [String] = [], body: [UInt8] = []) async throws {
        try await send(Self.request(method, target, host: host, headers: headers, body: body))
    }

    static func request(_ method: String, _ target: String, host: String = "test.invalid:8080", headers: [String] = [],
                        body: [UInt8] = []) -> [UInt8] {
        var lines = ["\(method) \(target) HTTP/1.1", "Host: \(host)"] + headers
        if !body.isEmpty && !headers.contains(where: { $0.lowercased().hasPrefix("content-length:") || $0.lowercased().hasPrefix("transfer-encoding:") }) {
            lines.append("Content-Length: \(body.count)")
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + body
    }

    /// The next response (a `100 Continue` is returned like any other).
    /// Throws `ConnectionClosed` when the server closes before a whole one arrived.
    func response(forHEAD: Bool = false) async throws -> RawHTTPResponse {
        while true {
            if let (response, used) = RawHTTPResponse.parse(pending, forHEAD: forHEAD) {
                pending.removeFirst(used)
                return response
            }
            guard try await receiveMore() else { throw ConnectionClosed(pending: pending.count) }
        }
    }

    /// True when the server closes the connection with nothing more to say.
    func closedByServer() async throws -> Bool {
        while try await receiveMore() {}
        return pending.isEmpty
    }

    private func receiveMore() async throws -> Bool {
        do {
            guard let buffer = try await inbound.next() else { return false }
            pending += Array(buffer: buffer)
            return true
        } catch let error as IOError where error.errnoCode == ECONNRESET {
            return false
        }
    }
}

struct ConnectionClosed: Error { var pending: Int }

/// A parsed HTTP/1.1 response with a `Content-Length` body.
struct RawHTTPResponse {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }

    /// A whole response at the start of `bytes` and how many bytes it took, or nil while incomplete.
    static func parse(_ bytes: [UInt8], forHEAD: Bool) -> (RawHTTPResponse, Int)? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.dropLast(3).first(where: { bytes[$0..<$0 + 4].elementsEqual(separator) }) else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines[0].split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = (forHEAD || status < 200) ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = end + 4
        guard bytes.count >= bodyStart + length else { return nil }
        return (RawHTTPResponse(status: status, headers: headers, body: Array(bytes[bodyStart..<bodyStart + length])), bodyStart + length)
    }
}

/// A real `SyncServer` on an in-memory store behind an `HTTPListener` on an ephemeral port.
struct TestServer {
    let engine: SyncServer
    let http: HTTPListener

    static func start(maxBodySize: Int = 64 << 10, idleTimeout: Duration = .seconds(60)) async throws -> TestServer {
        try await start(configuration: .init(host: "127.0.0.1", port: 0, maxBodySize: maxBodySize, connectionIdleTimeout: idleTimeout))
    }

    /// A server with any configuration (its host and port are used as given).
    /// Its engine runs on a thread of its own unless the configuration names an
    /// executor: under the whole suite the cooperative pool can be busy for a
    /// minute, longer than a client waits for an answer.
    static func start(configuration: HTTPListener.Configuration, store: SyncStore? = nil) async throws -> TestServer {
        var configuration = configuration
        if #available(macOS 15.0, *), configuration.engineExecutor == nil {
            configuration.engineExecutor = OwnThreadExecutor()
        }
        let engine = SyncServer(store: try store ?? SyncStore(path: ":memory:"))
        var logger = Logger(label: "syncml.http.test")
        logger.logLevel = .warning
        let http = try await HTTPListener.start(engine: engine, configuration: configuration, logger: logger)
        return TestServer(engine: engine, http: http)
    }

    /// Runs `body` against a fresh server and shuts it down afterwards.
    static func with<T>(maxBodySize: Int = 64 << 10, _ body: (TestServer) async throws -> T) async throws -> T {
        try await with(configuration: .init(host: "127.0.0.1", port: 0, maxBodySize: maxBodySize), body)
    }

    /// Runs `body` against a fresh server with `configuration` and shuts it down afterwards.
    static func with<T>(configuration: HTTPListener.Configuration, store: SyncStore? = nil,
                        _ body: (TestServer) async throws -> T) async throws -> T {
        let server = try await start(configuration: configuration, store: store)
        do {
            let result = try await body(server)
            await server.http.shutdown()
            return result
        } catch {
            await server.http.shutdown()
            throw error
        }
    }
}
