package import SyncMLCodec

/// The commands a role sent that await the peer's Status: a Status names its
/// command by MsgRef and CmdRef only, so both roles keep what they sent by
/// those two ids until it is answered.
package struct AwaitedStatuses<Sent> {
    private var waiting: [String: Sent] = [:]

    package init() {}

    /// Keeps `sent`, command `cmdID` of message `msgID`, until its status comes.
    package mutating func expect(_ sent: Sent, msgID: String, cmdID: String) {
        waiting[msgID + "|" + cmdID] = sent
    }

    /// What `status` answers, no longer awaited; nil when it answers nothing kept here.
    package mutating func answer(_ status: Status) -> Sent? {
        guard let msgRef = status.msgRef else { return nil }
        return waiting.removeValue(forKey: msgRef + "|" + status.cmdRef)
    }

    /// What was never answered.
    package var unanswered: Dictionary<String, Sent>.Values { waiting.values }

    /// The same commands awaited, each kept as `transform` makes it (a session's
    /// snapshot names what a live object referred to); nil from `transform` drops it.
    package func compactMap<T>(_ transform: (Sent) throws -> T?) rethrows -> AwaitedStatuses<T> {
        var mapped = AwaitedStatuses<T>()
        mapped.waiting = try waiting.compactMapValues(transform)
        return mapped
    }
}

extension AwaitedStatuses: Codable where Sent: Codable {}
