import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

/// One sync's options and where it stands, from `sync()` to its report.
struct SyncRun {
    /// The host's progress callback.
    var progress: (@Sendable (SyncProgress) -> Void)?
    /// The host confirmed its deletes: no mass-delete guard, and the server is told so.
    var forceDeletes = false
    /// The client's logger with this sync's metadata (server, device, session).
    var logger: Logger
    /// This sync's session in the client's journal (received changes are
    /// journaled under it; a failed sync saves its resume state there).
    var storeSession: SessionID?
    /// The suspended session found before the sync, which it offers to resume.
    var suspended: (id: SessionID, state: ClientResumeState)?
    /// The host called `suspend()`: Alert 224 goes instead of the next message.
    var suspendRequested = false
    /// The sync stopped at a suspend; its report says so.
    var wasSuspended = false

    init(logger: Logger, progress: (@Sendable (SyncProgress) -> Void)? = nil, forceDeletes: Bool = false) {
        self.logger = logger
        self.progress = progress
        self.forceDeletes = forceDeletes
    }
}

/// The conversation with the server in one session: where messages go, how
/// they are numbered, and what the server announced about itself.
struct MessageExchange {
    /// Where the next message goes: the configured URL, then the server's RespURI.
    var url = ""
    var sessionID = 0
    var msgID = 0
    /// The server's MaxMsgSize (at least 4 KiB), which the client's changes are packed to.
    var serverMaxMessageSize = 150_000
    /// The credential for the next message (the first of a session).
    var pendingCredential: Credential?
}

/// One of the client's item commands, until the server's status for it.
struct SentItem {
    let store: ClientDatastoreState
    let change: OutgoingChange
}

/// The client's item commands from the moment they are built (a placeholder
/// CmdID, `item:N`) through their numbering in a message until the server's
/// status answers each.
struct SentItems {
    private var building: [String: SentItem] = [:]
    private var awaited = AwaitedStatuses<SentItem>()
    private var counter = 0

    /// A placeholder CmdID for `item`, replaced by its number when the message is sent.
    mutating func placeholder(for item: SentItem) -> String {
        counter += 1
        let placeholder = "item:\(counter)"
        building[placeholder] = item
        return placeholder
    }

    /// The command with `placeholder` went as command `cmdID` of message `msgID`.
    mutating func numbered(_ placeholder: String, msgID: String, cmdID: String) {
        if let item = building.removeValue(forKey: placeholder) { awaited.expect(item, msgID: msgID, cmdID: cmdID) }
    }

    /// The item `status` answers, no longer awaited; nil when it answers none of ours.
    mutating func answer(_ status: Status) -> SentItem? {
        awaited.answer(status)
    }
}
