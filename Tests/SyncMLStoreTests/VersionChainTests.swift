import Foundation
import SyncMLPostgres
@testable import SyncMLStore
import Testing

/// Schema 12 (issue #16): the journal keeps no index by item. An item's versions are
/// found from `items.version` down the `prev_seq` links, and history, changes-since,
/// undo, restore and compaction answer as with the index.
@Suite("Store: versions by their prev_seq links (schema 12)")
struct VersionChainTests {
    /// The journal's indexes and the tables its foreign keys name, on SQLite.
    static func journalShape(_ store: SyncStore) async throws -> (indexes: Set<String>, references: Set<String>) {
        try await store.withDatabase { db throws(StoreError) in
            var indexes: Set<String> = [], references: Set<String> = []
            try db.forEach("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'journal'") { indexes.insert($0.text(0)) }
            try db.forEach("SELECT \"table\" FROM pragma_foreign_key_list('journal')") { references.insert($0.text(0)) }
            return (indexes, references)
        }
    }

    @Test("A new store's journal has two indexes a new item writes (by datastore and by session) and the partial one of later versions; none by item, and no foreign key to items")
    func noIndexByItem() async throws {
        let f = try await Fixture()
        let shape = try await Self.journalShape(f.store)
        #expect(shape.indexes == ["journal_store_seq", "journal_session", "journal_store_later"])
        #expect(shape.references == ["datastores", "devices", "sessions"])
    }

