import Foundation
import SyncMLCodec
import SyncMLServer
import SyncMLStore
import Testing

/// Whole sessions between scripted phones and the server, one behaviour each.
@Suite("Server: sessions with scripted clients")
struct SessionFlowTests {
    @Test("A phone's contacts reach a second phone; edits and deletes travel back; maps make them updates, not adds")
    func changesTravel() async throws {
        let server = try await TestServer()
        let a = FakePhone(server, devID: "phone-a"), b = FakePhone(server, devID: "phone-b")
        let anna = a.add(vCard("Anna", "Meier", tel: "+49 30 1111"))
        a.add(vCard("Bernd", "Kurz", email: "bernd@example.com"))
        #expect(try await a.sync(.slow).itemStatuses == [201, 201])
        let first = try await b.sync(.slow)
        #expect(first.received.count == 2)
        #expect(b.items.count == 2)

        a.edit(anna, vCard("Anna", "Meier", tel: "+49 30 2222"))
        try await a.sync()
        let second = try await b.sync()
        #expect(second.grantedMode == 200)
        #expect(second.received.count == 1)
        #expect(b.items.values.contains { $0.contains("+49 30 2222") })
        #expect(b.items.count == 2)

        let bernd = try #require(b.items.first { $0.value.contains("Bernd") }?.key)
        b.delete(bernd)
        try await b.sync()
        try await a.sync()
        #expect(a.items.count == 1)
        #expect(try await server.items("contacts").count == 1)
    }

    @Test("The seed scenario: A on phone 1, B on phone 2, C on both written differently — once each everywhere")
    func noDuplicatesOnFirstSync() async throws {
        let server = try await TestServer()
        let one = FakePhone(server, devID: "crm"), two = FakePhone(server, devID: "outlook")
        one.add(vCard("Alice", "Archer", tel: "+1 555 0100"))
        one.add(vCard("Carl", "Clark", tel: "+49 30 1234567", email: "Carl.Clark@Example.com"))
        two.add(vCard("Bob", "Baker", email: "bob@example.com"))
        two.add("BEGIN:VCARD\r\nVERSION:2.1\r\nTEL;CELL:+49301234567\r\nFN:Carl Clark\r\nN:Clark;Carl\r\nEMAIL;INTERNET:carl.clark@example.com\r\nNOTE:met at fair\r\nEND:VCARD\r\n")
        try await one.sync(.slow)
        try await two.sync(.slow)
        try await one.sync()
        let names = { (phone: FakePhone) in phone.items.values.compactMap { $0.split(separator: "\r\n").first { $0.hasPrefix("FN:") } }.sorted() }
        #expect(names(one) == ["FN:Alice Archer", "FN:Bob Baker", "FN:Carl Clark"])
        #expect(names(two) == ["FN:Alice Archer", "FN:Bob Baker", "FN:Carl Clark"])
        #expect(try await server.items("contacts").count == 3)
        // Nothing either side had is lost: the note from phone 2 reached phone 1.
        #expect(one.items.values.contains { $0.contains("met at fair") })
    }

