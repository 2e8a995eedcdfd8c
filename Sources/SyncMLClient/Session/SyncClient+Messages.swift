import Foundation
import Logging
import SyncMLCodec
import SyncMLProtocol

/// The messages themselves: numbered, sent and decoded (`send`), and the
/// statuses every server message is owed (`answer`).
extension SyncClient {
    /// Numbers the commands, adds the header, posts, decodes the reply.
    func send(_ commands: [Command], isFinal: Bool) async throws -> SyncMLMessage {
        try Task.checkCancellation()
        try budget.willSend()
        exchange.msgID += 1
        var header = SyncHeader(version: .v1_2, sessionID: String(exchange.sessionID), msgID: String(exchange.msgID),
                                target: Location(configuration.serverURL), source: Location(configuration.deviceID, name: configuration.user),
                                meta: Meta(maxMsgSize: configuration.maxMessageSize, maxObjSize: configuration.maxObjectSize))
        if let cred = exchange.pendingCredential {
            header.cred = cred
            exchange.pendingCredential = nil
        }
        var numbered: [Command] = []
        var next = 0
        for command in commands { numbered.append(number(command, &next)) }
        let message = SyncMLMessage(header: header, commands: numbered, isFinal: isFinal)
        let encoding: SyncMLEncoding = configuration.wbxml ? .wbxml : .xml
        let bytes = message.encoded(as: encoding)
        run.logger.debug("message sent", metadata: ["syncml.msgID": "\(exchange.msgID)", "syncml.bytes": "\(bytes.count)",
                                                   "syncml.commands": "\(numbered.count)", "syncml.final": "\(isFinal)"])
        let reply: TransportReply
        do {
            reply = try await transport.send(bytes, contentType: encoding.contentType, to: exchange.url)
        } catch let error as SyncClientError {
            throw error
        } catch {
            throw SyncClientError(.transport, "\(error)")
        }
        guard reply.status == 200 else {
            throw SyncClientError(.transport, "HTTP \(reply.status) from \(exchange.url)")
        }
        try budget.received(reply.body.count)
        let decoded: SyncMLMessage
        do {
            decoded = try SyncMLMessage(decoding: reply.body)
        } catch {
            throw SyncClientError(.protocolViolation, "the server's answer is not SyncML: \(error)")
        }
        run.logger.debug("reply received", metadata: ["syncml.msgID": "\(decoded.header.msgID)", "syncml.bytes": "\(reply.body.count)",
                                                     "syncml.commands": "\(decoded.commands.count)", "syncml.final": "\(decoded.isFinal)"])
        return decoded
    }

    /// CmdIDs 1, 2, 3 … through nested Syncs; an item command's placeholder id
    /// ("item:N") becomes its real id in `sentItems`, so the server's status finds it.
    private func number(_ command: Command, _ next: inout Int) -> Command {
        next += 1
        let id = String(next)
        func track(_ placeholder: String) { sentItems.numbered(placeholder, msgID: String(exchange.msgID), cmdID: id) }
        switch command {
        case .status(var c): c.cmdID = id; return .status(c)
        case .alert(var c): c.cmdID = id; return .alert(c)
        case .put(var c): c.cmdID = id; return .put(c)
        case .get(var c): c.cmdID = id; return .get(c)
        case .results(var c): c.cmdID = id; return .results(c)
        case .map(var c): c.cmdID = id; return .map(c)
        case .add(var c): track(c.cmdID); c.cmdID = id; return .add(c)
        case .replace(var c): track(c.cmdID); c.cmdID = id; return .replace(c)
        case .delete(var c): track(c.cmdID); c.cmdID = id; return .delete(c)
        case .sync(var c):
            c.cmdID = id
            c.commands = c.commands.map { number($0, &next) }
            return .sync(c)
        default: return command
        }
    }

    /// Statuses for the server's commands (Sync aside: `receiveChanges` answers
    /// those), Results for a Get of our DevInf, and the server's statuses for our items counted.
    func answer(_ reply: SyncMLMessage, allowResults: Bool) -> [Command] {
        let msgRef = reply.header.msgID
        var out: [Command] = [.status(Status(cmdID: "", msgRef: msgRef, cmdRef: "0", cmd: "SyncHdr", code: .ok,
                                             targetRefs: [reply.header.target.locURI], sourceRefs: [reply.header.source.locURI]))]
        for command in reply.commands {
            switch command {
            case .status(let status):
                take(status)
                if status.cmd == "Map" { budget.noteNews() }
            case .alert(let alert) where !alert.noResp:
                out.append(.status(Status(cmdID: "", msgRef: msgRef, cmdRef: alert.cmdID, cmd: "Alert", code: .ok,
                                          targetRefs: alert.items.compactMap { $0.target?.locURI },
                                          sourceRefs: alert.items.compactMap { $0.source?.locURI })))
            case .get(let get):
                let target = get.items.first?.target?.locURI ?? ""
                let isDevInf = target.lowercased().contains("devinf")
                out.append(.status(Status(cmdID: "", msgRef: msgRef, cmdRef: get.cmdID, cmd: "Get", code: isDevInf ? .ok : .notFound,
                                          targetRefs: [target])))
                if isDevInf {
                    out.append(.results(Results(cmdID: "", msgRef: msgRef, cmdRef: get.cmdID, meta: Meta(type: "application/vnd.syncml-devinf+xml"),
                                                items: [Item(source: Location(target), data: .devInf(devInf()))])))
                }
            case .put(let put) where !put.noResp:
                out.append(.status(Status(cmdID: "", msgRef: msgRef, cmdRef: put.cmdID, cmd: "Put", code: .ok)))
            case .results(let results):
                out.append(.status(Status(cmdID: "", msgRef: msgRef, cmdRef: results.cmdID, cmd: "Results", code: .ok)))
            case .sync, .alert, .put:
                break
            default:
                if let cmdID = command.cmdID {
                    out.append(.status(Status(cmdID: "", msgRef: msgRef, cmdRef: cmdID, cmd: command.name, code: .optionalFeatureNotSupported)))
                }
            }
        }
        return out
    }

    /// A session-level refusal in a later message (the header's status).
    func checkSession(_ reply: SyncMLMessage) throws {
        if let header = reply.statuses.first(where: { $0.cmd == "SyncHdr" }), !(200...299).contains(header.code.rawValue) {
            throw SyncClientError(.serverStatus, "the server answered message \(reply.header.msgID) with status \(header.code)")
        }
    }
}

extension SyncMLMessage {
    var statuses: [Status] { commands.compactMap { if case .status(let s) = $0 { s } else { nil } } }
    var alerts: [Alert] { commands.compactMap { if case .alert(let a) = $0 { a } else { nil } } }
}