    /// An item edited four times with other items' versions in between; returns its GUID
    /// and its versions' sequences, oldest first.
    static func interleaved(_ f: Fixture, clock: TestClock? = nil, days: [Double] = []) async throws -> (guid: String, versions: [Int64]) {
        var versions: [Int64] = []
        for round in 0..<4 {
            if round < days.count { clock?.advance(days: days[round]) }
            let results = try await f.store.apply([change(round == 0 ? .add : .replace, luid: "a", card("A\(round)")),
                                                   change(round == 0 ? .add : .replace, luid: "b", card("B\(round)"))],
                                                  datastore: f.contacts, device: f.phone)
            versions.append(try #require(results[0].sequence))
        }
        return (try #require(try await f.store.guid(forLUID: "a", device: f.phone, datastore: f.contacts)), versions)
    }

    @Test("History lists every version of an item, in order, though other items' versions lie between; restore and undo write the version asked for",
          arguments: StoreBackend.allCases)
    func historyRestoreUndo(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let (guid, versions) = try await Self.interleaved(f)
        #expect(try await f.store.history(guid: guid, datastore: f.contacts).map(\.sequence) == versions)
        let restored = try #require(try await f.store.restore(guid: guid, datastore: f.contacts, toVersion: versions[1]))
        #expect(try await f.store.payload(version: restored.sequence) == Array(card("A1").utf8))
        let history = try await f.store.history(guid: guid, datastore: f.contacts)
        #expect(history.map(\.sequence) == versions + [restored.sequence])
        #expect(history.last?.fingerprint == history[1].fingerprint)
        // A session's edit is undone back to the restored version.
        let session = try await f.store.beginSession(device: f.phone, sessionKey: "9")
        _ = try await f.store.apply([change(.replace, luid: "a", card("A9"))], datastore: f.contacts, device: f.phone, session: session)
        let undo = try await f.store.undo(session: session)
        #expect(undo.reverted.count == 1 && undo.skipped.isEmpty)
        #expect(try await f.store.payload(version: try #require(undo.reverted.first?.sequence)) == Array(card("A1").utf8))
        #expect(try await f.store.history(guid: guid, datastore: f.contacts).count == versions.count + 3)
    }

    @Test("Whether a device knew an item is read from the item's version at its acknowledged sequence: a device that never knew it gets an add, one that knew it a replace, and an item deleted before gets nothing",
          arguments: StoreBackend.allCases)
    func changesSinceUseTheVersionThen(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let (_, versions) = try await Self.interleaved(f)
        // At versions[1] the item existed: known to a device at that point, though it has no LUID.
        let known = try await f.store.changes(for: f.laptop, datastore: f.contacts, since: versions[1]).changes
        #expect(Set(known.map(\.operation)) == [.replace])
        let fresh = try await f.store.changes(for: f.laptop, datastore: f.contacts, since: 0).changes
        #expect(Set(fresh.map(\.operation)) == [.add])
        _ = try await f.store.apply([change(.delete, luid: "a", "")], datastore: f.contacts, device: f.phone)
        let deleted = try await f.store.changes(for: f.laptop, datastore: f.contacts, since: 0).changes
        #expect(deleted.count == 1, "only b: a was added and deleted after the laptop's point")
        #expect(try await f.store.liveCount(datastore: f.contacts, asOf: versions[3]) == 2)
        #expect(try await f.store.liveCount(datastore: f.contacts, asOf: 0) == 0)
    }

    @Test("Compaction drops an item's oldest versions only: a version kept for its time (a clock set back after it) keeps every older one, so history still reaches every version in the journal",
          arguments: StoreBackend.allCases)
    func compactionKeepsTheChain(_ backend: StoreBackend) async throws {
        let clock = TestClock()
        guard let f = try await Fixture(backend, clock: { clock.now }) else { return }
        // Written at days 1, 9, 8, 8 (the clock went back a day after the second version).
        let (guid, versions) = try await Self.interleaved(f, clock: clock, days: [1, 8, -1, 0])
        let top = try await f.store.lastSequence(datastore: f.contacts)
        for device in [f.phone, f.laptop] { try await f.store.acknowledge(device, datastore: f.contacts, through: top) }
        clock.advance(days: 2) // day 10; history kept 1.5 days: the versions of days 9 and 8 are young
        _ = try await f.store.compact(keeping: RetentionPolicy(keepHistory: .seconds(1.5 * 86_400)))
        let journaled = try await f.store.withDatabase { db throws(StoreError) -> [Int64] in
            var seqs: [Int64] = []
            try db.forEach("SELECT seq FROM journal WHERE seq IN (?, ?, ?, ?) ORDER BY seq", versions.map { .integer($0) }) { seqs.append($0.integer(0)) }
            return seqs
        }
        #expect(journaled == Array(versions.dropFirst()), "only the first version (day 1) goes")
        #expect(try await f.store.history(guid: guid, datastore: f.contacts).map(\.sequence) == journaled)
    }

    @Test("Migration 12: a version-11 store keeps every item, version, map and answer, loses the index by item and the foreign key to items (the definition edited in place, or, when it is not version 1's text, the journal copied)",
          arguments: [false, true])
    func migrationTwelve(definitionDiffers: Bool) async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("v11.sqlite")
        try DeferredKeyTests.makeStore(at: path, version: 11) { db throws(StoreError) in
            if definitionDiffers {
                let version = try db.integer("PRAGMA schema_version") ?? 0
                try db.execute("PRAGMA writable_schema=ON")
                try db.run("UPDATE sqlite_master SET sql = replace(sql, 'REFERENCES items(id)', 'REFERENCES items (id)') WHERE name = 'journal'")
                try db.execute("PRAGMA schema_version = \(version + 1); PRAGMA writable_schema=OFF")
            }
            try db.run("INSERT INTO devices(id, user_id, dev_id) VALUES (1, 1, 'phone'), (2, 1, 'laptop')")
            try db.run("INSERT INTO sessions(id, device_id, started) VALUES (1, 1, 0)")
            try db.run("INSERT INTO device_datastores(device_id, datastore_id, acked_seq) VALUES (1, 1, 5), (2, 1, 2)")
            try db.run("""
                INSERT INTO items(id, datastore_id, guid, type, fingerprint, deleted, version) VALUES
                    (1, 1, '1', 'text/vcard', x'01010101010101010101010101010101', 0, 4), (2, 1, '2', 'text/vcard', NULL, 1, 5)
                """)
            try db.run("""
                INSERT INTO journal(seq, datastore_id, item_id, op, prev_seq, fingerprint, payload, time, device_id, session_id) VALUES
                    (1, 1, 1, 1, 0, x'0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a', NULL, 10, 1, 1), (2, 1, 2, 1, 0, x'0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b', NULL, 20, 1, 1),
                    (3, 1, 1, 2, 1, x'0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c', NULL, 30, 1, 1), (4, 1, 1, 2, 3, x'01010101010101010101010101010101', NULL, 40, 1, 1),
                    (5, 1, 2, 3, 2, NULL, NULL, 50, 1, 1)
                """)
            try db.run("INSERT INTO maps(device_id, datastore_id, luid, item_id) VALUES (1, 1, 'a', 1), (1, 1, 'b', 2)")
        }
        let dump = { (db: any StoreConnection) throws(StoreError) -> [String] in
            var rows: [String] = []
            try db.forEach("SELECT seq, datastore_id, item_id, op, prev_seq, hex(fingerprint), time, device_id, session_id FROM journal ORDER BY seq") { row in
                rows.append((0..<9).map { row.isNull($0) ? "-" : row.text($0) }.joined(separator: ","))
            }
            try db.forEach("SELECT device_id, luid, item_id FROM maps ORDER BY luid") { rows.append("map \($0.integer(0)) \($0.text(1)) \($0.integer(2))") }
            try db.forEach("SELECT id, guid, deleted, version FROM items ORDER BY id") { rows.append("item \($0.integer(0)) \($0.text(1)) \($0.integer(2)) \($0.integer(3))") }
            return rows
        }
        let rootPage = "SELECT rootpage FROM sqlite_master WHERE name = 'journal'"
        let (before, pageBefore) = try { () throws -> ([String], Int64?) in let db = try Database(path: path); return (try dump(db), try db.integer(rootPage)) }()
        let store = try SyncStore(path: path)
        #expect(try await store.withDatabase { db throws(StoreError) in try db.userVersion() } == Migrations.latest)
        #expect(try await store.withDatabase { db throws(StoreError) in try dump(db) } == before)
        let pageAfter = try await store.withDatabase { db throws(StoreError) in try db.integer(rootPage) }
        #expect((pageAfter == pageBefore) == !definitionDiffers, "edited in place: the same table; copied: a new one")
        let shape = try await Self.journalShape(store)
        #expect(!shape.indexes.contains("journal_item_seq") && !shape.references.contains("items"))
        #expect(shape.indexes == ["journal_store_seq", "journal_session", "journal_store_later"])
        #expect(shape.references == ["datastores", "devices", "sessions"])
        let contacts = DatastoreID(rawValue: 1)
        #expect(try await store.history(guid: "1", datastore: contacts).map(\.sequence) == [1, 3, 4])
        #expect(try await store.history(guid: "2", datastore: contacts).map(\.sequence) == [2, 5])
        // The laptop (at 2) knew item 1 (version 1) and item 2: a replace and a delete.
        let changes = try await store.changes(for: DeviceID(rawValue: 2), datastore: contacts, includePayloads: false).changes
        #expect(changes.map { "\($0.guid) \($0.operation)" } == ["1 replace", "2 delete"])
        #expect(try await store.integrityCheck() == ["ok"])
        #expect(try await store.withDatabase { db throws(StoreError) in try db.integer("SELECT count(*) FROM pragma_foreign_key_check") } == 0)
    }

    @Test("PostgreSQL: a version-11 store is brought to 12 (no journal_item_seq, no foreign key from the journal to items), its history unchanged")
    func postgresUpgrade() async throws {
        guard let url = try await TestStores.freshSchemaURL() else { return }
        let f = try await Fixture(store: PostgresStore.open(url: url))
        let (guid, versions) = try await Self.interleaved(f)
        _ = try await f.store.withDatabase { db throws(StoreError) in
            try db.execute("CREATE INDEX journal_item_seq ON journal(item_id, seq)")
            try db.execute("ALTER TABLE journal ADD CONSTRAINT journal_item_id_fkey FOREIGN KEY (item_id) REFERENCES items(id) ON DELETE CASCADE")
            try db.run("UPDATE syncml_schema SET version = 11")
        }
        let store = try PostgresStore.open(url: url)
        #expect(try await store.withDatabase { db throws(StoreError) in try db.userVersion() } == Migrations.latest)
        let left = try await store.withDatabase { db throws(StoreError) in
            try db.integer("""
                SELECT (SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                        WHERE c.conname = 'journal_item_id_fkey' AND n.nspname = current_schema())
                     + CASE WHEN to_regclass('journal_item_seq') IS NULL THEN 0 ELSE 1 END
                """)
        }
        #expect(left == 0)
        #expect(try await store.history(guid: guid, datastore: f.contacts).map(\.sequence) == versions)
    }
}