    @Test("A slow sync of what the server already holds adds nothing and sends nothing back")
    func slowSyncIsIdempotent() async throws {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "phone")
        for index in 0..<20 { phone.add(vCard("Person\(index)", "Family", tel: "+1 555 01\(index)")) }
        try await phone.sync(.slow)
        phone.forgetAnchors()
        let again = try await phone.sync(.slow)
        #expect(again.received.isEmpty)
        #expect(phone.items.count == 20)
        #expect(try await server.items("contacts").count == 20)
    }

    @Test("Two-way with the wrong Last anchor: 508 and a slow sync without duplicates")
    func anchorMismatch() async throws {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "phone")
        phone.add(vCard("Anna", "Meier"))
        try await phone.sync(.slow)
        phone.forgetAnchors()
        let report = try await phone.sync(.twoWay)
        #expect(report.alertStatus == 508)
        #expect(report.grantedMode == 201)
        #expect(try await server.items("contacts").count == 1)
    }

    @Test("Conflict, merge policy: both edits survive field by field and both phones end with the merge")
    func conflictMerge() async throws {
        let server = try await TestServer()
        let a = FakePhone(server, devID: "a"), b = FakePhone(server, devID: "b")
        let luid = a.add(vCard("Anna", "Meier", tel: "+49 30 1111"))
        try await a.sync(.slow)
        try await b.sync(.slow)
        let bLUID = try #require(b.items.keys.first)
        a.edit(luid, vCard("Anna", "Meier", tel: "+49 30 1111", email: "anna@example.com"))
        b.edit(bLUID, vCard("Anna", "Meier", tel: "+49 30 1111", note: "VIP"))
        try await a.sync()
        let report = try await b.sync()
        #expect(report.itemStatuses == [207])
        try await a.sync()
        for phone in [a, b] {
            let card = try #require(phone.items.values.first)
            #expect(card.contains("anna@example.com") && card.contains("VIP"))
        }
    }

    @Test("Conflict, server-wins policy: the server's version stays and goes back; the client's is in the journal")
    func conflictServerWins() async throws {
        var configuration = ServerConfiguration()
        configuration.defaultConflictPolicy = .serverWins
        let server = try await TestServer(configuration: configuration)
        let a = FakePhone(server, devID: "a"), b = FakePhone(server, devID: "b")
        let luid = a.add(vCard("Anna", "Meier", note: "first"))
        try await a.sync(.slow)
        try await b.sync(.slow)
        a.edit(luid, vCard("Anna", "Meier", note: "from a"))
        b.edit(try #require(b.items.keys.first), vCard("Anna", "Meier", note: "from b"))
        try await a.sync()
        #expect(try await b.sync().itemStatuses == [419])
        #expect(b.items.values.first?.contains("from a") == true)
        let user = try await server.store.user(named: "test")
        let contacts = try await server.store.datastore(named: "contacts", user: user)
        let guid = try #require(try await server.store.liveItems(datastore: contacts).first?.guid)
        let versions = try await server.store.history(guid: guid, datastore: contacts)
        let texts = try await versions.asyncMap { try await server.store.payload(version: $0.sequence) }
        #expect(texts.contains { String(decoding: $0 ?? [], as: UTF8.self).contains("from b") })
    }

    @Test("Large objects both ways: a 40 KB contact through a 10 KB MaxMsgSize arrives whole")
    func largeObjects() async throws {
        let server = try await TestServer()
        let a = FakePhone(server, devID: "a"), b = FakePhone(server, devID: "b")
        a.maxMsgSize = 10_240
        b.maxMsgSize = 10_240
        let card = vCard("Big", "Photo", photoBytes: 30_000)
        a.add(card)
        a.add(vCard("Small", "One"))
        // The phone sends whole items (its chunking is not scripted); the server chunks what it sends.
        try await a.sync(.slow)
        let report = try await b.sync(.slow)
        #expect(report.messages > 3)
        #expect(b.items.values.contains(card))
        #expect(b.items.count == 2)
    }

    @Test("Many changes go out in several messages, none lost or repeated")
    func multiMessagePackage() async throws {
        let server = try await TestServer()
        let a = FakePhone(server, devID: "a"), b = FakePhone(server, devID: "b")
        for index in 0..<200 { a.add(vCard("Person\(index)", "Family", note: String(repeating: "x", count: 200))) }
        try await a.sync(.slow)
        b.maxMsgSize = 10_240
        let report = try await b.sync(.slow)
        #expect(report.messages > 5)
        #expect(b.items.count == 200)
        #expect(Set(b.items.values).count == 200)
    }

    @Test("Refresh from client replaces the server's data; refresh from server replaces the phone's")
    func refreshModes() async throws {
        let server = try await TestServer()
        let a = FakePhone(server, devID: "a"), b = FakePhone(server, devID: "b")
        a.add(vCard("Anna", "Meier"))
        a.add(vCard("Bernd", "Kurz"))
        try await a.sync(.slow)
        b.add(vCard("Clara", "Neu"))
        try await b.sync(.refreshFromClient)
        #expect(try await server.items("contacts").count == 1)
        let report = try await a.sync(.refreshFromServer)
        #expect(report.grantedMode == 205)
        #expect(report.received.count == 1)
    }

    @Test("One-way modes: from client sends nothing back, from server applies nothing")
    func oneWayModes() async throws {
        let server = try await TestServer()
        let a = FakePhone(server, devID: "a"), b = FakePhone(server, devID: "b")
        b.useMD5 = false // basic auth works too
        a.add(vCard("Anna", "Meier"))
        try await a.sync(.slow)
        b.add(vCard("Bernd", "Kurz"))
        try await b.sync(.slow)
        a.add(vCard("Clara", "Neu"))
        let fromClient = try await a.sync(.oneWayFromClient)
        #expect(fromClient.grantedMode == 202)
        #expect(fromClient.received.isEmpty)
        #expect(try await server.items("contacts").count == 3)
        let fromServer = try await a.sync(.oneWayFromServer)
        #expect(fromServer.grantedMode == 204)
        #expect(fromServer.received.count == 1)
    }

    @Test("A wrong password is refused with 401 and changes nothing")
    func wrongPassword() async throws {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "a")
        phone.password = "wrong"
        phone.useMD5 = false
        phone.add(vCard("Anna", "Meier"))
        await #expect(throws: TestFailure.self) { try await phone.sync(.slow) }
        #expect(try await server.items("contacts").isEmpty)
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
