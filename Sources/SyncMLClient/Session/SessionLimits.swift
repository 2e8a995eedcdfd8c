/// Caps on one sync session (`ClientConfiguration.sessionLimits`). A server
/// decides how long a session lasts — it can leave out Final forever, or keep
/// sending — so the client counts what the session cost and stops it with a
/// typed error past these. The defaults are far above a real sync: a million
/// contacts take about 5,000 messages of 150 KB.
public struct SessionLimits: Sendable, Hashable {
    /// Messages the client sends in one session (each is a round trip).
    public var maxMessages: Int
    /// Bytes of the server's answers in one session.
    public var maxBytesReceived: Int
    /// Non-final server messages in a row that carry nothing new: no item, no
    /// status for an item or Map the client sent. A server that keeps answering
    /// "more to come" without sending anything is stopped after these.
    public var maxIdleMessages: Int

    /// Limits far above a real sync (see the type's comment); lower them for a
    /// client that must give up sooner.
    public init(maxMessages: Int = 50_000, maxBytesReceived: Int = 8 << 30, maxIdleMessages: Int = 10) {
        self.maxMessages = maxMessages
        self.maxBytesReceived = maxBytesReceived
        self.maxIdleMessages = maxIdleMessages
    }
}

/// What one session has cost so far, checked against `SessionLimits`, and
/// whether the server's messages still bring anything new.
struct SessionBudget {
    let limits: SessionLimits
    private(set) var messagesSent = 0
    private(set) var bytesReceived = 0
    private var idleInARow = 0
    /// What the server's messages brought that is new (items, statuses for the
    /// client's items and Maps), and its value when the last reply arrived: a
    /// non-final reply that leaves it unchanged carried nothing.
    private var news = 0
    private var newsAtReply = 0

    init(_ limits: SessionLimits) { self.limits = limits }

    /// Before a message goes: one more round trip, if the cap allows it.
    mutating func willSend() throws(SyncClientError) {
        guard messagesSent < limits.maxMessages else {
            throw SyncClientError(.sessionLimit, "the session reached \(limits.maxMessages) messages without ending (sessionLimits.maxMessages); stopped")
        }
        messagesSent += 1
    }

    /// An answer arrived.
    mutating func received(_ bytes: Int) throws(SyncClientError) {
        bytesReceived += bytes
        guard bytesReceived <= limits.maxBytesReceived else {
            throw SyncClientError(.sessionLimit, "the server sent more than \(limits.maxBytesReceived) bytes in one session (sessionLimits.maxBytesReceived); stopped")
        }
        newsAtReply = news
    }

    /// The server's message brought something new: an item, or a status for an item or a Map the client sent.
    mutating func noteNews() { news += 1 }

    /// A non-final server message was handled: the server is stopped after
    /// `maxIdleMessages` of them in a row that brought nothing new.
    mutating func nonFinal() throws(SyncClientError) {
        idleInARow = news > newsAtReply ? 0 : idleInARow + 1
        guard idleInARow <= limits.maxIdleMessages else {
            throw SyncClientError(.protocolViolation,
                                  "the server sent \(idleInARow) messages in a row without Final and with nothing new (no item, no status); stopped")
        }
    }
}
