import Foundation
import SyncMLCodec
import SyncMLServer
import Testing

/// What a client sees for every command kind and nesting, in both encodings,
/// and for messages refused whole (undecodable, too many items): pinned so that
/// a server reading a message's commands as they are decoded (issue #16's
/// streaming, tried on branch `serverstream`) answers exactly as the one that
/// decodes the message into a tree first.
@Suite("Server: answers to every command kind and nesting")
struct StreamedMessageTests {
    static func card(_ given: String) -> String { vCard(given, "Streamed") }

    static func item(_ cmdID: String, _ luid: String, _ text: String?, as kind: (ItemCommand) -> Command = Command.add) -> Command {
        kind(ItemCommand(cmdID: cmdID, meta: Meta(type: "text/vcard"), items: [Item(source: Location(luid), data: text.map { .text($0) })]))
    }

    /// The client's changes of a slow sync, in every nesting a Sync may come in, among the commands a session answers
    /// without a datastore.
    static func everyKind() -> [Command] {
        let sync = RawMessage.sync(cmdID: "4", [
            item("5", "L1", card("Anna")),
            .atomic(CommandGroup(cmdID: "6", commands: [
                item("7", "L2", card("Bernd"), as: Command.replace),
                .sequence(CommandGroup(cmdID: "8", commands: [item("9", "L3", card("Clara"))])),
            ])),
            item("10", "L1", card("Dora"), as: Command.copy),
            RawMessage.sync(cmdID: "11", [item("12", "L7", card("Never"))]),
            item("13", "L9", nil, as: Command.delete),
            .add(ItemCommand(cmdID: "14", meta: Meta(type: "text/vcard"), items: [
                Item(source: Location("L4"), data: .text(card("Emil"))), Item(source: Location("L5"), data: .text(card("Frida"))),
            ])),
            .add(ItemCommand(cmdID: "15", meta: Meta(type: "text/vcard"), items: [Item(source: Location("L6"), data: .text(card("Quiet")))],
                             noResp: true)),
        ])
        return [
            .status(Status(cmdID: "1", msgRef: "1", cmdRef: "0", cmd: "SyncHdr", code: .ok)),
            .exec(Exec(cmdID: "2", items: [Item(target: Location("./run"))])),
            .atomic(CommandGroup(cmdID: "3", commands: [sync])),
            .sequence(CommandGroup(cmdID: "16", commands: [
                .sync(Sync(cmdID: "17", target: Location("nowhere"), source: Location("./nowhere"), commands: [item("18", "N1", card("Lost"))])),
            ])),
            item("19", "L8", card("Outside")),
            .atomic(CommandGroup(cmdID: "20", commands: [], noResp: true)),
        ]
    }

    /// Status, CmdRef and code of each status in `reply`, in order.
    static func statuses(_ reply: SyncMLMessage) -> [String] {
        reply.commands.compactMap { if case .status(let s) = $0 { "\(s.cmd) \(s.cmdRef) \(s.code.rawValue)" } else { nil } }
    }

    static func message(_ devID: String, msgID: String, commands: [Command], isFinal: Bool = true, to server: TestServer) -> SyncMLMessage {
        SyncMLMessage(header: SyncHeader(sessionID: "1", msgID: msgID, target: Location(server.url), source: Location(devID, name: "test")),
                      commands: commands, isFinal: isFinal)
    }

