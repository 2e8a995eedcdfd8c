import SyncMLCodec
/// Bounds on what a client's header may carry. Every header field is echoed in
/// the answer (Target, Source, SessionID, the status's refs), so bounding them
/// bounds the answer to any request, authenticated or not.
enum SessionLimits {
    /// The longest LocURI, LocName, SessionID or MsgID accepted. Real clients
    /// send DevIDs and URLs of tens of bytes; a kilobyte leaves room for long RespURIs.
    static let maxHeaderFieldLength = 1024

    /// The name of the first header field longer than `maxHeaderFieldLength`, if any.
    static func oversizedHeaderField(_ header: SyncHeader) -> String? {
        let fields: [(String, String?)] = [
            ("Source/LocURI", header.source.locURI), ("Source/LocName", header.source.locName),
            ("Target/LocURI", header.target.locURI), ("Target/LocName", header.target.locName),
            ("SessionID", header.sessionID), ("MsgID", header.msgID), ("RespURI", header.respURI),
        ]
        return fields.first { ($0.1?.utf8.count ?? 0) > maxHeaderFieldLength }?.0
    }
}

/// The answer to a message the server will not serve (bad credentials, too
/// many sessions, a header it refuses): the header's status with `code` and a
/// challenge, the same code for the first commands, Final, and no RespURI.
/// Built from the message alone: a refusal keeps no state.
enum Refusal {
    /// Commands answered one by one; beyond these a refusal says nothing more,
    /// so that a message of many small commands cannot make a large answer.
    static let maxCommandStatuses = 32

    static func message(answering message: SyncMLMessage, code: StatusCode, chal: Challenge?) -> SyncMLMessage {
        let header = message.header
        var reply = ReplyBuilder(
            header: SyncHeader(version: header.version, sessionID: header.sessionID, msgID: "1",
                               target: Location(header.source.locURI, name: header.source.locName), source: Location(header.target.locURI)),
            suppressStatuses: false)
        reply.status(msgRef: header.msgID, cmdRef: "0", cmd: "SyncHdr", code: code,
                     targetRefs: [header.target.locURI], sourceRefs: [header.source.locURI], chal: chal)
        answer(message.commands, msgRef: header.msgID, code: code, reply: &reply)
        reply.isFinal = true
        return reply.message
    }

    /// Statuses with `code` for `commands` (not for Status and Results, which are owed none).
    static func answer(_ commands: [Command], msgRef: String, code: StatusCode, reply: inout ReplyBuilder) {
        var answered = 0
        for command in commands {
            guard answered < maxCommandStatuses else { break }
            guard let cmdID = command.cmdID, cmdID.utf8.count <= 16 else { continue }
            switch command {
            case .status, .results: continue
            default: break
            }
            reply.status(msgRef: msgRef, cmdRef: cmdID, cmd: command.name, code: code)
            answered += 1
        }
    }
}
