import Foundation
import SyncMLCodec
import SyncMLRecords
import SyncMLProtocol
import SyncMLServer
import SyncMLStore
/// A scripted SyncML client with one contacts datastore, holding its items
/// in memory: enough of a phone to drive the server through whole sessions
/// (alerts, changes both ways, multi-message packages, large objects, maps).
final class FakePhone {
    let server: TestServer
    let devID: String
    var wbxml = true
    var maxMsgSize = 150_000
    /// The MaxObjSize it announces (nil: none).
    var maxObjSize: Int?
    var user = "test"
    var password = "test"
    /// Sends its messages after the first to this URL instead of the RespURI it was given.
    var urlOverride: String?
    /// The HTTP connection its messages travel on (nil: none the server can tell).
    var connection: UInt64?
    /// MD5 auth as SyncEvolution does it (basic auth costs a PBKDF2 verification per session).
    var useMD5 = true
    var version: SyncMLVersion = .v1_2
    /// The content type it sends and wants; SIF types go base64 (`b64`), as the Outlook plug-ins send them.
    var itemType = "text/vcard"
    /// The DevInf it Puts in its first message; nil sends none (and, like the Outlook plug-ins, it never answers a Get).
    var devInf: DevInf?
    /// DataStore URI the phone names the server's contacts by.
    var serverDatastore = "contacts"
    /// Stops the next session after sending its changes, as if the server's answer never arrived.
    var loseReplyToChanges = false
    /// Stops the next session after sending its last message (statuses and maps), as if the reply never arrived:
    /// the phone keeps its old anchors, though the server completed the session.
    var loseFinalReply = false
    /// Servers on the same store that take its messages in turn with `server`, one message each, as
    /// nodes behind a round-robin load balancer do (empty: every message goes to `server`).
    var otherNodes: [TestServer] = []
    /// Sends a message again, to the next node, when a node answers it with an HTTP error (a node that
    /// died while handling it): what a client does when its request fails.
    var resendsAfterFailure = false
    private var messagesSent = 0
    /// Called with each message's MsgID just before it is sent (a test arms the store's fault injection there).
    var beforeSending: ((Int) async -> Void)?
    /// The connection is lost before the message with this MsgID goes (once): the sync throws, the session stays open on the server.
    var cutBefore: Int?
    /// Changes whose statuses came back in a sync that did not complete: a resume does not send them again.
    private var delivered: Set<String> = []
    /// At most this many changes a message (nil: all in one): the changes go in as many messages, each a Sync.
    var changesPerMessage: Int?
    private var isSIF: Bool { itemType.hasPrefix("text/x-s4j") }
    private var nonce = Data()
    /// LUID → vCard text.
    private(set) var items: [String: String] = [:]
    private var changed: [String: ChangeOperation] = [:]
    private var lastAnchor: String?
    private var sessionNumber = 0
    private var nextLUID = 1
    private var anchorCounter = 0

    init(_ server: TestServer, devID: String) {
        self.server = server
        self.devID = devID
    }

    @discardableResult
    func add(_ vcard: String) -> String {
        let luid = "L\(nextLUID)"
        nextLUID += 1
        items[luid] = vcard
        changed[luid] = .add
        return luid
    }

    func edit(_ luid: String, _ vcard: String) {
        items[luid] = vcard
        if changed[luid] != .add { changed[luid] = .replace }
    }

    func delete(_ luid: String) {
        items[luid] = nil
        changed[luid] = changed[luid] == .add ? nil : .delete
    }

    /// Forgets its anchors, as after a reinstall: the next sync is slow.
    func forgetAnchors() { lastAnchor = nil }

    struct Report {
        var grantedMode: Int?
        var alertStatus: Int?
        /// Statuses the server sent for this phone's changes, in order.
        var itemStatuses: [Int] = []
        var received: [String] = []
        var receivedTypes: [String] = []
        var messages = 0
        /// Times package 1 was sent again after a 401 (a first contact is challenged once).
        var authenticationRetries = 0
        /// Messages sent again to the next node after a node failed them (`resendsAfterFailure`).
        var resent = 0
        /// The server's status for the DevInf Put (nil when none was sent).
        var putStatus: Int?
        /// The server's status for the SyncHdr of the session's last message (500 when it could not complete).
        var finalHeaderStatus: Int?
    }

