import Foundation
import SyncMLRecords
@testable import SyncMLStore
import SyncMLPostgres
import Testing

/// `live_sessions`: a running session saved after each message so that any server
/// node on the store can take its next one (issue #18), on both backends.
@Suite("Store: live sessions shared by server nodes")
struct LiveSessionStoreTests {
    static let state = Array("{\"phase\":\"clientSync\",\"reply\":\"".utf8) + Array(repeating: UInt8(ascii: "x"), count: 4_000) + Array("\"}".utf8)

    @Test("A session saved after each message loads back as saved; each save moves message_count on by one", arguments: StoreBackend.allCases)
    func saveAndLoad(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        #expect(try await f.store.liveSession(token: "t1") == nil)
        #expect(try await f.store.saveLiveSession(token: "t1", user: f.user, deviceURI: "IMEI:3550001", clientSessionID: "7",
                                                  state: Self.state, after: nil) == 1)
        #expect(try await f.store.saveLiveSession(token: "t1", user: f.user, deviceURI: "IMEI:3550001", clientSessionID: "7",
                                                  state: Array("second".utf8), after: 1) == 2)
        let loaded = try #require(try await f.store.liveSession(token: "t1"))
        #expect(loaded == LiveSessionRecord(token: "t1", user: f.user, deviceURI: "IMEI:3550001", clientSessionID: "7", messageCount: 2,
                                            state: Array("second".utf8)))
        #expect(try await f.store.liveSessionCount(token: "t1") == 2)
        #expect(try await f.store.liveSessionUser(token: "t1") == f.user)
        #expect(try await f.store.liveSessionCount(token: "unknown") == nil)
    }

    @Test("The state is kept compressed", arguments: StoreBackend.allCases)
    func compressed(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        try await f.store.saveLiveSession(token: "t1", user: f.user, deviceURI: "d", clientSessionID: "1", state: Self.state, after: nil)
        let stored = try await f.store.withDatabase { db throws(StoreError) in
            try db.first("SELECT state FROM live_sessions WHERE token = 't1'") { $0.blob(0) }
        }
        #expect(try #require(stored).count < Self.state.count / 4)
        #expect(try await f.store.liveSession(token: "t1")?.state == Self.state)
    }

    @Test("A stale writer (a first save of a token already saved, or a save after an older count) gets .conflict and changes nothing",
          arguments: StoreBackend.allCases)
    func staleWriter(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        try await f.store.saveLiveSession(token: "t1", user: f.user, deviceURI: "d", clientSessionID: "1", state: [1], after: nil)
        try await f.store.saveLiveSession(token: "t1", user: f.user, deviceURI: "d", clientSessionID: "1", state: [2], after: 1)
        await #expect { try await f.store.saveLiveSession(token: "t1", user: f.user, deviceURI: "d", clientSessionID: "1", state: [9], after: nil) }
            throws: { ($0 as? StoreError)?.kind == .conflict }
        await #expect { try await f.store.saveLiveSession(token: "t1", user: f.user, deviceURI: "d", clientSessionID: "1", state: [9], after: 1) }
            throws: { ($0 as? StoreError)?.kind == .conflict }
        await #expect { try await f.store.saveLiveSession(token: "gone", user: f.user, deviceURI: "d", clientSessionID: "1", state: [9], after: 3) }
            throws: { ($0 as? StoreError)?.kind == .conflict }
        let loaded = try await f.store.liveSession(token: "t1")
        #expect(loaded?.messageCount == 2 && loaded?.state == [2])
    }

    @Test("Delete forgets a session; purge deletes only the sessions idle past the cutoff; removing the user removes its sessions",
          arguments: StoreBackend.allCases)
    func deleteAndPurge(_ backend: StoreBackend) async throws {
        let clock = TestClock()
        guard let f = try await Fixture(backend, clock: { clock.now }) else { return }
        for token in ["old", "gone"] {
            try await f.store.saveLiveSession(token: token, user: f.user, deviceURI: "d", clientSessionID: "1", state: [1], after: nil)
        }
        clock.advance(days: 1)
        try await f.store.saveLiveSession(token: "recent", user: f.user, deviceURI: "d", clientSessionID: "1", state: [1], after: nil)
        try await f.store.deleteLiveSession(token: "gone")
        #expect(try await f.store.liveSession(token: "gone") == nil)
        let cutoff = clock.now.addingTimeInterval(-3_600)
        #expect(try await f.store.liveSessions(idleSince: cutoff) == ["old"])
        #expect(try await f.store.purgeLiveSessions(idleSince: cutoff) == 1)
        #expect(try await f.store.liveSession(token: "old") == nil)
        #expect(try await f.store.liveSession(token: "recent") != nil)
        try await f.store.removeUser(named: "alice")
        #expect(try await f.store.rowCount("live_sessions") == 0)
    }

    @Test("A session's rows are saved with its value: item rows replaced per GUID and read from a save on, a queue written whole and read from a position; a stale save writes none; they go with the session",
          arguments: StoreBackend.allCases)
    func rowsWithTheSession(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let contacts = DatastoreID(rawValue: 7)
        let print1 = Fingerprint(of: Array("one".utf8)), print2 = Fingerprint(of: Array("two".utf8))
        func item(_ guid: String, _ fingerprint: Fingerprint?, claimed: Bool = false, confirmed: Int64? = nil) -> LiveSessionItemRow {
            LiveSessionItemRow(datastore: contacts, guid: guid, fingerprint: fingerprint, claimed: claimed, confirmed: confirmed)
        }
        let queue = (0..<150).map { (index: Int) -> OutgoingChange in
            let mapped = index % 2 == 1
            return OutgoingChange(sequence: Int64(100 + index), guid: "q\(index)", luid: mapped ? "L\(index)" : nil,
                                  operation: mapped ? .replace : .add, type: "text/vcard", fingerprint: print1)
        }
        let first = (0..<100).map { item("g\($0)", print1, claimed: true) }
        try await f.store.saveLiveSession(token: "t1", user: f.user, deviceURI: "d", clientSessionID: "1", state: [1], after: nil,
                                          rows: LiveSessionRows(items: first, queues: [contacts: queue]))
        try await f.store.saveLiveSession(token: "t1", user: f.user, deviceURI: "d", clientSessionID: "1", state: [2], after: 1,
                                          rows: LiveSessionRows(items: [item("g1", nil, claimed: true), item("g2", print2, confirmed: 9),
                                                                        item("new", print2)]))
        let all = try await f.store.liveSessionItems(token: "t1")
        #expect(all.count == 101)
        #expect(all.first { $0.guid == "g1" } == item("g1", nil, claimed: true))
        #expect(all.first { $0.guid == "g2" } == item("g2", print2, confirmed: 9))
        #expect(try await f.store.liveSessionItems(token: "t1", after: 1).map(\.guid) == ["g1", "g2", "new"], "only what the second save wrote")
        #expect(try await f.store.liveSessionQueue(token: "t1", datastore: contacts) == queue)
        #expect(try await f.store.liveSessionQueue(token: "t1", datastore: contacts, from: 120) == Array(queue[120...]))
        #expect(try await f.store.liveSessionQueue(token: "t1", datastore: DatastoreID(rawValue: 8)).isEmpty)

        await #expect { try await f.store.saveLiveSession(token: "t1", user: f.user, deviceURI: "d", clientSessionID: "1", state: [9], after: 1,
                                                          rows: LiveSessionRows(items: [item("stale", print1)], queues: [contacts: []])) }
            throws: { ($0 as? StoreError)?.kind == .conflict }
        #expect(try await f.store.liveSessionItems(token: "t1").count == 101, "the stale save wrote no row")
        #expect(try await f.store.liveSessionQueue(token: "t1", datastore: contacts).count == 150)

        try await f.store.deleteLiveSession(token: "t1")
        #expect(try await f.store.rowCount("live_session_items") == 0)
        #expect(try await f.store.rowCount("live_session_queue") == 0)
    }

    @Test("A user's lock is held by one store connection at a time on PostgreSQL, nested on the one holding it, free again once released")
    func userLockAcrossNodes() async throws {
        guard let url = try await TestStores.freshSchemaURL() else { return }
        let node0 = try PostgresStore.open(url: url), node1 = try PostgresStore.open(url: url)
        let alice = try await node0.user(named: "alice"), bob = try await node0.user(named: "bob")
        #expect(try await node0.tryLockUser(alice))
        #expect(try await !node1.tryLockUser(alice), "another node waits")
        #expect(try await node1.tryLockUser(bob), "another user is not held up")
        #expect(try await node0.tryLockUser(alice), "the holder's connection nests")
        try await node0.unlockUser(alice)
        #expect(try await !node1.tryLockUser(alice), "still held once")
        try await node0.unlockUser(alice)
        #expect(try await node1.tryLockUser(alice))
        try await node1.unlockUser(alice)
        try await node1.unlockUser(bob)
    }

    @Test("A PostgreSQL store of schema 6 is brought to the latest when opened: live_sessions and its rows' tables, datastores.keys_pending_from and items.fingerprint_pending are created, the data kept")
    func upgradeFromSix() async throws {
        guard let url = try await TestStores.freshSchemaURL() else { return }
        do {
            let store = try PostgresStore.open(url: url)
            _ = try await store.user(named: "carol")
            _ = try await store.withDatabase { db throws(StoreError) in
                try db.execute("DROP TABLE live_session_queue")
                try db.execute("DROP TABLE live_session_items")
                try db.execute("DROP TABLE live_sessions")
                try db.execute("ALTER TABLE datastores DROP COLUMN keys_pending_from")
                try db.execute("DROP INDEX items_fingerprint")
                try db.execute("ALTER TABLE items DROP COLUMN fingerprint_pending")
                try db.execute("DROP INDEX items_fingerprint_unindexed")
                try db.execute("ALTER TABLE items DROP COLUMN fingerprint_unindexed")
                try db.execute("ALTER TABLE datastores DROP COLUMN fingerprints_unindexed")
                try db.execute("CREATE INDEX items_fingerprint ON items(datastore_id, fingerprint) WHERE deleted = 0")
                try db.run("UPDATE syncml_schema SET version = 6")
            }
        }
        let store = try PostgresStore.open(url: url)
        #expect(try await store.withDatabase { db throws(StoreError) in try db.userVersion() } == Migrations.latest)
        #expect(try await store.users().map(\.name) == ["carol"])
        let carol = try await store.user(named: "carol")
        #expect(try await store.saveLiveSession(token: "t", user: carol, deviceURI: "d", clientSessionID: "1", state: [1], after: nil,
                                                rows: LiveSessionRows(items: [LiveSessionItemRow(datastore: DatastoreID(rawValue: 1), guid: "g",
                                                                                                 fingerprint: nil, claimed: true, confirmed: 3)])) == 1)
        #expect(try await store.liveSessionItems(token: "t").count == 1)
        let contacts = try await store.datastore(named: "contacts", user: carol)
        #expect(try await store.keysPendingFrom(datastore: contacts) == nil)
        _ = try await store.apply([ItemChange(.add, luid: "a", matchKeys: [MatchKey.IndexKey(storedForm: "n:adams|")!])], datastore: contacts,
                                  device: nil, deferringNewKeys: true)
        #expect(try await store.keysPendingFrom(datastore: contacts) != nil)
        let pending = try await store.withDatabase { db throws(StoreError) in
            try db.integer("SELECT count(*) FROM items WHERE fingerprint_pending IS NOT NULL")
        }
        #expect(pending == 1)
        // Version 13: the column an edit's fingerprint waits in, and the datastore's count of them.
        let waiting = try await store.withDatabase { db throws(StoreError) in
            try db.integer("SELECT count(*) + (SELECT sum(fingerprints_unindexed) FROM datastores) FROM items WHERE fingerprint_unindexed IS NOT NULL")
        }
        #expect(waiting == 0)
    }

    @Test("On SQLite, where one process serves a store, the user's lock is always granted")
    func userLockOnSQLite() async throws {
        let f = try await Fixture()
        #expect(try await f.store.tryLockUser(f.user))
        #expect(try await f.store.tryLockUser(f.user))
        try await f.store.unlockUser(f.user)
    }
}
