import Foundation
import SyncMLCodec
import SyncMLRecords
import SyncMLServer
import SyncMLStore
import Testing

/// Clients as they really are: Outlook plug-ins speaking SIF, SyncML 1.0 phones, odd datastore URIs.
@Suite("Server: kinds of clients")
struct ClientKindsTests {
    static func sifContact(_ first: String, _ last: String, email: String? = nil) -> String {
        var fields = [SIFField("FirstName", first), SIFField("LastName", last), SIFField("FileAs", "\(last), \(first)")]
        if let email { fields.append(SIFField("Email1Address", email)) }
        return String(decoding: SIF.write(SIFItem(kind: .contact, fields: fields)), as: UTF8.self)
    }

    static let phoneDevInf = DevInf(devID: "phone", devType: "phone", dataStores: [
        DataStore(sourceRef: "./contacts", rxPref: ContentTypeVersion("text/x-vcard", version: "2.1"), txPref: ContentTypeVersion("text/x-vcard", version: "2.1")),
    ])

    @Test("An Outlook plug-in (SIF-C in base64, no DevInf, never answers Get) completes its sessions and its anchors are kept")
    func outlookPlugin() async throws {
        let server = try await TestServer()
        let outlook = FakePhone(server, devID: "outlook-plugin")
        outlook.itemType = "text/x-s4j-sifc"
        outlook.serverDatastore = "scard"
        let anna = outlook.add(Self.sifContact("Anna", "Meier", email: "anna@example.com"))
        try await outlook.sync(.slow)
        // Anchors were saved although the plug-in ignored the server's Get: the next sync is two-way, not slow.
        outlook.edit(anna, Self.sifContact("Anna", "Meier", email: "anna.meier@example.com"))
        let second = try await outlook.sync()
        #expect(second.grantedMode == 200)
        #expect(second.itemStatuses == [200])
        let stored = try await server.items("contacts")
        #expect(stored.count == 1 && stored[0].contains("anna.meier@example.com"))
        // A Delete carries only the SIF Meta Type.
        outlook.delete(anna)
        #expect(try await outlook.sync().itemStatuses == [200])
        #expect(try await server.items("contacts").isEmpty)
    }

    @Test("Each client gets the format it prefers: SIF for Outlook, vCard 2.1 for a phone that says so, one contact everywhere")
    func formatsPerClient() async throws {
        let server = try await TestServer()
        let outlook = FakePhone(server, devID: "outlook-plugin")
        outlook.itemType = "text/x-s4j-sifc"
        outlook.add(Self.sifContact("Anna", "Meier", email: "anna@example.com"))
        try await outlook.sync(.slow)

        let phone = FakePhone(server, devID: "phone")
        phone.devInf = Self.phoneDevInf
        phone.itemType = "text/x-vcard"
        let received = try await phone.sync(.slow)
        #expect(received.receivedTypes == ["text/x-vcard"])
        let card = try #require(phone.items.values.first)
        #expect(card.contains("VERSION:2.1") && card.contains("anna@example.com") && card.contains("N:Meier;Anna"))

        phone.add("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Kurz;Bernd\r\nFN:Bernd Kurz\r\nTEL;CELL:+49 171 555\r\nEND:VCARD\r\n")
        try await phone.sync()
        let back = try await outlook.sync()
        #expect(back.receivedTypes == ["text/x-s4j-sifc"])
        let sif = try #require(back.received.first)
        #expect(sif.contains("<FirstName>Bernd</FirstName>") && sif.contains("<LastName>Kurz</LastName>"))
        #expect(try await server.items("contacts").count == 2)
    }

    @Test("A SyncML 1.0 phone syncs (no NumberOfChanges, no MaxObjSize), in XML")
    func syncML10() async throws {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "old-phone")
        phone.version = .v1_0
        phone.wbxml = false
        phone.serverDatastore = "./Contacts"
        phone.add(vCard("Anna", "Meier"))
        #expect(try await phone.sync(.slow).itemStatuses == [201])
        let other = FakePhone(server, devID: "other")
        other.version = .v1_0
        #expect(try await other.sync(.slow).received.count == 1)
        #expect(try await other.sync().grantedMode == 200)
    }

    @Test("An unknown datastore is answered 404; the others sync")
    func unknownDatastore() async throws {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "phone")
        phone.serverDatastore = "bookmarks"
        await #expect(throws: TestFailure.self) { try await phone.sync(.slow) }
    }
}
