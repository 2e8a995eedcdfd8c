import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SyncMLServer
import TestSupport
/// A small HTTPS server on 127.0.0.1 (NIO + NIOSSL, HTTP/1.1 with keep-alive)
/// that hands each POST to `respond` as a `SyncRequest` whose URL says
/// `https://`: a `SyncServer`'s `handle` makes it a SyncML server with correct
/// RespURIs, a closure makes it answer canned bytes.
///
/// It counts the connections it accepted and the requests it decrypted, so a
/// test can tell "the client connected but refused the certificate" (a
/// connection, no request) from "the client never came".
final class HTTPSTestServer: Sendable {
    typealias Responder = @Sendable (SyncRequest) async -> SyncReply

    let port: Int
    private let channel: any Channel
    private let counts: NIOLockedValueBox<(connections: Int, requests: Int)>

    var connections: Int { counts.withLockedValue { $0.connections } }
    var requests: Int { counts.withLockedValue { $0.requests } }
    var url: String { "https://127.0.0.1:\(port)/sync" }

    private init(port: Int, channel: any Channel, counts: NIOLockedValueBox<(connections: Int, requests: Int)>) {
        self.port = port
        self.channel = channel
        self.counts = counts
    }

    /// Listens on an ephemeral port with `identity`'s certificate and key.
    static func start(_ identity: TransportCertificates.Identity, respond: @escaping Responder) async throws -> HTTPSTestServer {
        let chain = try NIOSSLCertificate.fromPEMFile(identity.certificate).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: identity.key, format: .pem)
        let context = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        let counts = NIOLockedValueBox((connections: 0, requests: 0))
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                counts.withLockedValue { $0.connections += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    let number = UInt64(counts.withLockedValue { $0.connections })
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        SyncRequestHandler(connection: number, respond: respond, counted: { counts.withLockedValue { $0.requests += 1 } }))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw TestFailure("the HTTPS test server has no port") }
        return HTTPSTestServer(port: port, channel: channel, counts: counts)
    }

    /// Stops listening (connections in progress end with the test process).
    func stop() async {
        try? await channel.close()
    }

    /// Runs `body` against a server started for it and stops it afterwards.
    static func with<T>(_ identity: TransportCertificates.Identity, respond: @escaping Responder,
                        _ body: (HTTPSTestServer) async throws -> T) async throws -> T {
        let server = try await start(identity, respond: respond)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }
}

/// Collects one request, awaits the responder, writes its reply (keep-alive as the client asked).
private final class SyncRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let connection: UInt64
    private let respond: HTTPSTestServer.Responder
    private let counted: @Sendable () -> Void
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(connection: UInt64, respond: @escaping HTTPSTestServer.Responder, counted: @escaping @Sendable () -> Void) {
        self.connection = connection
        self.respond = respond
        self.counted = counted
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let chunk):
            body += chunk.readableBytesView
        case .end:
            guard let head else { return }
            self.head = nil
            counted()
            let request = SyncRequest(body: body, contentType: head.headers.first(name: "Content-Type") ?? "",
                                      url: "https://" + (head.headers.first(name: "Host") ?? "127.0.0.1") + head.uri,
                                      connection: connection)
            let keepAlive = head.isKeepAlive
            let respond = self.respond
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            Task {
                let reply = await respond(request)
                loop.execute {
                    let (handler, context) = bound.value
                    handler.write(reply, keepAlive: keepAlive, context: context)
                }
            }
        }
    }

    private func write(_ reply: SyncReply, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: reply.contentType)
        headers.add(name: "Content-Length", value: "\(reply.body.count)")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: reply.httpStatus)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: reply.body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A client that refused the certificate ends the handshake with an alert: nothing to answer.
        context.close(promise: nil)
    }
}
