import Foundation
import SyncMLCodec
import SyncMLServer
import SyncMLStore
import Testing

/// One user can never read, change or map another user's records, whatever it sends.
@Suite("Server: users are isolated")
struct IsolationTests {
    @Test("A second user's slow sync receives nothing of the first user's; its changes land in its own datastore")
    func separateBooks() async throws {
        let server = try await TestServer()
        let alice = FakePhone(server, devID: "shared-device-id")
        alice.add(vCard("Anna", "Meier"))
        try await alice.sync(.slow)
        let mallory = FakePhone(server, devID: "shared-device-id") // even with the same DevID
        mallory.user = "other"
        mallory.password = "other"
        mallory.add(vCard("Mallory", "Evil"))
        let report = try await mallory.sync(.slow)
        #expect(report.received.isEmpty)
        #expect(try await server.items("contacts").count == 1)
        #expect(try await server.items("contacts", user: "other").count == 1)
    }

    @Test("Naming another user's GUIDs in Replace and Map changes nothing of theirs")
    func foreignGUIDs() async throws {
        let server = try await TestServer()
        let alice = FakePhone(server, devID: "alice-phone")
        alice.add(vCard("Anna", "Meier"))
        try await alice.sync(.slow)
        let user = try await server.store.user(named: "test")
        let contacts = try await server.store.datastore(named: "contacts", user: user)
        let guid = try #require(try await server.store.liveItems(datastore: contacts).first?.guid)

        // Mallory sends a Replace whose Target is Alice's GUID, then a Map onto it.
        let mallory = FakePhone(server, devID: "mallory-phone")
        mallory.user = "other"
        mallory.password = "other"
        try await mallory.sync(.slow)
        let replace = ItemCommand(cmdID: "3", meta: Meta(type: "text/vcard"),
                                  items: [Item(target: Location(guid), source: Location("x"), data: .text(vCard("Hacked", "Record")))])
        let map = Map(cmdID: "4", target: Location("contacts"), source: Location("./contacts"),
                      items: [MapItem(target: Location(guid), source: Location("y"))])
        let message = SyncMLMessage(
            header: SyncHeader(sessionID: "99", msgID: "1", target: Location(server.url), source: Location("mallory-phone", name: "other"),
                               cred: Credential(meta: Meta(format: "b64", type: "syncml:auth-basic"), data: Data("other:other".utf8).base64EncodedString())),
            commands: [
                .alert(Alert(cmdID: "1", code: .twoWay, items: [Item(target: Location("contacts"), source: Location("./contacts"),
                                                                     meta: Meta(anchor: Anchor(last: nil, next: "z")))])),
                .sync(Sync(cmdID: "2", target: Location("contacts"), source: Location("./contacts"), commands: [.replace(replace)])),
                .map(map),
            ])
        _ = try await server.post(message.encoded(as: .xml), wbxml: false)
        #expect(try await server.items("contacts") == [vCard("Anna", "Meier")])
        let aliceDevice = try await server.store.device(devID: "alice-phone", user: user)
        #expect(try await server.store.maps(device: aliceDevice, datastore: contacts).count == 1)
    }

    @Test("Another device posting to a session's RespURI does not get that session: it must authenticate itself")
    func respURIIsBoundToItsDevice() async throws {
        let server = try await TestServer()
        let alice = FakePhone(server, devID: "alice-phone")
        alice.add(vCard("Anna", "Meier"))
        try await alice.sync(.slow)
        // A message claiming another device, without credentials, sent to a live-looking session URL.
        let stolen = server.url + "?sessionid=0123456789abcdef"
        let message = SyncMLMessage(
            header: SyncHeader(sessionID: "1", msgID: "2", target: Location(server.url), source: Location("intruder")),
            commands: [.alert(Alert(cmdID: "1", code: .slow, items: [Item(target: Location("contacts"), source: Location("./contacts"))]))])
        let reply = try await server.post(message.encoded(as: .xml), wbxml: false, url: stolen)
        #expect(reply.statusSummary == ["SyncHdr 407", "Alert 407"])
        #expect(reply.syncs.isEmpty)
    }
}

@Suite("Server: malformed requests")
struct MalformedRequestTests {
    @Test("elements nested deeper than the decoder allows: HTTP 400 with the reason, nothing stored")
    func nestingTooDeep() async throws {
        let server = try await TestServer()
        let open = String(repeating: "<Sequence><CmdID>1</CmdID>", count: 100), close = String(repeating: "</Sequence>", count: 100)
        let body = "<SyncML><SyncHdr><VerDTD>1.2</VerDTD><VerProto>SyncML/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>"
            + "<Target><LocURI>http://server.test/sync</LocURI></Target><Source><LocURI>deep</LocURI></Source></SyncHdr>"
            + "<SyncBody>\(open)\(close)<Final/></SyncBody></SyncML>"
        let reply = await server.server.handle(SyncRequest(body: Array(body.utf8), contentType: "application/vnd.syncml+xml", url: "http://server.test/sync"))
        #expect(reply.httpStatus == 400)
        #expect(String(decoding: reply.body, as: UTF8.self).contains("deeper"))
        #expect(try await server.items("contacts").isEmpty)
    }
}

@Suite("Server: bad items")
struct BadItemTests {
    @Test("an item typed as a vCard that is not one is refused (415); the message's other items are stored")
    func notARecord() async throws {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "a")
        phone.add(vCard("Anna", "Meier"))
        phone.add("this is not a vCard at all")
        phone.add(vCard("Bernd", "Kurz"))
        let report = try await phone.sync(.slow)
        #expect(report.itemStatuses.sorted() == [201, 201, 415])
        #expect(try await server.items("contacts").count == 2)
    }

    @Test("a Replace of an item another device deleted brings it back once, to every device")
    func replaceOfADeletedItem() async throws {
        let server = try await TestServer()
        let a = FakePhone(server, devID: "a"), b = FakePhone(server, devID: "b")
        let anna = a.add(vCard("Anna", "Meier"))
        try await a.sync(.slow)
        try await b.sync(.slow)
        b.delete(try #require(b.items.keys.first))
        try await b.sync()
        #expect(try await server.items("contacts").isEmpty)
        a.edit(anna, vCard("Anna", "Meier", tel: "+49 30 5555"))
        let edited = try await a.sync()
        #expect(edited.itemStatuses.allSatisfy { (200...299).contains($0) })
        let stored = try await server.items("contacts")
        #expect(stored.count == 1 && stored[0].contains("+49 30 5555"))
        try await b.sync()
        #expect(b.items.count == 1)
        #expect(try await a.sync().received.isEmpty)
        #expect(a.items.count == 1)
    }
}
