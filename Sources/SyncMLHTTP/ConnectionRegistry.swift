import NIOConcurrencyHelpers
import NIOCore

/// The open connections, so shutdown can close them gently: NIO's HTTP
/// pipeline handler closes an idle connection on `ChannelShouldQuiesceEvent`
/// and a busy one after its current response.
final class ConnectionRegistry: Sendable {
    private let channels = NIOLockedValueBox([ObjectIdentifier: any Channel]())

    func add(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLockedValue { $0[key] = channel }
        channel.closeFuture.whenComplete { [channels] _ in
            _ = channels.withLockedValue { $0.removeValue(forKey: key) }
        }
    }

    /// Asks every connection to finish and schedules a hard close after
    /// `deadline`; returns the channels to wait for.
    func quiesceAll(closingWithin deadline: TimeAmount) -> [any Channel] {
        let open = channels.withLockedValue { Array($0.values) }
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
            let forcedClose = channel.eventLoop.scheduleTask(in: deadline) { channel.close(promise: nil) }
            channel.closeFuture.whenComplete { _ in forcedClose.cancel() }
        }
        return open
    }
}
