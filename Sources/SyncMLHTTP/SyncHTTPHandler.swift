import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import SyncMLServer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One connection's requests, in order: collects a SyncML body, hands it to
/// the engine and writes the reply. NIO's pipeline handler in front of it
/// holds back pipelined requests until each response has ended, so this
/// handler sees one request at a time. It tells `RequestDeadlineHandler`,
/// further down, where each request stands (`RequestProgress`).
final class SyncHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The request being read and what it is for.
    private struct Exchange {
        var head: HTTPRequestHead
        var started: NIODeadline
        var bytesIn = 0
    }

    private enum State {
        case idle
        /// A SyncML body is arriving, into the array the engine takes: each
        /// chunk is copied once, out of NIO's buffer (a ByteBuffer collected
        /// first would be copied again into `SyncRequest`'s array).
        case collecting(Exchange, contentType: String, body: [UInt8])
        /// The answer is known; the body is read and dropped so the connection can be reused.
        case draining(Exchange, HTTPAnswer)
        /// `/health` or `/metrics`: answered once the request has ended (any body is dropped).
        case operations(Exchange, OperationsRoute)
        /// The engine has the message.
        case awaitingEngine
        /// Answered with `Connection: close` before the request ended: input is
        /// dropped until the client closes (closing at once would reset the
        /// connection and could destroy the answer before the client reads it).
        case closing
    }

    private let engine: SyncServer
    private let operations: OperationsResponder
    private let routes: Routes
    private let maxBodySize: Int
    /// What every connection's bodies together may hold; nil: unbounded (the operations listener reads no bodies).
    private let budget: BodyBudget?
    /// The bytes of `budget` the body being collected holds (its buffer's capacity), and for whom.
    private var granted = 0
    private var holder = BodyBudget.Holder.anonymous
    private let addressing: ServerAddressing
    private let logger: Logger
    /// Where the engine's work runs; nil: the global concurrent executor.
    private let executor: (any TaskExecutor)?
    private var state = State.idle
    private var isActive = true
    /// `host:port` this connection arrived on, for requests without a Host header.
    private var localAuthority = "localhost"
    /// This connection's number, unique in the process: the engine binds a
    /// session that has no RespURI token to the connection it began on.
    private let connectionNumber = SyncHTTPHandler.connectionsOpened.withLockedValue { count in
        count += 1
        return count
    }
    private static let connectionsOpened = NIOLockedValueBox<UInt64>(0)

    /// How long a connection answered with 413 may keep sending before it is closed.
    private static let lingerTime = TimeAmount.seconds(5)
    /// A body's first grant at most: a sender that announces a large body and
    /// sends nothing holds no more than this; larger bodies grow by doubling.
    static let firstGrant = 64 << 10
    /// What a client refused for the body budget is told to wait, in seconds:
    /// bodies pass in milliseconds, and a held one frees at the request deadline at the latest.
    static let retryAfter = 5

    init(engine: SyncServer, operations: OperationsResponder, routes: Routes = .sync, maxBodySize: Int, budget: BodyBudget? = nil,
         addressing: ServerAddressing, logger: Logger, executor: (any TaskExecutor)? = nil) {
        self.engine = engine
        self.executor = executor
        self.operations = operations
        self.routes = routes
        self.maxBodySize = maxBodySize
        self.budget = budget
        self.addressing = addressing
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if let address = context.channel.localAddress { localAuthority = Self.authority(of: address) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        state = .closing  // drops a body being collected
        releaseBody()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        releaseBody()
    }

    /// A connection that sent nothing for the idle timeout (`IdleStateHandler`
    /// below in the pipeline) while not waiting for the engine is closed: a
    /// stalled or slow client holds no connection, and no session, for long.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if case .awaitingEngine = state { return }
        logger.notice("idle connection closed", metadata: ["remote": "\(context.remoteAddress.map { "\($0)" } ?? "-")"])
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): begin(head, context: context)
        case .body(let chunk): receive(chunk, context: context)
        case .end: finish(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Peers hanging up mid-request are ordinary (after a 413 they are expected);
        // everything else is worth a look.
        if case .closing = state {
            logger.debug("client stopped sending after the answer", metadata: ["error": "\(error)"])
        } else if !context.channel.isActive {
            // Closed already (the request deadline, the idle timeout): the codec's complaint about a cut request is expected.
            logger.debug("request cut by the closed connection", metadata: ["error": "\(error)"])
        } else if let error = error as? IOError, [ECONNRESET, EPIPE].contains(error.errnoCode) {
            logger.debug("connection reset by client", metadata: ["error": "\(error)"])
        } else {
            logger.warning("closing connection after error", metadata: ["error": "\(error)"])
        }
        context.close(promise: nil)
    }

    // MARK: Reading a request

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard case .idle = state else { return }
        context.triggerUserOutboundEvent(RequestProgress.began, promise: nil)
        let exchange = Exchange(head: head, started: .now())
        let syncURL = addressing.syncURL(head, fallbackAuthority: localAuthority)
        switch RequestTriage.decide(head, maxBodySize: maxBodySize, syncURL: syncURL, routes: routes) {
        case .sync(let contentType):
            holder = engine.liveSessions.holds(token: SyncServer.sessionToken(in: head.uri), connection: connectionNumber)
                ? .session : .anonymous
            var body: [UInt8] = []
            let first = min(head.declaredContentLength ?? 0, maxBodySize, Self.firstGrant)
            guard grow(&body, to: first) else {
                respond(overBudget, to: exchange, closing: true, context: context)
                return
            }
            state = .collecting(exchange, contentType: contentType, body: body)
            if head.expectsContinue {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
            }
        case .answer(let answer) where head.expectsContinue:
            // The client holds the body back until told to continue; a final
            // answer instead means the body never comes, so this connection ends here.
            respond(answer, to: exchange, closing: true, context: context)
        case .answer(let answer):
            state = .draining(exchange, answer)
        case .operations(let route):
            state = .operations(exchange, route)
        case .tooLarge:
            respond(tooLarge, to: exchange, closing: true, context: context)
        }
    }

    private func receive(_ chunk: ByteBuffer, context: ChannelHandlerContext) {
        switch state {
        case .collecting(var exchange, let contentType, var body):
            state = .awaitingEngine  // drop the state's reference so `body` grows in place
            exchange.bytesIn += chunk.readableBytes
            guard exchange.bytesIn <= maxBodySize else {
                respond(tooLarge, to: exchange, closing: true, context: context)
                return
            }
            if exchange.bytesIn > granted {
                // Doubling keeps the copies of a growing body to about its size; the
                // announced length, when there is one, is where it stops.
                let limit = exchange.head.declaredContentLength.map { min($0, maxBodySize) } ?? maxBodySize
                guard grow(&body, to: min(max(exchange.bytesIn, 2 * granted, Self.firstGrant), max(limit, exchange.bytesIn))) else {
                    respond(overBudget, to: exchange, closing: true, context: context)
                    return
                }
            }
            body.append(contentsOf: chunk.readableBytesView)
            state = .collecting(exchange, contentType: contentType, body: body)
        case .draining(var exchange, let answer):
            exchange.bytesIn += chunk.readableBytes
            if exchange.bytesIn > maxBodySize {
                respond(tooLarge, to: exchange, closing: true, context: context)
            } else {
                state = .draining(exchange, answer)
            }
        case .operations(var exchange, let route):
            exchange.bytesIn += chunk.readableBytes
            if exchange.bytesIn > maxBodySize {
                respond(tooLarge, to: exchange, closing: true, context: context)
            } else {
                state = .operations(exchange, route)
            }
        case .idle, .awaitingEngine, .closing:
            break
        }
    }

    private func finish(context: ChannelHandlerContext) {
        context.triggerUserOutboundEvent(RequestProgress.received, promise: nil)
        switch state {
        case .collecting(let exchange, let contentType, let body):
            guard !body.isEmpty else {
                respond(.plainText(400, "empty body: POST a SyncML message"), to: exchange, closing: false, context: context)
                return
            }
            state = .awaitingEngine
            // From here the engine's limits bound its copy (maxMessageSize, items per message).
            releaseBody()
            let request = SyncRequest(
                body: body, contentType: contentType,
                url: addressing.requestURL(exchange.head, fallbackAuthority: localAuthority),
                connection: connectionNumber)
            let engine = self.engine
            let reply = context.eventLoop.makePromise(of: SyncReply.self)
            Self.run(on: executor, completing: reply) { await engine.handle(request) }
            reply.futureResult.assumeIsolated().whenSuccess { reply in
                self.respond(HTTPAnswer(reply), to: exchange, closing: false, context: context)
            }
        case .draining(let exchange, let answer):
            respond(answer, to: exchange, closing: false, context: context)
        case .operations(let exchange, let route):
            state = .awaitingEngine
            let operations = self.operations
            let answer = context.eventLoop.makePromise(of: HTTPAnswer.self)
            Self.run(on: executor, completing: answer) { await operations.answer(route) }
            answer.futureResult.assumeIsolated().whenSuccess { answer in
                self.respond(answer, to: exchange, closing: false, context: context)
            }
        case .idle, .awaitingEngine, .closing:
            break
        }
    }

    /// Runs `work` as a task on `executor` (the global concurrent executor when
    /// nil) and completes `promise` with its result.
    private static func run<Value: Sendable>(on executor: (any TaskExecutor)?, completing promise: EventLoopPromise<Value>,
                                             _ work: @escaping @Sendable () async -> Value) {
        if #available(macOS 15.0, *) {
            Task(executorPreference: executor) { promise.succeed(await work()) }
        } else {
            promise.completeWithTask(work)
        }
    }

    // MARK: Writing the answer

    private var tooLarge: HTTPAnswer {
        .plainText(413, "message too large: this server accepts at most \(maxBodySize) bytes")
    }

    /// 503 and closing rather than waiting for room: a stalled read would hold the
    /// connection (and the client) for up to the request deadline, while a refused
    /// message, which the engine has not seen, can simply be sent again.
    private var overBudget: HTTPAnswer {
        var answer = HTTPAnswer.plainText(503, "server busy receiving other messages: retry in \(Self.retryAfter) s")
        answer.extraHeaders = [("Retry-After", String(Self.retryAfter))]
        return answer
    }

    // MARK: The body budget

    /// Makes `body`'s capacity `capacity`, with the budget's leave; false when the budget is spent.
    private func grow(_ body: inout [UInt8], to capacity: Int) -> Bool {
        guard capacity > granted else { return true }
        if let budget {
            guard budget.take(capacity - granted, for: holder) else { return false }
        }
        granted = capacity
        body.reserveCapacity(capacity)
        return true
    }

    /// Gives the collected body's bytes back to the budget (the body itself is gone or the engine's).
    private func releaseBody() {
        budget?.give(granted, for: holder)
        granted = 0
    }

    /// Writes `answer`. `closing` ends the connection after it, also when the
    /// request's body has not been read to its end.
    ///
    /// The next state is set before anything is written: writing the
    /// response's end makes NIO's pipelining handler deliver a request that
    /// was held back, and `begin` must find this handler idle.
    private func respond(_ answer: HTTPAnswer, to exchange: Exchange, closing: Bool, context: ChannelHandlerContext) {
        let requestEnded = !closing
        let keepAlive = requestEnded && exchange.head.isKeepAlive
        releaseBody()
        log(exchange, answer)
        guard isActive else {
            state = .idle
            return
        }
        context.triggerUserOutboundEvent(RequestProgress.received, promise: nil)
        state = requestEnded ? .idle : .closing

        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: answer.contentType)
        headers.add(name: "Content-Length", value: String(answer.body.count))
        for (name, value) in answer.extraHeaders { headers.add(name: name, value: value) }
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if exchange.head.version.major == 1 && exchange.head.version.minor == 0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        let status = HTTPResponseStatus(statusCode: answer.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: exchange.head.version, status: status, headers: headers))), promise: nil)
        if exchange.head.method != .HEAD && !answer.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))), promise: nil)
        }
        if keepAlive { context.triggerUserOutboundEvent(RequestProgress.answered, promise: nil) }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))

        if keepAlive {
            return
        } else if requestEnded {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else {
            let channel = context.channel
            written.assumeIsolated().whenComplete { _ in
                context.close(mode: .output, promise: nil)
                channel.eventLoop.scheduleTask(in: Self.lingerTime) { channel.close(promise: nil) }
            }
        }
    }

    private func log(_ exchange: Exchange, _ answer: HTTPAnswer) {
        let milliseconds = (NIODeadline.now() - exchange.started).nanoseconds / 1_000_000
        logger.debug("\(exchange.head.method.rawValue) \(exchange.head.uri) \(answer.status)", metadata: [
            "content-type": "\(exchange.head.headers.first(name: "content-type") ?? "-")",
            "bytes-in": "\(exchange.bytesIn)",
            "bytes-out": "\(answer.body.count)",
            "status": "\(answer.status)",
            "ms": "\(milliseconds)",
        ])
    }

    /// `host:port` with IPv6 hosts in brackets.
    static func authority(of address: SocketAddress) -> String {
        let host = address.ipAddress ?? "localhost"
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return address.port.map { "\(bracketed):\($0)" } ?? bracketed
    }
}
