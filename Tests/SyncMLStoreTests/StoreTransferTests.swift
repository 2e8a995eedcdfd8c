import Foundation
@testable import SyncMLStore
import Testing

/// `SyncStore.transfer(into:)`, what `syncml migrate` runs: a whole store, with
/// its history, ids and sequence numbers, from one backend to the other.
@Suite("Store transfer: SQLite ⇄ PostgreSQL with the whole history")
struct StoreTransferTests {
    /// A store with something in every table: two users, changes, a delete, an
    /// undo, maps, anchors, a suspended session, a host token, a nonce and a
    /// server secret with a challenge use.
    static func populated(_ store: SyncStore) async throws -> Fixture {
        let fixture = try await Fixture(store: store)
        _ = try await store.addUser(name: "carol", password: "s3cret")
        let session = try await store.beginSession(device: fixture.phone)
        let applied = try await store.apply([change(.add, luid: "1", card("Adams"), keys: ["n:adams|", "e:adams@example.com"]), change(.add, luid: "2", card("Brown")),
                                             change(.add, luid: "3", card("Clark"))],
                                            datastore: fixture.contacts, device: fixture.phone, session: session)
        try await store.endSession(session)
        _ = try await store.apply([change(.replace, luid: "1", card("Adams", "TEL:2\r\n")), change(.delete, luid: "3", card("Clark"))],
                                  datastore: fixture.contacts, device: fixture.phone)
        let mistaken = try await store.beginSession(device: fixture.laptop)
        _ = try await store.apply([change(.add, luid: "x", card("Doe"))], datastore: fixture.contacts, device: fixture.laptop, session: mistaken)
        try await store.endSession(mistaken)
        _ = try await store.undo(session: mistaken)
        try await store.finishSync(fixture.phone, datastore: fixture.contacts, last: "a1", next: "a2", clientType: "text/vcard",
                                   acknowledgeThrough: try #require(applied.last?.sequence))
        let suspended = try await store.beginSession(device: fixture.laptop)
        try await store.suspendSession(suspended, resumeState: Array("{\"datastores\":[]}".utf8))
        try await store.setHostToken("crm-token-7", datastore: fixture.contacts)
        try await store.setNonce("bm9uY2U=", user: "alice", devID: "IMEI:3550001")
        _ = try await store.secret(named: "challenge-key", orNew: Array(repeating: 7, count: 32))
        #expect(try await store.useChallenge(user: "alice", devID: "IMEI:3550001", window: 42, generation: 0, expiredBefore: 0))
        return fixture
    }

    /// Every table's rows, read as the transfer reads them.
    static func contents(_ store: SyncStore) async throws -> [String: [[SQLValue]]] {
        var tables: [String: [[SQLValue]]] = [:]
        for table in TransferTable.all { tables[table.name] = try await store.transferRows(of: table, after: nil, limit: 100_000) }
        return tables
    }

    @Test("The tables a transfer copies are the store's tables, on each backend", arguments: StoreBackend.allCases)
    func coversEveryTable(_ backend: StoreBackend) async throws {
        guard let store = try await TestStores.make(backend) else { return }
        let sql = backend == .sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        let tables = try await store.withDatabase { db throws(StoreError) in
            var names: Set<String> = []
            try db.forEach(sql) { names.insert($0.text(0)) }
            return names
        }
        #expect(tables.subtracting(TransferTable.notCopied) == Set(TransferTable.all.map(\.name)))
    }

    @Test("SQLite → PostgreSQL → SQLite keeps every row, id, sequence number and fingerprint, and the copy syncs on")
    func roundTrip() async throws {
        let source = try SyncStore(path: ":memory:")
        let fixture = try await Self.populated(source)
        let before = try await Self.contents(source)
        let middle = try await TestStores.make(.postgres) ?? SyncStore(path: ":memory:")
        let report = try await source.transfer(into: middle, batchSize: 2)
        #expect(report.rows.map(\.table) == TransferTable.all.map(\.name))
        for (table, rows) in before { #expect(report.count(table) == rows.count, "\(table)") }
        #expect(report.count("journal") == 7 && report.count("items") == 4)
        let fingerprints = (before["items"] ?? []).filter { $0[4] != .null }.count + (before["journal"] ?? []).filter { $0[5] != .null }.count
        #expect(report.fingerprints == fingerprints && fingerprints >= 7)

        let back = try SyncStore(path: ":memory:")
        #expect(try await middle.transfer(into: back) == report)
        let after = try await Self.contents(back)
        #expect(after == before)

        // The copies work as stores: passwords, changes since an acknowledgement, and new writes after the copied ids.
        for copy in [middle, back] {
            #expect(try await copy.verifyBasic(user: "carol", password: "s3cret"))
            let changes = try await copy.changes(for: fixture.laptop, datastore: fixture.contacts, includePayloads: true)
            #expect(changes == (try await source.changes(for: fixture.laptop, datastore: fixture.contacts, includePayloads: true)))
            let added = try await copy.apply([change(.add, luid: "n", card("Evans"))], datastore: fixture.contacts, device: fixture.phone)
            let newest = try #require(added.first)
            #expect(newest.outcome == .added && newest.sequence ?? 0 > (before["journal"]?.count ?? 0))
            #expect(!(before["items"] ?? []).contains { $0[2] == newest.guid.map { .text($0) } }, "a new GUID, not a copied one")
            #expect(try await copy.hostToken(datastore: fixture.contacts) == "crm-token-7")
            #expect(try await copy.suspendedSession(device: fixture.laptop) != nil)
        }
    }

    @Test("A destination that holds anything is refused and left as it was; a store is not copied into itself", arguments: StoreBackend.allCases)
    func refusesAFullDestination(_ backend: StoreBackend) async throws {
        guard let destination = try await TestStores.make(backend) else { return }
        let source = try SyncStore(path: ":memory:")
        _ = try await Self.populated(source)
        _ = try await destination.addUser(name: "dave", password: "pw")
        let before = try await Self.contents(destination)
        await #expect { try await source.transfer(into: destination) } throws: {
            ($0 as? StoreError)?.kind == .invalidArgument && "\($0)".contains("not empty")
        }
        #expect(try await Self.contents(destination) == before)
        #expect(try await destination.withDatabase { db in db.isInTransaction } == false)
        await #expect(throws: StoreError.self) { try await source.transfer(into: source) }
    }
}
