import Foundation
import Logging
import SyncMLCodec
import SyncMLStore
import Tracing

/// Where one message's time went, for maintainers profiling a large sync:
/// decoding the request, handling it (the session's own work, authentication
/// included), the store (SQLite's statements, wherever they ran), and encoding
/// the answer. Handling is what is left of the whole once the other three are
/// taken out, so the four add up to the message's time.
///
/// `SyncServer.handle` binds one to the message's task (`current`) when the
/// server measures (its logger at debug level, or a tracer other than the
/// no-op one); it then logs the figures at debug level and reports them as
/// spans: `syncml.message` with `syncml.decode`, `syncml.handle` and
/// `syncml.encode` inside it, the store's share an attribute of the first two.
final class MessageStopwatch: @unchecked Sendable {
    /// The stopwatch of the message the current task handles, if it is measured.
    @TaskLocal static var current: MessageStopwatch?

    /// Written by the task that handles the message, read by it once the
    /// answer is out: never concurrently (the lock is for the type checker's sake).
    private let lock = NSLock()
    private var marks = Marks()
    let statements = StatementTimer()

    private struct Marks {
        let start = Instants()
        var decoded: Instants?
        var encodeStart: Instants?
        var encodeEnd: Instants?
        var message: (msgID: String, device: String, items: Int)?
    }

    /// One moment on both clocks: the monotonic one for durations, the tracer's for spans.
    struct Instants {
        let clock = ContinuousClock.now
        let tracer = DefaultTracerClock.now
    }

    /// The figures of one message.
    struct Figures: Equatable {
        var decode: Duration
        var handle: Duration
        var store: Duration
        var encode: Duration
        var total: Duration
    }

    /// The request decoded into `message` (the handling begins).
    func decoded(_ message: SyncMLMessage, items: Int) {
        let now = Instants()
        lock.withLock {
            marks.decoded = now
            marks.message = (message.header.msgID, message.header.source.locURI, items)
        }
    }

    /// Runs `encode` (the session writing its answer) and notes how long it took.
    static func encoding<T>(_ encode: () -> T) -> T {
        guard let stopwatch = current else { return encode() }
        let start = Instants()
        let result = encode()
        let end = Instants()
        stopwatch.lock.withLock {
            stopwatch.marks.encodeStart = start
            stopwatch.marks.encodeEnd = end
        }
        return result
    }

    /// The figures once the answer is out at `end`.
    func figures(end: Instants) -> Figures {
        let marks = lock.withLock { self.marks }
        let total = end.clock - marks.start.clock
        let decode = (marks.decoded?.clock ?? end.clock) - marks.start.clock
        let encode = marks.encodeEnd.map { $0.clock - marks.encodeStart!.clock } ?? .zero
        let store = statements.total
        let handle = max(.zero, total - decode - encode - store)
        return Figures(decode: decode, handle: handle, store: store, encode: encode, total: total)
    }

    /// The debug line and the spans for a message answered at `end`.
    func report(end: Instants, bytesIn: Int, bytesOut: Int, logger: Logger, tracer: (any Tracer)?) {
        let figures = figures(end: end)
        let marks = lock.withLock { self.marks }
        if logger.logLevel <= .debug, let message = marks.message {
            logger.debug("message timings", metadata: [
                "device": "\(message.device)", "msg": "\(message.msgID)", "items": "\(message.items)",
                "bytes_in": "\(bytesIn)", "bytes_out": "\(bytesOut)",
                "decode_ms": "\(Self.milliseconds(figures.decode))", "handle_ms": "\(Self.milliseconds(figures.handle))",
                "store_ms": "\(Self.milliseconds(figures.store))", "encode_ms": "\(Self.milliseconds(figures.encode))",
                "total_ms": "\(Self.milliseconds(figures.total))",
            ])
        }
        guard let tracer else { return }
        let root = tracer.startSpan("syncml.message", context: .topLevel, ofKind: .server, at: marks.start.tracer)
        root.attributes["syncml.bytes_in"] = bytesIn
        root.attributes["syncml.bytes_out"] = bytesOut
        root.attributes["syncml.store_ms"] = Self.milliseconds(figures.store)
        if let message = marks.message {
            root.attributes["syncml.msg_id"] = message.msgID
            root.attributes["syncml.items"] = message.items
        }
        let decoded = marks.decoded ?? end
        child("syncml.decode", of: root, tracer: tracer, from: marks.start, to: decoded)
        if marks.decoded != nil {
            let handled = marks.encodeStart ?? end
            let handle = tracer.startSpan("syncml.handle", context: root.context, ofKind: .internal, at: decoded.tracer)
            handle.attributes["syncml.store_ms"] = Self.milliseconds(figures.store)
            handle.end(at: handled.tracer)
            if let start = marks.encodeStart, let finish = marks.encodeEnd {
                child("syncml.encode", of: root, tracer: tracer, from: start, to: finish)
            }
        }
        root.end(at: end.tracer)
    }

    private func child(_ name: String, of parent: any Span, tracer: any Tracer, from start: Instants, to end: Instants) {
        tracer.startSpan(name, context: parent.context, ofKind: .internal, at: start.tracer).end(at: end.tracer)
    }

    /// Milliseconds with microsecond precision, as the log and span attributes show them.
    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.wholeNanoseconds / 1_000) / 1_000
    }
}