    /// The SyncHdr credential: MD5 over the last nonce the server gave, or basic.
    func credential() -> Credential {
        if useMD5 {
            return Credential(meta: Meta(format: "b64", type: "syncml:auth-md5"),
                              data: PasswordDigest.md5(user: user, password: password, nonce: Array(nonce)))
        }
        return Credential(meta: Meta(format: "b64", type: "syncml:auth-basic"), data: Data("\(user):\(password)".utf8).base64EncodedString())
    }

    /// One whole session in `mode` (alert code). Throws when the server answers out of protocol.
    @discardableResult
    func sync(_ mode: AlertCode = .twoWay) async throws -> Report {
        sessionNumber += 1
        anchorCounter += 1
        let next = "A\(anchorCounter)-\(devID)"
        var report = Report()
        var msgID = 0
        var url: String? = nil
        func header() -> SyncHeader {
            msgID += 1
            return SyncHeader(version: version, sessionID: String(sessionNumber), msgID: String(msgID), target: Location(server.url),
                              source: Location(devID, name: user), meta: Meta(maxMsgSize: maxMsgSize, maxObjSize: maxObjSize))
        }
        func send(_ message: SyncMLMessage) async throws -> SyncMLMessage {
            report.messages += 1
            await beforeSending?(Int(message.header.msgID) ?? 0)
            if let cut = cutBefore, cut == Int(message.header.msgID) {
                cutBefore = nil
                throw TestFailure("the connection was lost")
            }
            let nodes = [server] + otherNodes
            messagesSent += 1
            let bytes = message.encoded(as: wbxml ? .wbxml : .xml)
            do {
                return try await nodes[(messagesSent - 1) % nodes.count].post(bytes, wbxml: wbxml, url: url, connection: connection)
            } catch let failure as TestFailure where resendsAfterFailure && failure.description.hasPrefix("HTTP") {
                report.resent += 1
                messagesSent += 1
                return try await nodes[(messagesSent - 1) % nodes.count].post(bytes, wbxml: wbxml, url: url, connection: connection)
            }
        }

        // Package 1: credentials and the alert; after a 401 with a challenge, once more as a new session
        // over the new nonce (with its DevInf again: unlike SyncEvolution, this phone never answers a Get).
        let alert = Alert(cmdID: "2", code: mode, items: [Item(target: Location(serverDatastore), source: Location("./contacts"),
                                                                meta: Meta(anchor: Anchor(last: mode == .slow ? nil : lastAnchor, next: next)))])
        var init1: [Command] = [.alert(alert)]
        if let devInf {
            init1.insert(.put(Exchange(cmdID: "1", meta: Meta(type: "application/vnd.syncml-devinf+xml"),
                                       items: [Item(source: Location(version.devInfURI), data: .devInf(devInf))])), at: 0)
        }
        var reply1: SyncMLMessage
        var retried = false
        while true {
            var first = header()
            first.cred = credential()
            reply1 = try await send(SyncMLMessage(header: first, commands: init1))
            if let next = reply1.status(for: "SyncHdr")?.chal?.meta?.nextNonce, let bytes = Data(base64Encoded: next) { nonce = bytes }
            guard reply1.status(for: "SyncHdr")?.code.rawValue == 401, !retried else { break }
            retried = true
            report.authenticationRetries += 1
            sessionNumber += 1
            msgID = 0
        }
        url = urlOverride ?? reply1.header.respURI
        report.alertStatus = reply1.status(for: "Alert")?.code.rawValue
        report.putStatus = reply1.status(for: "Put")?.code.rawValue
        guard reply1.status(for: "SyncHdr")?.code.rawValue == 212, let granted = reply1.alerts.first?.code else {
            throw TestFailure("init refused: \(reply1.statusSummary)")
        }
        report.grantedMode = granted.rawValue
        let slow = granted == .slow || granted == .refreshFromClient

        // Package 3: the phone's changes.
        var commands: [Command] = [statusFor(reply1, msgRef: "1", cmdRef: "0", cmd: "SyncHdr")]
        if let serverAlert = reply1.alerts.first {
            commands.append(.status(Status(cmdID: "s", msgRef: "1", cmdRef: serverAlert.cmdID, cmd: "Alert", code: .ok)))
        }
        var syncCommands: [Command] = []
        var cmd = 100
        if granted != .oneWayFromServer && granted != .refreshFromServer {
            var send: [(String, ChangeOperation)] = slow ? items.keys.sorted().map { ($0, .replace) } : changed.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            if mode == .resume { send.removeAll { delivered.contains($0.0) } }
            for (luid, operation) in send {
                cmd += 1
                var data: ItemData? = nil
                if operation != .delete { data = isSIF ? .bytes(ArraySlice(SIF.encodeBase64(Array(items[luid]!.utf8)))) : .text(items[luid]!) }
                let item = Item(source: Location(luid), data: data)
                let command = ItemCommand(cmdID: String(cmd), meta: Meta(format: isSIF && operation != .delete ? "b64" : nil, type: itemType), items: [item])
                syncCommands.append(operation == .add ? .add(command) : operation == .replace ? .replace(command) : .delete(command))
            }
        }
        var earlierStatuses: [Int] = []
        if let perMessage = changesPerMessage, syncCommands.count > perMessage {
            for start in stride(from: 0, to: syncCommands.count - perMessage, by: perMessage) {
                commands.append(.sync(Sync(cmdID: "2", target: Location(serverDatastore), source: Location("./contacts"),
                                           commands: Array(syncCommands[start..<start + perMessage]))))
                let reply = try await send(SyncMLMessage(header: header(), commands: renumber(commands), isFinal: false))
                earlierStatuses += itemStatuses(in: reply)
                for command in syncCommands[start..<start + perMessage] {
                    if case .add(let c) = command { delivered.formUnion(c.items.compactMap { $0.source?.locURI }) }
                    if case .replace(let c) = command { delivered.formUnion(c.items.compactMap { $0.source?.locURI }) }
                }
                commands = [statusFor(reply, msgRef: reply.header.msgID, cmdRef: "0", cmd: "SyncHdr")]
            }
            let last: Int = (syncCommands.count - 1) / perMessage * perMessage
            syncCommands = Array(syncCommands[last...])
        }
        commands.append(.sync(Sync(cmdID: "2", target: Location(serverDatastore), source: Location("./contacts"), commands: syncCommands)))
        var reply = try await send(SyncMLMessage(header: header(), commands: renumber(commands)))
        if loseReplyToChanges {
            loseReplyToChanges = false
            throw TestFailure("the reply to the changes was lost")
        }
        report.itemStatuses = earlierStatuses + itemStatuses(in: reply)

        // Package 4: the server's changes, maybe in several messages; package 5: statuses and map.
        var maps: [MapItem] = []
        var chunk: (guid: String, data: [UInt8])?
        while true {
            var answers: [Command] = [statusFor(reply, msgRef: reply.header.msgID, cmdRef: "0", cmd: "SyncHdr")]
            for sync in reply.syncs {
                for (name, command) in sync.items {
                    for item in command.items {
                        var code = StatusCode.ok
                        var data: [UInt8] = []
                        if case .bytes(let bytes)? = item.data { data = Array(bytes) }
                        let guid = item.source?.locURI ?? ""
                        if item.moreData {
                            chunk = (guid, (chunk?.data ?? []) + data)
                            answers.append(.status(Status(cmdID: "s", msgRef: reply.header.msgID, cmdRef: command.cmdID, cmd: name, code: .chunkedItemAccepted)))
                            continue
                        }
                        if let pending = chunk, pending.guid == guid { data = pending.data + data; chunk = nil }
                        if (command.meta?.format ?? item.meta?.format) == "b64" { data = try SIF.decodeBase64(data) }
                        report.receivedTypes.append(command.meta?.type ?? item.meta?.type ?? "")
                        let text = String(decoding: data, as: UTF8.self)
                        switch name {
                        case "Add":
                            let luid = "S\(nextLUID)"
                            nextLUID += 1
                            items[luid] = text
                            maps.append(MapItem(target: Location(guid), source: Location(luid)))
                            code = .itemAdded
                            report.received.append(text)
                        case "Replace":
                            items[item.target?.locURI ?? ""] = text
                            report.received.append(text)
                        default:
                            items[item.target?.locURI ?? ""] = nil
                        }
                        answers.append(.status(Status(cmdID: "s", msgRef: reply.header.msgID, cmdRef: command.cmdID, cmd: name, code: code)))
                    }
                }
            }
            if reply.isFinal {
                if !maps.isEmpty {
                    answers.append(.map(Map(cmdID: "m", target: Location(serverDatastore), source: Location("./contacts"), items: maps)))
                }
                let last = try await send(SyncMLMessage(header: header(), commands: renumber(answers)))
                if loseFinalReply {
                    loseFinalReply = false
                    changed = [:] // the phone considers its changes delivered only after the reply; keep it simple: they were
                    throw TestFailure("the final reply was lost")
                }
                guard last.isFinal, last.syncs.isEmpty else { throw TestFailure("expected the end of the session: \(last.statusSummary)") }
                report.finalHeaderStatus = last.status(for: "SyncHdr")?.code.rawValue
                break
            }
            answers.append(.alert(Alert(cmdID: "n", code: .nextMessage, items: [])))
            reply = try await send(SyncMLMessage(header: header(), commands: renumber(answers), isFinal: false))
        }
        changed = [:]
        delivered = []
        lastAnchor = next
        return report
    }

