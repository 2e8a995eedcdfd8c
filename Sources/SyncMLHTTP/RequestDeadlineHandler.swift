import Logging
import NIOCore

/// What `SyncHTTPHandler` tells `RequestDeadlineHandler` about the request in
/// hand, as outbound user events (they travel from the HTTP handler down the
/// pipeline to it).
enum RequestProgress: Sendable {
    /// A request head was parsed (also one that was pipelined and held back).
    case began
    /// The request has been read to its end, or an answer to it has started:
    /// the server is working or writing, so the client is not to blame for time passing.
    case received
    /// The answer was written and the connection stays open for the next request.
    case answered
}

/// The per-request deadline: a request's head and body must arrive within
/// `timeout`, counted from its first byte (from accept for a connection's
/// first request, so a TLS handshake counts too). Past it the client gets a
/// 408 and the connection is closed, so a slow sender (slowloris: a byte a
/// second, which the idle timeout never sees as silence) holds a connection at
/// most that long.
///
/// It sits below the HTTP codec and sees raw bytes, because a head that is
/// still arriving is invisible above it. The clock stops once the request is
/// received: a client waiting while the engine works is never cut. While a
/// keep-alive connection waits for its next request, no clock runs (the idle
/// timeout covers that).
final class RequestDeadlineHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        /// Between requests: the clock starts with the next byte.
        case waitingForRequest
        /// A request is arriving; the task answers 408 when it runs.
        case receiving(Scheduled<Void>)
        /// The server has the request; `nextBegun` when bytes of another arrived meanwhile (pipelining).
        case answering(nextBegun: Bool)
        case closed
    }

    private let timeout: TimeAmount
    private let logger: Logger
    private var phase = Phase.waitingForRequest

    init(timeout: TimeAmount, logger: Logger) {
        self.timeout = timeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startClock(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if case .waitingForRequest = phase { startClock(context: context) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopClock()
        phase = .closed
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopClock()
        phase = .closed
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .waitingForRequest: startClock(context: context)
        case .answering: phase = .answering(nextBegun: true)
        case .receiving, .closed: break
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let progress = event as? RequestProgress else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        switch (progress, phase) {
        case (.began, .waitingForRequest):
            startClock(context: context)
        case (.received, .receiving), (.received, .waitingForRequest):
            stopClock()
            phase = .answering(nextBegun: false)
        case (.answered, .answering(let nextBegun)):
            phase = .waitingForRequest
            if nextBegun { startClock(context: context) }
        default:
            break
        }
        promise?.succeed(())
    }

    private func startClock(context: ChannelHandlerContext) {
        let task = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            self.expire(context: context)
        }
        phase = .receiving(task)
    }

    private func stopClock() {
        if case .receiving(let task) = phase { task.cancel() }
    }

    /// Nothing has been answered for this request (an answer would have
    /// stopped the clock), so a 408 can go out as raw bytes ahead of the close.
    private func expire(context: ChannelHandlerContext) {
        guard case .receiving = phase else { return }
        phase = .closed
        logger.notice("request not received within the deadline, closing", metadata: [
            "remote": "\(context.remoteAddress.map { "\($0)" } ?? "-")",
            "timeout-ms": "\(timeout.nanoseconds / 1_000_000)",
        ])
        let body = "request not received within \(Self.describe(timeout))\n"
        let response = "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: response)), promise: nil)
        context.close(promise: nil)
    }

    private static func describe(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}
