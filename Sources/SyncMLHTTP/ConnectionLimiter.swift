import Logging
import NIOConcurrencyHelpers
import NIOCore

/// At most `limit` open connections. It sits on the listening socket ahead of
/// NIO's acceptor, so a connection over the limit is closed as soon as it is
/// accepted: no handlers, buffers or TLS state are made for it. A connection
/// frees its slot when it closes, whatever closed it.
///
/// Refusals are logged at most once a second, with how many there were, so a
/// flood of connections does not become a flood of log lines.
final class ConnectionLimiter: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let limit: Int
    private let open = NIOLockedValueBox(0)
    private let logger: Logger
    /// Refusals not logged yet, and when the last line was written (listening socket's event loop only).
    private var unreported = 0
    private var lastReport: NIODeadline?

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = unwrapInboundIn(data)
        let admitted = open.withLockedValue { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard admitted else {
            connection.close(promise: nil)
            reportRefusal()
            return
        }
        connection.closeFuture.whenComplete { [open] _ in
            open.withLockedValue { $0 -= 1 }
        }
        context.fireChannelRead(data)
    }

    private func reportRefusal() {
        unreported += 1
        let now = NIODeadline.now()
        if let lastReport, now - lastReport < .seconds(1) { return }
        logger.warning("connection limit reached, refusing connections", metadata: [
            "limit": "\(limit)", "refused": "\(unreported)",
        ])
        unreported = 0
        lastReport = now
    }
}
