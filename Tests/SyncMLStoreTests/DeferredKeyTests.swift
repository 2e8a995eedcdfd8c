import Foundation
import SyncMLPostgres
import SyncMLRecords
@testable import SyncMLStore
import Testing

@Suite("Store: match keys deferred by a slow sync into an empty datastore, indexed once at the end")
struct DeferredKeyTests {
    /// Generated contacts as the engine hands them in: fingerprint and match keys from the records layer.
    static func changes(_ count: Int, seed: UInt64 = 7, prefix: String = "c") throws -> [ItemChange] {
        try AddressBook.contacts(count, seed: seed).enumerated().map { index, bytes in
            let signature = try RecordSignature(parsing: bytes)
            return ItemChange(.add, luid: "\(prefix)\(index)", payload: bytes, fingerprint: signature.fingerprint,
                              matchKeys: signature.matchKey.indexKeys)
        }
    }

    /// The whole key index, as (key digest, item GUID) pairs, sorted.
    static func index(of store: SyncStore) async throws -> [String] {
        try await store.withDatabase { db throws(StoreError) in
            var rows: [String] = []
            try db.forEach("SELECT m.key, i.guid FROM match_keys m JOIN items i ON i.id = m.item_id") { row in
                rows.append("\(row.integer(0))/\(row.text(1))")
            }
            return rows.sorted()
        }
    }

