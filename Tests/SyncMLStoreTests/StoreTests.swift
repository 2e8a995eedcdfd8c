import Foundation
import SyncMLCodec
import SyncMLRecords
import Testing
@testable import SyncMLStore

/// A store with one user, a contacts datastore and two devices.
struct Fixture {
    let store: SyncStore
    let user: UserID
    let contacts: DatastoreID
    let phone: DeviceID
    let laptop: DeviceID

    init(path: String = ":memory:", clock: @escaping @Sendable () -> Date = { Date() }) async throws {
        try await self.init(store: SyncStore(path: path, clock: clock))
    }

    init(store: SyncStore) async throws {
        self.store = store
        user = try await store.user(named: "alice")
        contacts = try await store.datastore(named: "contacts", user: user)
        phone = try await store.device(devID: "IMEI:3550001", user: user)
        laptop = try await store.device(devID: "sc-pim-laptop", user: user)
    }
}

/// A clock tests can move.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_700_000_000)
    var now: Date { lock.withLock { current } }
    func advance(days: Double) { lock.withLock { current += days * 86_400 } }
}

@Suite("Store")
struct StoreTests {
    @Test("Migrations: an empty file gets the latest schema; reopening keeps it; a newer schema is refused")
    func migrations() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("store.sqlite")
        do {
            let store = try SyncStore(path: path)
            #expect(try await store.withDatabase { db throws(StoreError) in try db.userVersion() } == Migrations.latest)
            #expect(try await store.integrityCheck() == ["ok"])
            #expect(try await store.withDatabase { db throws(StoreError) in try db.first("PRAGMA journal_mode") { $0.text(0) } } == "wal")
            #expect(try await store.withDatabase { db throws(StoreError) in try db.integer("PRAGMA foreign_keys") } == 1)
            _ = try await store.user(named: "bob")
        }
        do {
            let store = try SyncStore(path: path)
            #expect(try await store.rowCount("users") == 1)
            try await store.withDatabase { db throws(StoreError) in try db.execute("PRAGMA user_version = 99") }
        }
        #expect { try SyncStore(path: path) } throws: { ($0 as? StoreError)?.kind == .schemaTooNew }
    }

    @Test("SQLite errors carry the extended result code, the message and the SQL")
    func sqliteErrors() throws {
        let database = try Database(path: ":memory:")
        try database.execute("CREATE TABLE t(x INTEGER PRIMARY KEY, y TEXT NOT NULL UNIQUE)")
        try database.run("INSERT INTO t(y) VALUES (?)", [.text("a")])
        do {
            try database.run("INSERT INTO t(y) VALUES (?)", [.text("a")])
            Issue.record("no error")
        } catch {
            #expect(error.kind == .sqlite)
            #expect(error.resultCode == 2067) // SQLITE_CONSTRAINT_UNIQUE
            #expect(error.primaryResultCode == 19)
            #expect(error.sql == "INSERT INTO t(y) VALUES (?)")
            #expect(error.message.contains("UNIQUE"))
        }
        // A failing transaction rolls back; a nested one rolls back to its savepoint.
        #expect(throws: StoreError.self) {
            try database.transaction { () throws(StoreError) in
                try database.run("INSERT INTO t(y) VALUES ('b')")
                try database.run("INSERT INTO t(y) VALUES ('a')")
            }
        }
        try database.transaction { () throws(StoreError) in
            try database.run("INSERT INTO t(y) VALUES ('c')")
            _ = try? database.transaction { () throws(StoreError) in
                try database.run("INSERT INTO t(y) VALUES ('d')")
                throw StoreError(.conflict, "inner fails")
            }
        }
        var values: [String] = []
        try database.forEach("SELECT y FROM t ORDER BY y") { values.append($0.text(0)) }
        #expect(values == ["a", "c"])
    }

    @Test("A batch applies in one transaction; an equal fingerprint writes no journal row", arguments: StoreBackend.allCases)
    func batchApply(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let results = try await f.store.apply([
            change(.add, luid: "1", card("Adams")),
            change(.add, luid: "2", card("Baker")),
            change(.add, luid: "3", card("Clark")),
        ], datastore: f.contacts, device: f.phone)
        #expect(results.map(\.outcome) == [.added, .added, .added])
        #expect(try await f.store.rowCount("journal") == 3)
        let guid = try #require(results[0].guid)
        #expect(try await f.store.payload(guid: guid, datastore: f.contacts) == Array(card("Adams").utf8))

        let again = try await f.store.apply([
            change(.replace, luid: "1", card("Adams")), // same fingerprint
            change(.replace, luid: "2", card("Baker", "TEL:123\r\n")),
            change(.add, luid: "3", card("Clark")), // a resent add of a mapped LUID
            change(.delete, luid: "9", ""), // unknown
        ], datastore: f.contacts, device: f.phone)
        #expect(again.map(\.outcome) == [.unchanged, .replaced, .unchanged, .notFound])
        #expect(try await f.store.rowCount("journal") == 4)
        #expect(try await f.store.rowCount("items") == 3)

        // A failing change rolls the whole batch back.
        await #expect(throws: StoreError.self) {
            try await f.store.apply([change(.add, luid: "4", card("Davis")), change(.add, guid: guid, card("Dup"))],
                                    datastore: DatastoreID(rawValue: 999), device: f.phone)
        }
        #expect(try await f.store.rowCount("journal") == 4)
        #expect(try await f.store.rowCount("items") == 3)
    }

    @Test("An add equal to a live item the device has no LUID for is mapped to it; twins on one device stay two items", arguments: StoreBackend.allCases)
    func addPairsWithAnEqualItem(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let phone = try await f.store.apply([change(.add, luid: "p1", card("Adams"))], datastore: f.contacts, device: f.phone)
        // The laptop's session matched before the phone's add was written: it sends an add too.
        let laptop = try await f.store.apply([change(.add, luid: "l1", card("Adams")), change(.add, luid: "l2", card("Adams"))],
                                             datastore: f.contacts, device: f.laptop)
        #expect(laptop[0].outcome == .unchanged && laptop[0].guid == phone[0].guid)
        #expect(try await f.store.guid(forLUID: "l1", device: f.laptop, datastore: f.contacts) == phone[0].guid)
        #expect(laptop[1].outcome == .added, "the laptop's second, equal record is its own item")
        #expect(try await f.store.rowCount("items") == 2)
        #expect(try await f.store.rowCount("journal") == 2)
    }

    @Test("Live items a page at a time: GUID order, each once, an empty GUID included, deleted ones left out", arguments: StoreBackend.allCases)
    func livePages(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let guids = ["b", "", "c", "a", "d"]
        _ = try await f.store.apply(guids.map { change(.add, guid: $0, card("Card \($0)")) }, datastore: f.contacts, device: nil)
        _ = try await f.store.apply([change(.delete, guid: "c", card("Card c"))], datastore: f.contacts, device: nil)
        var seen: [String] = []
        var after: String?
        while true {
            let page = try await f.store.liveItems(datastore: f.contacts, after: after, limit: 2)
            guard let last = page.last else { break }
            seen += page.map(\.guid)
            after = last.guid
        }
        #expect(seen == ["", "a", "b", "d"])
    }

    @Test("Echo suppression: a device does not get its own changes back", arguments: StoreBackend.allCases)
    func echoSuppression(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let phone = try await f.store.apply([change(.add, luid: "p1", card("Adams")), change(.add, luid: "p2", card("Baker"))],
                                            datastore: f.contacts, device: f.phone)
        let laptop = try await f.store.apply([change(.add, luid: "l1", card("Clark"))], datastore: f.contacts, device: f.laptop)

        let toPhone = try await f.store.changes(for: f.phone, datastore: f.contacts)
        #expect(toPhone.changes.map(\.guid) == [laptop[0].guid])
        #expect(toPhone.changes.first?.operation == .add)
        #expect(toPhone.changes.first?.payload == Array(card("Clark").utf8))
        #expect(toPhone.through == 3)
        let toLaptop = try await f.store.changes(for: f.laptop, datastore: f.contacts)
        #expect(toLaptop.changes.map(\.guid) == phone.map(\.guid))

        // The laptop edits the phone's contact: the phone gets it as a replace, with its LUID.
        try await f.store.map(luid: "l2", to: phone[0].guid!, device: f.laptop, datastore: f.contacts)
        _ = try await f.store.apply([change(.replace, luid: "l2", card("Adams", "TEL:1\r\n"))], datastore: f.contacts, device: f.laptop)
        let again = try await f.store.changes(for: f.phone, datastore: f.contacts)
        #expect(again.changes.map(\.operation) == [.add, .replace])
        #expect(again.changes.last?.luid == "p1")
        // If the phone then edits it again itself, its own change is the latest: nothing to send for it.
        _ = try await f.store.apply([change(.replace, luid: "p1", card("Adams", "TEL:2\r\n"))], datastore: f.contacts, device: f.phone)
        #expect(try await f.store.changes(for: f.phone, datastore: f.contacts).changes.map(\.guid) == [laptop[0].guid])
    }

    @Test("Collapsing: several changes of an item come as the last one; add then delete comes as nothing", arguments: StoreBackend.allCases)
    func collapsing(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let added = try await f.store.apply([change(.add, luid: "a", card("Adams")), change(.add, luid: "b", card("Baker"))],
                                            datastore: f.contacts, device: f.laptop)
        // The phone has seen both.
        let first = try await f.store.changes(for: f.phone, datastore: f.contacts)
        for change in first.changes { try await f.store.map(luid: "phone-" + change.guid, to: change.guid, device: f.phone, datastore: f.contacts) }
        try await f.store.acknowledge(f.phone, datastore: f.contacts, through: first.through)

        _ = try await f.store.apply([
            change(.replace, luid: "a", card("Adams", "TEL:1\r\n")),
            change(.add, luid: "c", card("Clark")),
        ], datastore: f.contacts, device: f.laptop)
        _ = try await f.store.apply([
            change(.replace, luid: "a", card("Adams", "TEL:2\r\n")),
            change(.replace, luid: "c", card("Clark", "TEL:3\r\n")),
            change(.delete, luid: "b", ""),
        ], datastore: f.contacts, device: f.laptop)
        _ = try await f.store.apply([change(.add, luid: "d", card("Davis")), change(.delete, luid: "d", "")],
                                    datastore: f.contacts, device: f.laptop)

        let set = try await f.store.changes(for: f.phone, datastore: f.contacts)
        let byGUID = Dictionary(uniqueKeysWithValues: set.changes.map { ($0.guid, $0) })
        #expect(set.changes.count == 3)
        #expect(byGUID[added[0].guid!]?.operation == .replace)
        #expect(byGUID[added[0].guid!]?.payload == Array(card("Adams", "TEL:2\r\n").utf8))
        #expect(byGUID[added[0].guid!]?.luid == "phone-" + added[0].guid!)
        #expect(byGUID[added[1].guid!]?.operation == .delete)
        #expect(byGUID[added[1].guid!]?.payload == nil)
        let clark = set.changes.first { $0.operation == .add }
        #expect(clark?.payload == Array(card("Clark", "TEL:3\r\n").utf8))
        #expect(set.changes.map(\.sequence) == set.changes.map(\.sequence).sorted())
    }

    @Test("Acknowledge moves forward only; changes-since starts there", arguments: StoreBackend.allCases)
    func acknowledge(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        _ = try await f.store.apply([change(.add, luid: "a", card("Adams"))], datastore: f.contacts, device: f.laptop)
        let set = try await f.store.changes(for: f.phone, datastore: f.contacts)
        #expect(set.changes.count == 1)
        try await f.store.acknowledge(f.phone, datastore: f.contacts, through: set.through)
        #expect(try await f.store.changes(for: f.phone, datastore: f.contacts).changes.isEmpty)
        try await f.store.acknowledge(f.phone, datastore: f.contacts, through: 0)
        #expect(try await f.store.deviceState(f.phone, datastore: f.contacts).acknowledged == set.through)
        #expect(try await f.store.changes(for: f.phone, datastore: f.contacts, since: 0).changes.count == 1)

        try await f.store.setAnchors(f.phone, datastore: f.contacts, last: "20240101T000000Z", next: "20240102T000000Z")
        let state = try await f.store.deviceState(f.phone, datastore: f.contacts)
        #expect(state == DeviceState(lastAnchor: "20240101T000000Z", nextAnchor: "20240102T000000Z", acknowledged: set.through))
    }

    @Test("Maps: map, look up both ways, remap, unmap", arguments: StoreBackend.allCases)
    func maps(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let added = try await f.store.apply([change(.add, luid: "a", card("Adams")), change(.add, card("Baker"))],
                                            datastore: f.contacts, device: f.laptop)
        let (adams, baker) = (added[0].guid!, added[1].guid!)
        #expect(try await f.store.guid(forLUID: "a", device: f.laptop, datastore: f.contacts) == adams)
        try await f.store.map(luid: "x", to: baker, device: f.phone, datastore: f.contacts)
        #expect(try await f.store.luid(forGUID: baker, device: f.phone, datastore: f.contacts) == "x")
        // One LUID per item and device: remapping replaces.
        try await f.store.map(luid: "y", to: baker, device: f.phone, datastore: f.contacts)
        #expect(try await f.store.maps(device: f.phone, datastore: f.contacts) == ["y": baker])
        try await f.store.unmap(luid: "y", device: f.phone, datastore: f.contacts)
        #expect(try await f.store.maps(device: f.phone, datastore: f.contacts).isEmpty)
        await #expect(throws: StoreError.self) { try await f.store.map(luid: "z", to: "nope", device: f.phone, datastore: f.contacts) }
        // DevInf is kept as sent.
        try await f.store.setDevInf(Array("<DevInf><CTCap/></DevInf>".utf8), for: f.phone)
        #expect(try await f.store.devInf(for: f.phone) == Array("<DevInf><CTCap/></DevInf>".utf8))
    }

    @Test("Lookups by fingerprint and by match key use the indexes and skip deleted items", arguments: StoreBackend.allCases)
    func lookups(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let record = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Jörg;;;\r\nEMAIL:jm@example.com\r\nTEL:+49 30 1234567\r\nEND:VCARD\r\n"
        let signature = try RecordSignature(parsing: Array(record.utf8))
        let keys = signature.matchKey.indexKeys
        #expect(keys.map(\.storedForm).contains("e:jm@example.com") && keys.map(\.storedForm).contains("p:1234567"))
        let added = try await f.store.apply([
            ItemChange(.add, luid: "m", payload: Array(record.utf8), fingerprint: signature.fingerprint, matchKeys: keys),
            change(.add, luid: "o", card("Other"), keys: ["n:other|"]),
        ], datastore: f.contacts, device: f.phone)
        #expect(try await f.store.items(withFingerprint: signature.fingerprint, datastore: f.contacts).map(\.guid) == [added[0].guid!])
        #expect(try await f.store.items(matching: MatchKey(primary: "x|y", phones: ["1234567"]), datastore: f.contacts).map(\.guid) == [added[0].guid!])
        #expect(try await f.store.items(matchingKeys: indexKeys(["e:jm@example.com", "n:other|"]), datastore: f.contacts).count == 2)
        #expect(try await f.store.indexedKeyDigests(guid: added[0].guid!, datastore: f.contacts) == keys.map(\.digest).sorted())
        // Looked up as a slow sync does: by the (folded) name paired with each address, which reads one row,
        // and, as the record has two points, by each alone.
        let lookup = signature.matchKey.lookupKeys
        #expect(lookup.map(\.storedForm) == ["ne:muller|jorg|jm@example.com", "np:muller|jorg|1234567", "e:jm@example.com", "p:1234567"])
        #expect(try await f.store.items(matchingKeys: lookup, datastore: f.contacts, limitPerKey: 1).map(\.guid) == [added[0].guid!])
        if backend == .sqlite {
            let plan = try await f.store.queryPlan("SELECT id FROM items WHERE datastore_id = 1 AND fingerprint = x'00' AND deleted = 0 AND fingerprint_pending IS NULL")
            #expect(plan.contains("items_fingerprint"))
        }
        _ = try await f.store.apply([change(.delete, luid: "m", "")], datastore: f.contacts, device: f.phone)
        #expect(try await f.store.items(withFingerprint: signature.fingerprint, datastore: f.contacts).isEmpty)
        #expect(try await f.store.items(matchingKeys: keys, datastore: f.contacts).isEmpty)
        #expect(try await f.store.payload(guid: added[0].guid!, datastore: f.contacts) == nil)
    }

    @Test("Live items except what a client holds: held at the current fingerprint is left out, held at another is not", arguments: StoreBackend.allCases)
    func liveItemsExceptHeld(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let added = try await f.store.apply([change(.add, luid: "a", card("Ann")), change(.add, luid: "b", card("Bob")),
                                             change(.add, luid: "c", card("Cid"))], datastore: f.contacts, device: f.phone)
        let live = try await f.store.liveItems(datastore: f.contacts)
        let (a, b) = (try #require(added[0].guid), try #require(added[1].guid))
        let held: [String: Fingerprint] = [a: try #require(live.first { $0.guid == a }?.fingerprint), b: Fingerprint(high: 1, low: 2)]
        let rest = try await f.store.liveItems(datastore: f.contacts, except: held)
        #expect(rest == live.filter { $0.guid != a })
        #expect(try await f.store.liveItems(datastore: f.contacts, except: [:]) == live)
    }

    @Test("History lists versions; restore writes the old version as a new change every device gets", arguments: StoreBackend.allCases)
    func historyAndRestore(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let guid = try await f.store.apply([change(.add, luid: "a", card("Adams"), keys: ["n:adams|"])], datastore: f.contacts, device: f.phone)[0].guid!
        _ = try await f.store.apply([change(.replace, luid: "a", card("Adams", "TEL:1\r\n"), keys: ["n:adams|", "p:1"])], datastore: f.contacts, device: f.phone)
        _ = try await f.store.apply([change(.delete, luid: "a", "")], datastore: f.contacts, device: f.phone)
        let history = try await f.store.history(guid: guid, datastore: f.contacts)
        #expect(history.map(\.operation) == [.add, .replace, .delete])
        #expect(history.allSatisfy { $0.device == f.phone })
        #expect(try await f.store.payload(version: history[1].sequence) == Array(card("Adams", "TEL:1\r\n").utf8))

        try await f.store.acknowledge(f.phone, datastore: f.contacts, through: history[2].sequence)
        let restored = try #require(try await f.store.restore(guid: guid, datastore: f.contacts, toVersion: history[1].sequence))
        #expect(restored.operation == .add && restored.device == nil)
        #expect(try await f.store.payload(guid: guid, datastore: f.contacts) == Array(card("Adams", "TEL:1\r\n").utf8))
        #expect(try await f.store.indexedKeyDigests(guid: guid, datastore: f.contacts) == indexKeys(["n:adams|", "p:1"]).map(\.digest).sorted())
        // The phone, whose change is undone, receives the restored version.
        let set = try await f.store.changes(for: f.phone, datastore: f.contacts)
        #expect(set.changes.map(\.operation) == [.add])
        // Restoring the current state again changes nothing.
        #expect(try await f.store.restore(guid: guid, datastore: f.contacts, toVersion: history[1].sequence) == nil)
        await #expect(throws: StoreError.self) { try await f.store.restore(guid: guid, datastore: f.contacts, toVersion: 999) }
    }

    @Test("Undo of a session reverses each of its changes as new changes; a second undo is refused", arguments: StoreBackend.allCases)
    func undoSession(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let setup = try await f.store.apply([change(.add, luid: "a", card("Adams")), change(.add, luid: "b", card("Baker")),
                                             change(.add, luid: "c", card("Clark"))], datastore: f.contacts, device: f.phone)
        let (a, b, c) = (setup[0].guid!, setup[1].guid!, setup[2].guid!)
        let bad = try await f.store.beginSession(device: f.laptop)
        let applied = try await f.store.apply([
            change(.replace, guid: a, card("Adams", "NOTE:wrong\r\n")),
            change(.replace, guid: a, card("Adams", "NOTE:worse\r\n")),
            change(.delete, guid: b, ""),
            change(.add, luid: "l-new", card("Junk")),
            change(.replace, guid: c, card("Clark", "NOTE:bad\r\n")),
        ], datastore: f.contacts, device: f.laptop, session: bad)
        try await f.store.endSession(bad)
        // Someone edits c after the bad session: undo leaves it alone.
        _ = try await f.store.apply([change(.replace, luid: "c", card("Clark", "NOTE:fixed by hand\r\n"))], datastore: f.contacts, device: f.phone)

        let result = try await f.store.undo(session: bad)
        #expect(result.reverted.count == 3)
        #expect(result.skipped.keys.sorted() == [c])
        #expect(try await f.store.payload(guid: a, datastore: f.contacts) == Array(card("Adams").utf8))
        #expect(try await f.store.payload(guid: b, datastore: f.contacts) == Array(card("Baker").utf8))
        #expect(try await f.store.item(guid: applied[3].guid!, datastore: f.contacts)?.deleted == true)
        #expect(try await f.store.payload(guid: c, datastore: f.contacts) == Array(card("Clark", "NOTE:fixed by hand\r\n").utf8))
        #expect(try await f.store.sessionState(bad) == .undone)
        await #expect(throws: StoreError.self) { try await f.store.undo(session: bad) }

        // The laptop, which made the bad changes, gets the reversal (the junk add it made is deleted on it).
        let toLaptop = try await f.store.changes(for: f.laptop, datastore: f.contacts, since: applied.compactMap(\.sequence).max()!)
        let ops = Dictionary(uniqueKeysWithValues: toLaptop.changes.map { ($0.guid, $0.operation) })
        #expect(ops[a] == .replace && ops[applied[3].guid!] == .delete && ops[b] == .add)
        // The undo is itself undoable.
        let redo = try await f.store.undo(session: result.session)
        #expect(redo.reverted.count == 3)
        #expect(try await f.store.payload(guid: a, datastore: f.contacts) == Array(card("Adams", "NOTE:worse\r\n").utf8))
    }

    @Test("Compaction keeps the last N versions, recent ones, and every version a device has not acknowledged", arguments: StoreBackend.allCases)
    func compaction(_ backend: StoreBackend) async throws {
        let clock = TestClock()
        guard let f = try await Fixture(backend, clock: { clock.now }) else { return }
        let guid = try await f.store.apply([change(.add, luid: "a", card("V0"))], datastore: f.contacts, device: f.phone)[0].guid!
        for version in 1...9 {
            clock.advance(days: 1)
            _ = try await f.store.apply([change(.replace, luid: "a", card("V\(version)"))], datastore: f.contacts, device: f.phone)
        }
        let history = try await f.store.history(guid: guid, datastore: f.contacts)
        #expect(history.count == 10)
        // The phone has everything; the laptop acknowledged up to version 4.
        try await f.store.acknowledge(f.phone, datastore: f.contacts, through: history[9].sequence)
        try await f.store.acknowledge(f.laptop, datastore: f.contacts, through: history[4].sequence)
        clock.advance(days: 100)
        let result = try await f.store.compact(datastore: f.contacts, keepVersions: 2, keepDays: 30)
        // Versions 0-3 go; 4 (the laptop's base) and 5-9 (unacknowledged by the laptop) stay.
        #expect(result.removedVersions == 4)
        #expect(result.removedBytes > 0)
        var kept = try await f.store.history(guid: guid, datastore: f.contacts).map(\.sequence)
        #expect(kept == Array(history[4...].map(\.sequence)))
        // The laptop still gets exactly the last version, as a replace.
        let set = try await f.store.changes(for: f.laptop, datastore: f.contacts)
        #expect(set.changes.map(\.operation) == [.replace])
        #expect(set.changes.first?.payload == Array(card("V9").utf8))
        // Once the laptop catches up, only the newest 2 remain.
        try await f.store.acknowledge(f.laptop, datastore: f.contacts, through: set.through)
        #expect(try await f.store.compact(datastore: f.contacts, keepVersions: 2, keepDays: 30).removedVersions == 4)
        kept = try await f.store.history(guid: guid, datastore: f.contacts).map(\.sequence)
        #expect(kept == Array(history[8...].map(\.sequence)))
        // Recent versions are kept by age whatever keepVersions says.
        let recent = try await f.store.apply([change(.replace, luid: "a", card("V10")), change(.replace, luid: "a", card("V11"))],
                                             datastore: f.contacts, device: f.phone).compactMap(\.sequence)
        try await f.store.acknowledge(f.phone, datastore: f.contacts, through: recent[1])
        try await f.store.acknowledge(f.laptop, datastore: f.contacts, through: recent[1])
        #expect(try await f.store.compact(datastore: f.contacts, keepVersions: 1, keepDays: 30).removedVersions == 2)
        kept = try await f.store.history(guid: guid, datastore: f.contacts).map(\.sequence)
        #expect(kept == recent)
        #expect(try await f.store.integrityCheck() == ["ok"])
    }

    @Test("Sessions: suspend with engine state, find it again, resume, end", arguments: StoreBackend.allCases)
    func sessions(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let session = try await f.store.beginSession(device: f.phone, sessionKey: "42")
        try await f.store.suspendSession(session, resumeState: [1, 2, 3])
        let suspended = try #require(try await f.store.suspendedSession(device: f.phone))
        #expect(suspended == SuspendedSession(id: session, sessionKey: "42", resumeState: [1, 2, 3]))
        try await f.store.resumeSession(session)
        #expect(try await f.store.suspendedSession(device: f.phone) == nil)
        try await f.store.endSession(session)
        #expect(try await f.store.sessionState(session) == .completed)
    }
}

@Suite("Store size")
struct StoreSizeTests {
    @Test("On-disk bytes per contact for a generated address book, with and without the dictionary")
    func bytesPerContact() async throws {
        let contacts = AddressBook.contacts(5000, seed: 11)
        let raw = contacts.reduce(0) { $0 + $1.count }
        var report = "store of \(contacts.count) generated contacts (\(raw / contacts.count) B each), one batch:"
        for useDictionary in [false, true] {
            let directory = TemporaryDirectory()
            let store = try SyncStore(path: directory.path("size.sqlite"), useDictionary: useDictionary)
            let user = try await store.user(named: "u")
            let datastore = try await store.datastore(named: "contacts", user: user)
            let device = try await store.device(devID: "d", user: user)
            let changes = contacts.enumerated().map { index, bytes in
                ItemChange(.add, luid: String(index), payload: bytes, fingerprint: Fingerprint(of: bytes),
                           matchKeys: indexKeys(["n:contact|\(index)", "e:c\(index)@example.com", "p:\(1_000_000 + index)"]))
            }
            let clock = ContinuousClock()
            let start = clock.now
            _ = try await store.apply(changes, datastore: datastore, device: device)
            let elapsed = clock.now - start
            let size = try await store.fileSize()
            let payload = try await store.withDatabase { db throws(StoreError) in try db.integer("SELECT sum(length(payload)) FROM journal") } ?? 0
            report += "\n  \(useDictionary ? "dictionary v\(PayloadDictionary.current)" : "no dictionary"): \(size / contacts.count) B/contact on disk"
                + " (payload frames \(Int(payload) / contacts.count) B), apply \(microseconds(elapsed) / contacts.count) µs per contact"
            #expect(try await store.integrityCheck() == ["ok"])
        }
        print(report)
    }

    private func microseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1_000_000 + Int(duration.components.attoseconds / 1_000_000_000_000)
    }
}

