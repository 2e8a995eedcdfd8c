import Foundation
import SyncMLCodec
import SyncMLProtocol
import SyncMLRecords
@testable import SyncMLStore
import Testing

@Suite("Server: a message's incoming items are looked up in one store call")
struct IncomingLookupTests {
    /// A contact whose shape (and so its number of match keys) does not depend on `index`.
    func contact(_ prefix: String, _ index: Int) -> String {
        vCard("\(prefix)given\(index + 1000)", "\(prefix)family\(index + 1000)", tel: "+49 30 \(1_000_000 + index)")
    }

    /// Statements of a two-way sync whose message adds `count` new contacts, and of
    /// the store writing as many such adds alone (the session's batch, without its lookups).
    func statements(adding count: Int) async throws -> (sync: Int, writes: Int) {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "phone")
        try await phone.sync(.slow)
        for index in 0..<count { phone.add(contact("a", index)) }
        let before = await server.store.statementsRun
        let report = try await phone.sync()
        let sync = await server.store.statementsRun - before
        #expect(report.itemStatuses == Array(repeating: 201, count: count))

        let store = server.store
        let user = try await store.user(named: "test")
        let (datastore, device) = (try await store.datastore(named: "contacts", user: user), try await store.device(devID: "phone", user: user))
        let session = try await store.beginSession(device: device)
        var changes = (0..<count).map { index in
            let record = ReceivedRecord(type: "text/vcard", format: nil, data: Array(contact("b", index).utf8))
            return ItemChange(.add, luid: "b\(index)", type: record.type, payload: record.payload, fingerprint: record.fingerprint,
                              matchKeys: record.signature?.matchKey.indexKeys ?? [])
        }
        // With the lookups the session hands over, made before the writes are counted.
        let keys = changes.map { IncomingKey(luid: $0.luid, fingerprint: $0.fingerprint) }
        for (index, resolution) in try await store.resolve(keys, datastore: datastore, device: device).enumerated() {
            changes[index].lookup = resolution.lookup
        }
        let writesBefore = await store.statementsRun
        _ = try await store.apply(changes, datastore: datastore, device: device, session: session)
        return (sync, await store.statementsRun - writesBefore)
    }

    /// Statements the server runs for a slow sync of `count` new contacts, then for a two-way
    /// sync that changes all of them (name, phone and so their match keys).
    func statements(slowSyncing count: Int) async throws -> (slow: Int, twoWay: Int) {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "phone")
        let luids = (0..<count).map { phone.add(contact("a", $0)) }
        var before = await server.store.statementsRun
        let slow = try await phone.sync(.slow)
        let slowCount = await server.store.statementsRun - before
        #expect(slow.itemStatuses == Array(repeating: 201, count: count))
        for (index, luid) in luids.enumerated() { phone.edit(luid, contact("b", index)) }
        before = await server.store.statementsRun
        let twoWay = try await phone.sync()
        #expect(twoWay.itemStatuses == Array(repeating: 200, count: count))
        return (slowCount, await server.store.statementsRun - before)
    }

    @Test("A slow sync's new contact costs the server about 2 statements (its item and journal rows; keys, maps and lookups per 32 or 64), a two-way's changed contact about 4")
    func statementsPerContact() async throws {
        let small = try await statements(slowSyncing: 32), large = try await statements(slowSyncing: 96)
        let (slow, twoWay) = (Double(large.slow - small.slow) / 64, Double(large.twoWay - small.twoWay) / 64)
        print("statements per contact: slow sync \(slow), two-way change \(twoWay)")
        #expect(slow < 2.5)
        #expect(twoWay < 4.5)
    }

    @Test("32 more Adds in a two-way sync's message cost their writes and at most 2 more lookup statements (were 2 per item)")
    func lookupsDoNotGrowPerItem() async throws {
        let small = try await statements(adding: 16), large = try await statements(adding: 48)
        let (smallLookups, largeLookups) = (small.sync - small.writes, large.sync - large.writes)
        print("two-way sync: 16 adds \(small.sync) statements (\(small.writes) writes), 48 adds \(large.sync) (\(large.writes) writes)")
        #expect(large.writes > small.writes)
        #expect(largeLookups - smallLookups <= 2)
    }

    /// Rows the store reads while a second phone slow-syncs `count` contacts that the
    /// server holds already, each written with an e-mail the server lacks: each pairs
    /// with its counterpart by the matcher's keys, and such a pair is written at once
    /// (`ServerSession.write`, `.similar`), not left for the Sync's batch.
    func rowsRead(mergingAll count: Int) async throws -> Int {
        let server = try await TestServer()
        let first = FakePhone(server, devID: "first"), second = FakePhone(server, devID: "second")
        for index in 0..<count { first.add(contact("a", index)) }
        try await first.sync(.slow)
        for index in 0..<count {
            second.add(vCard("agiven\(index + 1000)", "afamily\(index + 1000)", tel: "+49 30 \(1_000_000 + index)", email: "p\(index)@example.com"))
        }
        let before = try await server.store.withDatabase { $0.counters.rowsRead }
        let report = try await second.sync(.slow)
        let read = try await server.store.withDatabase { $0.counters.rowsRead } - before
        #expect(report.itemStatuses.allSatisfy { $0 == 200 }, "each paired: \(Set(report.itemStatuses))")
        #expect(try await server.store.rowCount("items") == count)
        return read
    }

    @Test("A message whose contacts each merge looks each up about once: its rest is not looked up again after every merge (was quadratic)")
    func mergesDoNotRepeatLookups() async throws {
        let small = try await rowsRead(mergingAll: 16), large = try await rowsRead(mergingAll: 64)
        let (perSmall, perLarge) = (Double(small) / 16, Double(large) / 64)
        print("rows read per merged contact: 16 in a message \(perSmall), 64 \(perLarge)")
        #expect(perLarge < perSmall * 1.5)
    }

    @Test("An Add and then a Replace of the same LUID in one Sync: the Add is written first, the Replace changes it, one item")
    func sameLUIDTwiceInOneSync() async throws {
        let server = try await TestServer()
        let respURI = try await server.beginSlowSync(devID: "twice")
        var second = RawMessage(devID: "twice")
        second.msgID = "2"
        second.isFinal = false
        let replace = Command.replace(ItemCommand(cmdID: "5", meta: Meta(type: "text/vcard"),
                                                  items: [Item(source: Location("x"), data: .text(vCard("Anna", "Meier", tel: "+49 30 1")))]))
        second.commands = [RawMessage.sync([
            RawMessage.add(cmdID: "3", luid: "x", vCard("Anna", "Meier")),
            RawMessage.add(cmdID: "4", luid: "y", vCard("Bernd", "Bauer")),
            replace,
        ])]
        let reply = try await server.post(second, url: respURI)
        #expect(reply.statusSummary == ["SyncHdr 200", "Sync 200", "Add 201", "Add 201", "Replace 200"])
        #expect(try await server.items("contacts").sorted() == [vCard("Anna", "Meier", tel: "+49 30 1"), vCard("Bernd", "Bauer")].sorted())
    }
}
