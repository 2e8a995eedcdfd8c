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
    /// The header and the first commands as `encodedSize(as:)` encoded them, to
    /// be continued by `encoded(as:)`: the packer measures the statuses before
    /// it adds the server's changes, and they are not encoded a second time.
    private var encodedPrefix: EncodedPrefix?

    private struct EncodedPrefix {
        var encoder: SyncMLEncoder
        var encoding: SyncMLEncoding
        var header: SyncHeader
        var commands: Int
    }

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
        if let prefix = encodedPrefix, index < prefix.commands { encodedPrefix = nil }
    }

    var message: SyncMLMessage { SyncMLMessage(header: header, commands: commands, isFinal: isFinal) }

    /// The size of the message as it stands, encoded (what `message.encoded(as:)` would return).
    /// What is encoded is kept for `encoded(as:)`.
    mutating func encodedSize(as encoding: SyncMLEncoding) -> Int {
        var encoder = SyncMLEncoder(encoding: encoding, version: header.version)
        encoder.encode(.header(header))
        for command in commands { encoder.encode(.command(command)) }
        encodedPrefix = EncodedPrefix(encoder: encoder, encoding: encoding, header: header, commands: commands.count)
        return Self.closed(encoder, isFinal: isFinal).count
    }

    /// The message's bytes, the same as `message.encoded(as:)`: continued from what
    /// `encodedSize(as:)` encoded when that still stands, else encoded whole.
    func encoded(as encoding: SyncMLEncoding) -> [UInt8] {
        guard let prefix = encodedPrefix, prefix.encoding == encoding, prefix.header == header else {
            return message.encoded(as: encoding)
        }
        var encoder = prefix.encoder
        for command in commands[prefix.commands...] { encoder.encode(.command(command)) }
        return Self.closed(encoder, isFinal: isFinal)
    }

    /// The whole document once `encoder`'s commands are followed by Final (if set) and the message's end.
    private static func closed(_ encoder: SyncMLEncoder, isFinal: Bool) -> [UInt8] {
        var encoder = encoder
        if isFinal { encoder.encode(.final) }
        encoder.encode(.endOfMessage)
        return encoder.takeOutput()
    }
}