    /// The codes of the statuses `reply` gives the phone's Add, Replace and Delete items, in order.
    private func itemStatuses(in reply: SyncMLMessage) -> [Int] {
        reply.commands.compactMap {
            if case .status(let s) = $0, ["Add", "Replace", "Delete"].contains(s.cmd) { s.code.rawValue } else { nil }
        }
    }

    private func statusFor(_ reply: SyncMLMessage, msgRef: String, cmdRef: String, cmd: String) -> Command {
        .status(Status(cmdID: "s", msgRef: msgRef, cmdRef: cmdRef, cmd: cmd, code: .ok))
    }

    /// CmdIDs 1, 2, 3 … in order (statuses built above carry placeholders).
    private func renumber(_ commands: [Command]) -> [Command] {
        var counter = 0
        return commands.map { command in
            counter += 1
            let id = String(counter)
            switch command {
            case .status(var s): s.cmdID = id; return .status(s)
            case .alert(var a): a.cmdID = id; return .alert(a)
            case .map(var m): m.cmdID = id; return .map(m)
            case .sync(var s): s.cmdID = id; return .sync(s)
            default: return command
            }
        }
    }
}

/// A vCard 3.0 contact.
func vCard(_ given: String, _ family: String, tel: String? = nil, email: String? = nil, note: String? = nil, photoBytes: Int = 0) -> String {
    var lines = ["BEGIN:VCARD", "VERSION:3.0", "N:\(family);\(given);;;", "FN:\(given) \(family)"]
    if let tel { lines.append("TEL;TYPE=CELL:\(tel)") }
    if let email { lines.append("EMAIL;TYPE=INTERNET:\(email)") }
    if let note { lines.append("NOTE:\(note)") }
    if photoBytes > 0 {
        let bytes = (0..<photoBytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        lines.append("PHOTO;ENCODING=b;TYPE=JPEG:" + Data(bytes).base64EncodedString())
    }
    lines.append("END:VCARD")
    return lines.joined(separator: "\r\n") + "\r\n"
}
