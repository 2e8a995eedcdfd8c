import SyncMLCodec
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
    /// Returns its position, for `setCode(_:at:)`.
    @discardableResult
    mutating func status(msgRef: String, cmdRef: String, cmd: String, code: StatusCode, targetRefs: [String] = [],
                         sourceRefs: [String] = [], chal: Challenge? = nil, items: [Item] = []) -> Int? {
        guard !suppressStatuses || cmd == "SyncHdr" else { return nil }
        let status = Status(cmdID: nextCmdID(), msgRef: msgRef, cmdRef: cmdRef, cmd: cmd, code: code,
                            targetRefs: targetRefs, sourceRefs: sourceRefs, chal: chal, items: items)
        commands.append(.status(status))
        return commands.count - 1
    }

    /// Changes the code of the status at `index` (a batched write that failed after its status was written).
    mutating func setCode(_ code: StatusCode, at index: Int) {
        guard case .status(var status) = commands[index] else { return }
        status.code = code
        commands[index] = .status(status)
    }

    var message: SyncMLMessage { SyncMLMessage(header: header, commands: commands, isFinal: isFinal) }
}