    @Test("Deferred keys stay out of the index until the catch-up, which writes exactly what indexing at once writes",
          arguments: StoreBackend.allCases)
    func catchUpEqualsImmediate(_ backend: StoreBackend) async throws {
        guard let deferred = try await Fixture(backend), let immediate = try await Fixture(backend) else { return }
        let changes = try Self.changes(150)
        for f in [deferred, immediate] {
            for batch in [changes[..<100], changes[100...]] {
                _ = try await f.store.apply(Array(batch), datastore: f.contacts, device: f.phone, deferringNewKeys: f.store === deferred.store)
            }
        }
        #expect(try await deferred.store.rowCount("match_keys") == 0)
        // The mark names the first deferred version; the second batch left it as it was.
        let first = try await deferred.store.history(guid: "1", datastore: deferred.contacts).first?.sequence
        #expect(try await deferred.store.keysPendingFrom(datastore: deferred.contacts) == first)
        #expect(try await immediate.store.keysPendingFrom(datastore: immediate.contacts) == nil)
        #expect(try await Self.index(of: immediate.store).count == Set(changes.flatMap { change in
            change.matchKeys.map { "\($0.digest)/\(change.luid!)" } }).count)

        try await deferred.store.indexPendingKeys(datastore: deferred.contacts)
        #expect(try await deferred.store.keysPendingFrom(datastore: deferred.contacts) == nil)
        #expect(try await Self.index(of: deferred.store) == (try await Self.index(of: immediate.store)))
        // Once complete, a catch-up writes nothing more.
        let statements = await deferred.store.statementsRun
        try await deferred.store.indexPendingKeys(datastore: deferred.contacts)
        #expect(await deferred.store.statementsRun == statements + 1)
    }

    @Test("A big catch-up goes in several passes, each a slice of the key order, and writes the same index")
    func severalPasses() async throws {
        let deferred = try await Fixture(), immediate = try await Fixture()
        let changes = try Self.changes(120, seed: 11)
        _ = try await deferred.store.apply(changes, datastore: deferred.contacts, device: deferred.phone, deferringNewKeys: true)
        _ = try await immediate.store.apply(changes, datastore: immediate.contacts, device: immediate.phone)
        // 120 versions at ~8 keys, 100 keys a pass: 10 passes.
        try await deferred.store.indexPendingKeys(datastore: deferred.contacts, keysPerPass: 100)
        #expect(try await Self.index(of: deferred.store) == (try await Self.index(of: immediate.store)))
        // The slices cover the key order in order.
        #expect([Int64.min, -1, 0, Int64.max].map { SyncStore.slice(of: $0, among: 4) } == [0, 1, 2, 3])
        #expect(SyncStore.slice(of: 12345, among: 1) == 0)
    }

    @Test("A store closed after a deferred batch committed finds every key on its next resolve, lookup and dedupe",
          arguments: StoreBackend.allCases)
    func caughtUpAfterRestart(_ backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let open: () async throws -> SyncStore?
        switch backend {
        case .sqlite:
            let path = directory.path("deferred.sqlite")
            open = { try SyncStore(path: path) }
        case .postgres:
            guard let url = try await TestStores.freshSchemaURL() else { return }
            open = { try PostgresStore.open(url: url) }
        }
        let changes = try Self.changes(60)
        do {
            // The writer "dies" here: its batch is committed, its catch-up never ran.
            let f = try await Fixture(store: try #require(try await open()))
            _ = try await f.store.apply(changes, datastore: f.contacts, device: f.phone, deferringNewKeys: true)
            #expect(try await f.store.rowCount("match_keys") == 0)
        }
        let f = try await Fixture(store: try #require(try await open()))
        let probe = changes[41]
        let resolved = try await f.store.resolve([IncomingKey(luid: "other", fingerprint: nil, keys: probe.matchKeys)],
                                                 datastore: f.contacts, device: f.laptop)
        let guid = try #require(try await f.store.guid(forLUID: "c41", device: f.phone, datastore: f.contacts))
        for key in probe.matchKeys { #expect(resolved[0].candidates?[key.digest]?.contains { $0.guid == guid } == true) }
        #expect(try await f.store.keysPendingFrom(datastore: f.contacts) == nil)
        #expect(try await f.store.rowCount("match_keys") == Set(changes.flatMap { change in
            change.matchKeys.map { "\($0.digest)/\(change.luid!)" } }).count)

        // Deferred again, then merged by dedupe before any catch-up: the survivor ends with the merge's keys, the other with none.
        let more = try Self.changes(2, seed: 99, prefix: "d")
        let added = try await f.store.apply(more, datastore: f.contacts, device: f.laptop, deferringNewKeys: true)
        let (survivor, other) = (try #require(added[0].guid), try #require(added[1].guid))
        let merged = try Self.changes(1, seed: 100, prefix: "e")[0]
        let result = try await f.store.applyDedupe([DedupeMerge(datastore: f.contacts, survivor: survivor, others: [other], type: "text/vcard",
                                                                payload: merged.payload, fingerprint: merged.fingerprint!,
                                                                matchKeys: merged.matchKeys,
                                                                reviewed: [survivor: more[0].fingerprint!, other: more[1].fingerprint!])])
        #expect(result.merged == [survivor])
        #expect(try await f.store.items(matchingKeys: merged.matchKeys, datastore: f.contacts).map(\.guid).contains(survivor))
        #expect(try await f.store.items(matchingKeys: more[1].matchKeys, datastore: f.contacts).map(\.guid).contains(other) == false)
        #expect(try await f.store.indexedKeyDigests(guid: survivor, datastore: f.contacts) == Set(merged.matchKeys.map(\.digest)).sorted())
        #expect(try await f.store.indexedKeyDigests(guid: other, datastore: f.contacts).isEmpty)
    }

    @Test("A replace and a delete of items whose keys wait leave exactly their current keys, before and after the catch-up",
          arguments: StoreBackend.allCases)
    func replaceAndDeleteWhilePending(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let added = try await f.store.apply([change(.add, luid: "a", card("Adams"), keys: ["n:adams|", "p:1111", "e:a@example.com"]),
                                             change(.add, luid: "b", card("Baker"), keys: ["n:baker|", "p:2222"]),
                                             change(.add, luid: "c", card("Clark"), keys: ["n:clark|"])],
                                            datastore: f.contacts, device: f.phone, deferringNewKeys: true)
        let (a, b, c) = (added[0].guid!, added[1].guid!, added[2].guid!)
        // Written without deferring, and without catching up first: only what changed is written.
        _ = try await f.store.apply([change(.replace, luid: "a", card("Adams", "NOTE:x\r\n"), keys: ["n:adams|", "p:3333"]),
                                     change(.delete, luid: "b", "")], datastore: f.contacts, device: f.phone)
        #expect(try await f.store.indexedKeyDigests(guid: a, datastore: f.contacts) == indexKeys(["p:3333"]).map(\.digest))
        #expect(try await f.store.indexedKeyDigests(guid: b, datastore: f.contacts).isEmpty)
        #expect(try await f.store.keysPendingFrom(datastore: f.contacts) != nil)
        // The next reader catches up: each item has its current version's keys, the deleted one none.
        #expect(try await f.store.items(matchingKeys: indexKeys(["n:adams|"]), datastore: f.contacts).map(\.guid) == [a])
        #expect(try await f.store.indexedKeyDigests(guid: a, datastore: f.contacts) == indexKeys(["n:adams|", "p:3333"]).map(\.digest).sorted())
        #expect(try await f.store.indexedKeyDigests(guid: b, datastore: f.contacts).isEmpty)
        #expect(try await f.store.indexedKeyDigests(guid: c, datastore: f.contacts) == indexKeys(["n:clark|"]).map(\.digest))
        #expect(try await f.store.items(matchingKeys: indexKeys(["p:1111", "p:2222"]), datastore: f.contacts).isEmpty)
        // Restoring the first version of a brings its keys back, as without deferring.
        let first = try #require(try await f.store.history(guid: a, datastore: f.contacts).first)
        _ = try await f.store.restore(guid: a, datastore: f.contacts, toVersion: first.sequence)
        #expect(try await f.store.indexedKeyDigests(guid: a, datastore: f.contacts)
                == indexKeys(["n:adams|", "p:1111", "e:a@example.com"]).map(\.digest).sorted())
    }

    @Test("An existing item changed in a deferring batch is indexed at once; only new items wait")
    func onlyNewItemsWait() async throws {
        let f = try await Fixture()
        _ = try await f.store.apply([change(.add, luid: "a", card("Adams"), keys: ["n:adams|"])], datastore: f.contacts, device: f.phone)
        let applied = try await f.store.apply([change(.replace, luid: "a", card("Adams", "NOTE:y\r\n"), keys: ["n:adams|y"]),
                                               change(.add, luid: "b", card("Baker"), keys: ["n:baker|"])],
                                              datastore: f.contacts, device: f.phone, deferringNewKeys: true)
        #expect(try await f.store.indexedKeyDigests(guid: applied[0].guid!, datastore: f.contacts) == indexKeys(["n:adams|y"]).map(\.digest))
        #expect(try await f.store.indexedKeyDigests(guid: applied[1].guid!, datastore: f.contacts).isEmpty)
        #expect(try await f.store.keysPendingFrom(datastore: f.contacts) == applied[1].sequence)
    }

    @Test("Whether a datastore holds a live item, and how many journal rows follow a sequence", arguments: StoreBackend.allCases)
    func emptinessAndJournalRows(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        #expect(try await !f.store.hasLiveItems(datastore: f.contacts))
        #expect(try await f.store.journalRows(datastore: f.contacts, after: 0) == (0, 0))
        let added = try await f.store.apply([change(.add, luid: "a", card("Adams")), change(.add, luid: "b", card("Baker"))],
                                            datastore: f.contacts, device: f.phone)
        #expect(try await f.store.hasLiveItems(datastore: f.contacts))
        let last = try #require(added[1].sequence)
        #expect(try await f.store.journalRows(datastore: f.contacts, after: added[0].sequence!) == (1, last))
        _ = try await f.store.apply([change(.delete, luid: "a", ""), change(.delete, luid: "b", "")], datastore: f.contacts, device: f.phone)
        #expect(try await !f.store.hasLiveItems(datastore: f.contacts))
        #expect(try await f.store.journalRows(datastore: f.contacts, after: last).count == 2)
    }

    @Test("What a device wrote after a sequence: its adds and replaces in journal order, with each version's fingerprint; not its deletes, not another device's rows",
          arguments: StoreBackend.allCases)
    func itemsWritten(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let before = try await f.store.apply([change(.add, luid: "old", card("Old"))], datastore: f.contacts, device: f.phone)
        let since = try #require(before[0].sequence)
        let added = try await f.store.apply([change(.add, luid: "a", card("Adams")), change(.add, luid: "b", card("Baker"))],
                                            datastore: f.contacts, device: f.phone)
        _ = try await f.store.apply([change(.add, luid: "l", card("Laptop"))], datastore: f.contacts, device: f.laptop)
        let replaced = try await f.store.apply([change(.replace, luid: "a", card("Adams", "NOTE:new"))], datastore: f.contacts, device: f.phone)
        _ = try await f.store.apply([change(.delete, luid: "b", "")], datastore: f.contacts, device: f.phone)
        let (a, b) = (try #require(added[0].guid), try #require(added[1].guid))
        let fingerprint = { (text: String) in Fingerprint(of: Array(text.utf8)) }
        #expect(replaced[0].guid == a)
        #expect(try await f.store.itemsWritten(datastore: f.contacts, device: f.phone, after: since) == [
            WrittenItem(guid: a, fingerprint: fingerprint(card("Adams"))), WrittenItem(guid: b, fingerprint: fingerprint(card("Baker"))),
            WrittenItem(guid: a, fingerprint: fingerprint(card("Adams", "NOTE:new"))),
        ])
        #expect(try await f.store.itemsWritten(datastore: f.contacts, device: f.phone, after: replaced[0].sequence!).isEmpty)
    }

    /// A store file at schema `version` (the first `version` migrations), holding user alice's
    /// datastore "contacts" (id 1) and whatever `fill` adds.
    static func makeStore(at path: String, version: Int, fill: (Database) throws(StoreError) -> Void) throws {
        let db = try Database(path: path)
        try db.transaction { () throws(StoreError) in
            for step in Migrations.steps.prefix(version) {
                switch step {
                case .sql(let sql): try db.execute(sql)
                case .code(let code): try code(db)
                }
            }
            try db.execute("PRAGMA user_version = \(version)")
            try db.execute("INSERT INTO users(id, name, created) VALUES (1, 'alice', 0); INSERT INTO datastores(id, user_id, name) VALUES (1, 1, 'contacts')")
            try fill(db)
        }
    }

    @Test("Migration 9: a version-8 store gets a complete key index mark (NULL) for every datastore")
    func migrationNine() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("v8.sqlite")
        try Self.makeStore(at: path, version: 8) { _ throws(StoreError) in }
        let store = try SyncStore(path: path)
        #expect(try await store.withDatabase { db throws(StoreError) in try db.userVersion() } == Migrations.latest)
        #expect(try await store.keysPendingFrom(datastore: DatastoreID(rawValue: 1)) == nil)
    }

    // MARK: Fingerprints

    /// How many items' fingerprints wait out of `items_fingerprint`.
    static func pendingFingerprints(_ store: SyncStore) async throws -> Int {
        try await store.withDatabase { db throws(StoreError) in
            Int(try db.integer("SELECT count(*) FROM items WHERE fingerprint_pending IS NOT NULL") ?? -1)
        }
    }

    @Test("Fingerprints of a deferring batch's new items wait with their keys: the deferring session's own lookups skip them, anyone else's catch up first",
          arguments: StoreBackend.allCases)
    func fingerprintsWait(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let changes = try Self.changes(30)
        _ = try await f.store.apply(changes, datastore: f.contacts, device: f.phone, deferringNewKeys: true)
        #expect(try await Self.pendingFingerprints(f.store) == 30)
        let probe = IncomingKey(luid: "other", fingerprint: changes[12].fingerprint)
        // The deferring session's own lookup: its items are its own, never a twin to pair, and nothing is caught up.
        let own = try await f.store.resolve([probe], datastore: f.contacts, device: f.phone, deferringNewKeys: true)
        #expect(own[0].twins.isEmpty)
        #expect(try await Self.pendingFingerprints(f.store) == 30)
        // Another device's lookup catches up first and finds the twin.
        let guid = try #require(try await f.store.guid(forLUID: "c12", device: f.phone, datastore: f.contacts))
        let other = try await f.store.resolve([probe], datastore: f.contacts, device: f.laptop)
        #expect(other[0].twins.map(\.item.guid) == [guid])
        #expect(try await Self.pendingFingerprints(f.store) == 0)
        #expect(try await f.store.keysPendingFrom(datastore: f.contacts) == nil)
    }

    @Test("Another device's add of a record a deferring batch wrote is that item (the twin check catches up), and so is a lookup by fingerprint",
          arguments: StoreBackend.allCases)
    func twinCheckCatchesUp(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let changes = try Self.changes(10)
        _ = try await f.store.apply(changes, datastore: f.contacts, device: f.phone, deferringNewKeys: true)
        let guid = try #require(try await f.store.guid(forLUID: "c3", device: f.phone, datastore: f.contacts))
        #expect(try await f.store.items(withFingerprint: changes[3].fingerprint!, datastore: f.contacts).map(\.guid) == [guid])
        #expect(try await Self.pendingFingerprints(f.store) == 0)

        _ = try await f.store.apply(Self.changes(10, seed: 8, prefix: "d"), datastore: f.contacts, device: f.phone, deferringNewKeys: true)
        #expect(try await Self.pendingFingerprints(f.store) == 10)
        var same = changes[5]
        same.luid = "laptop-5"
        // No lookup passed: apply checks for a twin itself, after catching up.
        let applied = try await f.store.apply([same], datastore: f.contacts, device: f.laptop)
        #expect(applied[0].outcome == .unchanged)
        #expect(applied[0].guid == (try await f.store.guid(forLUID: "c5", device: f.phone, datastore: f.contacts)))
        #expect(try await Self.pendingFingerprints(f.store) == 0)
        #expect(try await f.store.liveItems(datastore: f.contacts).count == 20)
    }

    @Test("Migration 10: a version-9 store's fingerprints stay findable through the new partial index")
    func migrationTen() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("v9.sqlite")
        let fingerprint = Fingerprint(of: Array("BEGIN:VCARD\r\nFN:Old\r\nEND:VCARD\r\n".utf8))
        try Self.makeStore(at: path, version: 9) { db throws(StoreError) in
            try db.run("INSERT INTO items(id, datastore_id, guid, type, fingerprint, version) VALUES (1, 1, '1', 'text/vcard', ?, 0)",
                       [.blob(fingerprint.bytes)])
        }
        let store = try SyncStore(path: path)
        #expect(try await store.withDatabase { db throws(StoreError) in try db.userVersion() } == Migrations.latest)
        #expect(try await store.items(withFingerprint: fingerprint, datastore: DatastoreID(rawValue: 1)).map(\.guid) == ["1"])
        let plan = try await store.queryPlan("SELECT id FROM items WHERE datastore_id = 1 AND fingerprint = x'00' AND deleted = 0 AND fingerprint_pending IS NULL")
        #expect(plan.contains("items_fingerprint"))
    }
}
