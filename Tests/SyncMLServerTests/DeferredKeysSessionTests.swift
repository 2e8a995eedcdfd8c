import Foundation
import SyncMLCodec
import SyncMLRecords
@testable import SyncMLStore
import Testing

@Suite("Server: a slow sync into an empty datastore indexes its keys once, at the end of the client's package")
struct DeferredKeysSessionTests {
    func contact(_ index: Int, note: String? = nil) -> String {
        vCard("Given\(index)", "Family\(index)", tel: "+49 30 \(2_000_000 + index)", email: "given\(index)@example.com", note: note)
    }

    @Test("After the first slow sync every item is indexed by its keys; a second device's overlapping slow sync then pairs, no duplicates")
    func secondDevicePairs() async throws {
        let server = try await TestServer()
        let a = FakePhone(server, devID: "phone-a"), b = FakePhone(server, devID: "phone-b")
        for index in 0..<30 { a.add(contact(index)) }
        // Phone b: 10 of them written differently, 5 the same, 5 of its own.
        for index in 0..<10 { b.add(contact(index, note: "from b")) }
        for index in 10..<15 { b.add(contact(index)) }
        for index in 100..<105 { b.add(contact(index)) }
        #expect(try await a.sync(.slow).itemStatuses == Array(repeating: 201, count: 30))

        let store = server.store
        let datastore = try await store.datastore(named: "contacts", user: try await store.user(named: "test"))
        #expect(try await store.keysPendingFrom(datastore: datastore) == nil)
        for item in try await store.liveItems(datastore: datastore) {
            let payload = try #require(try await store.payload(guid: item.guid, datastore: datastore))
            let keys = try RecordSignature(parsing: payload).matchKey.indexKeys
            #expect(try await store.indexedKeyDigests(guid: item.guid, datastore: datastore) == Set(keys.map(\.digest)).sorted())
        }

        try await b.sync(.slow)
        #expect(try await server.items("contacts").count == 35)
        #expect(b.items.count == 35)
        try await a.sync()
        #expect(a.items.count == 35)
        #expect(try await server.items("contacts").filter { $0.contains("from b") }.count == 10)
    }

    @Test("Another device writing while a slow sync defers its keys turns key lookups back on: its contact pairs, not doubled")
    func anotherWriterStopsDeferring() async throws {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "phone")
        for index in 0..<10 { phone.add(contact(index)) }
        let store = server.store
        let user = try await store.user(named: "test")
        let datastore = try await store.datastore(named: "contacts", user: user)
        let crm = try await store.device(devID: "crm", user: user)
        let written = Array(contact(3, note: "from the crm").utf8)
        let signature = try RecordSignature(parsing: written)
        // Between the phone's Alert (the datastore empty then) and its changes, the CRM adds contact 3, written its way.
        phone.beforeSending = { msgID in
            guard msgID == 2 else { return }
            _ = try? await store.apply([ItemChange(.add, luid: "crm-3", payload: written, fingerprint: signature.fingerprint,
                                                   matchKeys: signature.matchKey.indexKeys)], datastore: datastore, device: crm)
        }
        try await phone.sync(.slow)
        #expect(try await server.items("contacts").count == 10)
        #expect(phone.items.values.contains { $0.contains("from the crm") })
    }
}
