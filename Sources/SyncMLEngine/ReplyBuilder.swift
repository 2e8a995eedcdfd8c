import SyncMLCore

/// The message being answered: numbers commands (CmdID restarts at 1 in each
/// message) and writes the Status every client command is owed.
struct ReplyBuilder {
    var header: SyncHeader
    private(set) var commands: [Command] = []
    var isFinal = false
    private var lastCmdID = 0
    /// Whether the client asked for no statuses (SyncHdr `NoResp`).
    let suppressStatuses: Bool

    init(header: SyncHeader, suppressStatuses: Bool) {
        self.header = header
        self.suppressStatuses = suppressStatuses
    }

    mutating func nextCmdID() -> String {
        lastCmdID += 1
        return String(lastCmdID)
    }

    mutating func append(_ command: Command) {
        commands.append(command)
    }

    /// A Status for command `cmdRef` (`cmd` names it: "Add", "SyncHdr" …) of client message `msgRef`.
    mutating func status(msgRef: String, cmdRef: String, cmd: String, code: StatusCode, targetRefs: [String] = [],
                         sourceRefs: [String] = [], chal: Challenge? = nil, items: [Item] = []) {
        guard !suppressStatuses || cmd == "SyncHdr" else { return }
        let status = Status(cmdID: nextCmdID(), msgRef: msgRef, cmdRef: cmdRef, cmd: cmd, code: code,
                            targetRefs: targetRefs, sourceRefs: sourceRefs, chal: chal, items: items)
        commands.append(.status(status))
    }

    var message: SyncMLMessage { SyncMLMessage(header: header, commands: commands, isFinal: isFinal) }
}
