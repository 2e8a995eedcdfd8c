import NIOCore
import NIOHTTP1

/// One POST handed to a connection: written by `HTTPExchangeHandler`, whose
/// answer completes `response`.
struct HTTPExchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer
    var response: EventLoopPromise<HTTPResponse>
    /// How long the whole answer may take, from the write to its last byte.
    var timeout: TimeAmount
    /// The largest answer body accepted; a larger one fails the exchange.
    var maxBodySize: Int
}

/// A complete HTTP response.
struct HTTPResponse: Sendable {
    var head: HTTPResponseHead
    var body: ByteBuffer
}

/// Why an exchange failed, before the transport adds where.
enum HTTPExchangeFailure: Error {
    case timedOut
    /// The server closed the connection before the answer ended (after it began, or before).
    case closed(midAnswer: Bool)
    case tooLarge(limit: Int)
    /// A second request while one is in flight (the transport serializes, so this is a bug).
    case busy
    case io(any Error)
}

/// Writes one request at a time and collects its response; NIO's HTTP codec
/// in front of it parses Content-Length and chunked bodies alike.
///
/// Every failure (timeout, oversized answer, a peer that hangs up, a decoding
/// error) fails the pending promise and closes the connection, so the
/// transport never reuses a connection in an unknown state.
final class HTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPExchange
    typealias OutboundOut = HTTPClientRequestPart

    private struct Pending {
        var response: EventLoopPromise<HTTPResponse>
        var timeout: Scheduled<Void>
        var maxBodySize: Int
        var head: HTTPResponseHead?
        var body: ByteBuffer
    }

    private var pending: Pending?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard pending == nil else {
            exchange.response.fail(HTTPExchangeFailure.busy)
            promise?.fail(HTTPExchangeFailure.busy)
            return
        }
        // Closed since the transport looked (an idle connection the server dropped):
        // nothing would ever answer.
        guard context.channel.isActive else {
            exchange.response.fail(HTTPExchangeFailure.closed(midAnswer: false))
            promise?.fail(HTTPExchangeFailure.closed(midAnswer: false))
            return
        }
        let timeout = context.eventLoop.assumeIsolated().scheduleTask(in: exchange.timeout) { [weak self] in
            self?.failPending(.timedOut)
            context.close(promise: nil)
        }
        pending = Pending(response: exchange.response, timeout: timeout, maxBodySize: exchange.maxBodySize,
                          body: context.channel.allocator.buffer(capacity: 0))
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(exchange.body))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenFailure { [weak self] error in
            self?.failPending(.io(error))
            context.close(promise: nil)
        }
        written.futureResult.cascade(to: promise)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Bytes nobody asked for (an answer after a timeout) are dropped: the connection is closing.
        guard var current = pending else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            current.head = head
            pending = current
        case .body(var chunk):
            guard current.body.readableBytes + chunk.readableBytes <= current.maxBodySize else {
                failPending(.tooLarge(limit: current.maxBodySize))
                context.close(promise: nil)
                return
            }
            pending = nil  // so the buffer below is uniquely referenced and grows in place
            current.body.writeBuffer(&chunk)
            pending = current
        case .end:
            pending = nil
            current.timeout.cancel()
            guard let head = current.head else {
                current.response.fail(HTTPExchangeFailure.closed(midAnswer: false))
                context.close(promise: nil)
                return
            }
            current.response.succeed(HTTPResponse(head: head, body: current.body))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failPending(.closed(midAnswer: pending?.head != nil))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failPending(.io(error))
        context.close(promise: nil)
    }

    /// Fails the request in flight, if any.
    private func failPending(_ failure: HTTPExchangeFailure) {
        guard let current = pending else { return }
        pending = nil
        current.timeout.cancel()
        current.response.fail(failure)
    }
}