@Suite("Store cost")
struct StoreCostTests {
    @Test("changes-since reads in proportion to the changes, not the store")
    func changesSinceIsProportional() async throws {
        let f = try await Fixture()
        let contacts = AddressBook.contacts(4000, seed: 5)
        let added = try await f.store.apply(contacts.enumerated().map { index, bytes in
            ItemChange(.add, luid: String(index), payload: bytes, fingerprint: Fingerprint(of: bytes))
        }, datastore: f.contacts, device: f.laptop)
        try await f.store.acknowledge(f.phone, datastore: f.contacts, through: f.store.lastSequence(datastore: f.contacts))
        for guid in added.compactMap(\.guid) { try await f.store.map(luid: "p" + guid, to: guid, device: f.phone, datastore: f.contacts) }
        // 1 % changes, two of them twice.
        var edits = stride(from: 0, to: 4000, by: 100).map { index in change(.replace, luid: String(index), card("Edited \(index)")) }
        edits += [change(.replace, luid: "0", card("Edited again 0")), change(.replace, luid: "100", card("Edited again 100"))]
        _ = try await f.store.apply(edits, datastore: f.contacts, device: f.laptop)

        let before = try await f.store.withDatabase { $0.rowsRead }
        let set = try await f.store.changes(for: f.phone, datastore: f.contacts)
        let read = try await f.store.withDatabase { $0.rowsRead } - before
        #expect(set.changes.count == 40)
        #expect(set.changes.allSatisfy { $0.operation == .replace && $0.luid != nil })
        // The journal scan (42 rows); per changed item a map lookup, its row, and its version at the acknowledged
        // sequence (a change undone since is none); the acknowledged sequence.
        #expect(read <= 42 + 3 * 40 + 2, "read \(read) rows for 40 changes in a store of 4000")
        let plan = try await f.store.withDatabase { db throws(StoreError) in
            try db.first("EXPLAIN QUERY PLAN SELECT seq, item_id, op, device_id FROM journal WHERE datastore_id = ? AND seq > ? ORDER BY seq",
                         [.integer(1), .integer(4000)]) { $0.text(3) }
        }
        #expect(plan?.contains("journal_store_seq") == true, "\(plan ?? "")")
    }
}
