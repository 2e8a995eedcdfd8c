import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM as something to wait for: their default handlers are
/// replaced so `syncml sync` can suspend its session, and `syncml serve` shut its
/// service group down gracefully, before the process exits.
final class TerminationSignals {
    private let sources: [any DispatchSourceSignal]
    private let received: AsyncStream<Int32>

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        received = stream
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)  // else the default action still ends the process
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }

    /// Returns when the first signal has arrived (at once if one already has).
    func next() async {
        for await _ in received { return }
    }
}