    @Test("Every command kind, Syncs nested in Atomic and Sequence and containers in a Sync: each status in its place, the same in WBXML and XML",
          arguments: [SyncMLEncoding.wbxml, .xml])
    func everyCommandKind(encoding: SyncMLEncoding) async throws {
        let server = try await TestServer()
        let respURI = try await server.beginSlowSync(devID: "kinds")
        let bytes = Self.message("kinds", msgID: "2", commands: Self.everyKind(), to: server).encoded(as: encoding)
        let reply = try await server.post(bytes, wbxml: encoding == .wbxml, url: respURI)
        #expect(Self.statuses(reply) == [
            "SyncHdr 0 200", "Exec 2 406", "Atomic 3 200", "Sync 4 200", "Add 5 201", "Atomic 6 200", "Replace 7 201",
            "Sequence 8 200", "Add 9 201", "Copy 10 406", "Sync 11 406", "Delete 13 211", "Add 14 201", "Add 14 201",
            "Sequence 16 200", "Sync 17 404", "Add 19 405",
        ])
        let stored = try await server.items("contacts")
        for given in ["Anna", "Bernd", "Clara", "Emil", "Frida", "Quiet"] {
            #expect(stored.contains { $0.contains("FN:\(given) Streamed") }, "\(given)")
        }
        #expect(stored.count == 6, "nothing of the nested Sync, the Copy, the unknown datastore or the Add outside a Sync")
    }

    @Test("A tail that does not decode after valid commands: HTTP 400, nothing applied, and the session goes on as if it never came",
          arguments: [(SyncMLEncoding.wbxml, "truncated"), (.xml, "truncated"), (.xml, "mismatched end tag")])
    func undecodableTail(encoding: SyncMLEncoding, fault: String) async throws {
        let server = try await TestServer()
        let respURI = try await server.beginSlowSync(devID: "tail")
        let sync = RawMessage.sync((1...20).map { Self.item(String($0 + 2), "L\($0)", Self.card("Tail\($0)")) })
        let whole = Self.message("tail", msgID: "2", commands: [sync], to: server).encoded(as: encoding)
        var broken = whole
        if fault == "truncated" {
            broken.removeLast(whole.count / 10) // inside the last Adds: the first ones decode
        } else {
            let text = String(decoding: whole, as: UTF8.self)
            broken = Array(text.replacingOccurrences(of: "</SyncBody>", with: "</SyncBodx>").utf8)
            #expect(broken != whole)
        }
        let request = SyncRequest(body: broken, contentType: encoding.contentType, url: respURI)
        let refused = await server.server.handle(request)
        #expect(refused.httpStatus == 400)
        #expect(String(decoding: refused.body, as: UTF8.self).hasPrefix("not a SyncML message:"))
        #expect(try await server.items("contacts").isEmpty)

        let reply = try await server.post(whole, wbxml: encoding == .wbxml, url: respURI)
        #expect(reply.statusSummary == ["SyncHdr 200", "Sync 200"] + Array(repeating: "Add 201", count: 20))
        #expect(try await server.items("contacts").count == 20)
    }

    @Test("A refused message answers its first 32 top-level commands, a container by its own fields, none of its children")
    func refusalCountsContainersOnce() async throws {
        let server = try await TestServer()
        var probe = RawMessage(devID: "refused")
        probe.commands = [.status(Status(cmdID: "1", msgRef: "1", cmdRef: "0", cmd: "SyncHdr", code: .ok)),
                          RawMessage.sync(cmdID: "2", (3...60).map { Self.item(String($0), "L\($0)", Self.card("R\($0)")) })]
            + (61...100).map { RawMessage.alert(cmdID: String($0)) }
        let reply = try await server.post(probe)
        #expect(Self.statuses(reply) == ["SyncHdr 0 407", "Sync 2 407"] + (61...91).map { "Alert \($0) 407" })
        #expect(reply.isFinal)
        #expect(await server.server.retainedState.sessions == 0)
    }

    @Test("Items are counted in every container before anything is applied: over maxItemsPerMessage, HTTP 413")
    func itemsCountedInNestedContainers() async throws {
        var configuration = ServerConfiguration()
        configuration.maxItemsPerMessage = 4
        let server = try await TestServer(configuration: configuration)
        let respURI = try await server.beginSlowSync(devID: "nested")
        let nested = RawMessage.sync([
            Self.item("3", "L1", Self.card("One")), Self.item("4", "L2", Self.card("Two")),
            .sequence(CommandGroup(cmdID: "5", commands: [Self.item("6", "L3", Self.card("Three")), Self.item("7", "L4", Self.card("Four"))])),
        ])
        let five = Self.message("nested", msgID: "2", commands: [.atomic(CommandGroup(cmdID: "8", commands: [nested])),
                                                                  Self.item("9", "L5", Self.card("Five"))], to: server)
        let refused = await server.server.handle(SyncRequest(body: five.encoded(as: .wbxml), contentType: SyncMLEncoding.wbxml.contentType, url: respURI))
        #expect(refused.httpStatus == 413)
        #expect(try await server.items("contacts").isEmpty)

        let four = Self.message("nested", msgID: "2", commands: [.atomic(CommandGroup(cmdID: "8", commands: [nested]))], to: server)
        let reply = try await server.post(four.encoded(as: .wbxml), wbxml: true, url: respURI)
        #expect(reply.statusSummary == ["SyncHdr 200", "Atomic 200", "Sync 200", "Add 201", "Add 201", "Sequence 200", "Add 201", "Add 201"])
        #expect(try await server.items("contacts").count == 4)
    }
}
