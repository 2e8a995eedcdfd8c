import SyncMLCodec
import SyncMLServer
import Testing

@Suite("Server: a refused large object stays refused")
struct RefusedLargeObjectTests {
    static func maxObjectSize(_ size: Int) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.maxObjectSize = size
        return configuration
    }

    @Test("The chunks after a refused one (413) are refused too, up to the object's last: its tail is never stored as a record")
    func tailAfterRefusal() async throws {
        let server = try await TestServer(configuration: Self.maxObjectSize(10_000))
        let respURI = try await server.beginSlowSync(devID: "chunky")

        func chunk(_ cmdID: String, _ text: String, size: Int?, more: Bool) -> Command {
            .add(ItemCommand(cmdID: cmdID, meta: Meta(type: "text/vcard"),
                             items: [Item(source: Location("big"), meta: size.map { Meta(size: $0) }, data: .text(text), moreData: more)]))
        }
        var second = RawMessage(devID: "chunky")
        second.msgID = "2"
        second.isFinal = false
        // A client that goes on after the 413: the rest of the object reads like a record of its own.
        second.commands = [RawMessage.sync([
            chunk("3", "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Big;One;;;\r\n", size: 50_000_000, more: true),
            chunk("4", "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Tail;Only;;;\r\n", size: nil, more: true),
            chunk("5", "FN:Only Tail\r\nEND:VCARD\r\n", size: nil, more: false),
        ])]
        let reply = try await server.post(second, url: respURI)
        #expect(reply.statusSummary == ["SyncHdr 200", "Sync 200", "Add 413", "Add 413", "Add 413"])
        #expect(try await server.items("contacts").isEmpty)

        // The next object from the same source is taken again.
        var third = RawMessage(devID: "chunky")
        third.msgID = "3"
        third.isFinal = false
        third.commands = [RawMessage.sync([
            chunk("6", "BEGIN:VCARD\r\nVERSION:3.0\r\n", size: nil, more: true),
            chunk("7", "N:Next;One;;;\r\nFN:One Next\r\nEND:VCARD\r\n", size: nil, more: false),
        ])]
        #expect(try await server.post(third, url: respURI).statusSummary == ["SyncHdr 200", "Sync 200", "Add 213", "Add 201"])
    }
}
