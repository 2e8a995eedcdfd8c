import Foundation
import SyncMLRecords
@testable import SyncMLStore
import Testing

@Suite("Store: match keys as 64-bit digests, kept once")
struct MatchKeyStorageTests {
    static let contact = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Jörg;;;\r\nEMAIL:jm@example.com\r\nTEL:+49 30 1234567\r\nEND:VCARD\r\n"
    /// The stored forms of `contact`'s keys (as stores before schema version 5 kept them).
    static let previousKeys = ["n:muller|jorg", "e:jm@example.com", "p:1234567", "ne:muller|jorg|jm@example.com", "np:muller|jorg|1234567"]

    /// `MatchKey.IndexKey.digest` of `previousKeys`: fixed forever, as stores keep them.
    static let previousDigests: [Int64] = [-3_414_251_258_808_923_383, 4_083_266_915_834_592_029, 3_172_810_441_923_478_498,
                                             3_849_280_865_643_141_640, 4_749_447_021_160_563_687]

    @Test("Each key is kept once, as its 64-bit digest: in the index and, as 8-byte words, in the journal row", arguments: StoreBackend.allCases)
    func storedDigests(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let signature = try RecordSignature(parsing: Array(Self.contact.utf8))
        #expect(signature.matchKey.indexKeys.map(\.storedForm) == Self.previousKeys)
        #expect(signature.matchKey.indexKeys.map(\.digest) == Self.previousDigests)
        let added = try await f.store.apply([ItemChange(.add, luid: "m", payload: Array(Self.contact.utf8), fingerprint: signature.fingerprint,
                                                        matchKeys: signature.matchKey.indexKeys)], datastore: f.contacts, device: f.phone)
        let (index, journal) = try await f.store.withDatabase { db throws(StoreError) in
            var index: [Int64] = []
            try db.forEach("SELECT key FROM match_keys ORDER BY key") { index.append($0.integer(0)) }
            return (index, try db.first("SELECT match_keys FROM journal") { $0.blob(0) })
        }
        #expect(index == Self.previousDigests.sorted())
        #expect(journal?.count == 8 * Self.previousDigests.count)
        #expect(try SyncStore.digests(journal) == Self.previousDigests)
        // Replaced, the item is indexed by the new keys only; restored from the journal, by the old ones again.
        _ = try await f.store.apply([change(.replace, luid: "m", card("Other"), keys: ["n:other|", "e:jm@example.com"])], datastore: f.contacts, device: f.phone)
        let guid = try #require(added[0].guid)
        #expect(try await f.store.indexedKeyDigests(guid: guid, datastore: f.contacts) == indexKeys(["n:other|", "e:jm@example.com"]).map(\.digest).sorted())
        #expect(try await f.store.rowCount("match_keys") == 2)
        let first = try #require(try await f.store.history(guid: guid, datastore: f.contacts).first)
        _ = try await f.store.restore(guid: guid, datastore: f.contacts, toVersion: first.sequence)
        #expect(try await f.store.indexedKeyDigests(guid: guid, datastore: f.contacts) == Self.previousDigests.sorted())
        // Deleted, it is indexed by nothing.
        _ = try await f.store.apply([change(.delete, luid: "m", "")], datastore: f.contacts, device: f.phone)
        #expect(try await f.store.rowCount("match_keys") == 0)
    }

    @Test("Keys sharing a digest only add a candidate: a lookup finds both items, and the index stays per item", arguments: StoreBackend.allCases)
    func sharedDigest(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let added = try await f.store.apply([change(.add, luid: "a", card("Adams"), keys: ["n:adams|"]),
                                             change(.add, luid: "b", card("Baker"), keys: ["n:baker|"])], datastore: f.contacts, device: f.phone)
        let (adams, baker) = (try #require(added[0].guid), try #require(added[1].guid))
        // A collision, made by hand: Baker is also indexed under the digest of Adams's key.
        _ = try await f.store.withDatabase { db throws(StoreError) in
            try db.run("INSERT INTO match_keys(datastore_id, key, item_id) SELECT datastore_id, ?, id FROM items WHERE guid = ?",
                       [.integer(indexKeys(["n:adams|"])[0].digest), .text(baker)])
        }
        #expect(try await f.store.items(matchingKeys: indexKeys(["n:adams|"]), datastore: f.contacts).map(\.guid) == [adams, baker].sorted())
        // Adams's next version takes its own entries away, not Baker's.
        _ = try await f.store.apply([change(.replace, luid: "a", card("Adams", "NOTE:x\r\n"), keys: ["n:adams|x"])], datastore: f.contacts, device: f.phone)
        #expect(try await f.store.items(matchingKeys: indexKeys(["n:adams|"]), datastore: f.contacts).map(\.guid) == [baker])
    }

    @Test("Migration 5: a store written with text keys is converted; matching, restore, undo and removal work on it")
    func migrationFromTextKeys() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("v4.sqlite")
        let codec = PayloadCodec(useDictionary: true)
        do {
            // What a version-4 build wrote: keys as text in the journal (U+001F-separated) and in match_keys.
            let db = try Database(path: path)
            try db.transaction { () throws(StoreError) in
                for case .sql(let sql) in Migrations.steps.prefix(4) { try db.execute(sql) }
                try db.execute("PRAGMA user_version = 4")
            }
            try db.execute("""
                INSERT INTO users(id, name, created) VALUES (1, 'alice', 0);
                INSERT INTO datastores(id, user_id, name) VALUES (1, 1, 'contacts');
                INSERT INTO devices(id, user_id, dev_id) VALUES (1, 1, 'phone');
                INSERT INTO sessions(id, device_id, started) VALUES (1, 1, 0), (2, 1, 0);
                INSERT INTO items(id, datastore_id, guid, type, fingerprint, deleted, version) VALUES
                    (1, 1, '1', 'text/vcard', x'\(Self.hex(card("Adams", "TEL:7654321\r\n")))', 0, 3),
                    (2, 1, '2', 'text/vcard', NULL, 1, 4);
                INSERT INTO match_keys(datastore_id, key, item_id) VALUES (1, 'n:adams|', 1), (1, 'p:7654321', 1);
                INSERT INTO maps(device_id, datastore_id, luid, item_id) VALUES (1, 1, 'a', 1);
                """)
            let versions: [(seq: Int, item: Int, op: Int, prev: Int, record: String?, keys: String?, session: Int)] = [
                (1, 1, 1, 0, card("Adams", "TEL:1234567\r\n"), "n:adams|\u{1F}p:1234567", 1),
                (2, 2, 1, 0, card("Baker", "EMAIL:b@example.com\r\n"), "n:baker|\u{1F}e:b@example.com", 1),
                (3, 1, 2, 1, card("Adams", "TEL:7654321\r\n"), "n:adams|\u{1F}p:7654321", 2),
                (4, 2, 3, 2, nil, nil, 2),
            ]
            for v in versions {
                let frame: SQLValue = try v.record.map { .blob(try codec.encode(Array($0.utf8))) } ?? .null
                try db.run("""
                    INSERT INTO journal(seq, datastore_id, item_id, op, prev_seq, fingerprint, match_keys, payload, time, device_id, session_id)
                    VALUES (?, 1, ?, ?, ?, ?, ?, ?, 0, 1, ?)
                    """, [.integer(Int64(v.seq)), .integer(Int64(v.item)), .integer(Int64(v.op)), .integer(Int64(v.prev)),
                          v.record.map { .blob(Fingerprint(of: Array($0.utf8)).bytes) } ?? .null, v.keys.map { .text($0) } ?? .null,
                          frame, .integer(Int64(v.session))])
            }
        }
        let store = try SyncStore(path: path)
        let contacts = DatastoreID(rawValue: 1)
        let (version, textKeys, textJournal) = try await store.withDatabase { db throws(StoreError) in
            (try db.userVersion(), try db.integer("SELECT count(*) FROM match_keys WHERE typeof(key) <> 'integer'"),
             try db.integer("SELECT count(*) FROM journal WHERE typeof(match_keys) NOT IN ('blob', 'null')"))
        }
        #expect(version == Migrations.latest && textKeys == 0 && textJournal == 0)
        #expect(try await store.integrityCheck() == ["ok"])
        func found(_ key: String) async throws -> [String] {
            try await store.items(matchingKeys: indexKeys([key]), datastore: contacts).map(\.guid)
        }
        // Matching: the current version's keys, not the old version's, not a deleted item's.
        #expect(try await found("p:7654321") == ["1"])
        #expect(try await found("p:1234567") == [])
        #expect(try await found("e:b@example.com") == [])
        #expect(try await store.indexedKeyDigests(guid: "1", datastore: contacts) == indexKeys(["n:adams|", "p:7654321"]).map(\.digest).sorted())
        // Undo of session 2 brings Baker back, indexed by its converted keys, and Adams's first version.
        let undone = try await store.undo(session: SessionID(rawValue: 2))
        #expect(undone.reverted.count == 2 && undone.skipped.isEmpty)
        #expect(try await found("e:b@example.com") == ["2"])
        #expect(try await found("p:1234567") == ["1"])
        #expect(try await found("p:7654321") == [])
        // Restore of Adams's second version, and a new version from the phone, keep the index in step.
        _ = try await store.restore(guid: "1", datastore: contacts, toVersion: 3)
        #expect(try await found("p:7654321") == ["1"])
        #expect(try await found("p:1234567") == [])
        let phone = DeviceID(rawValue: 1)
        _ = try await store.apply([change(.replace, luid: "a", card("Adams", "TEL:5550000\r\n"), keys: ["n:adams|", "p:5550000"])],
                                  datastore: contacts, device: phone)
        #expect(try await found("p:5550000") == ["1"])
        #expect(try await found("p:7654321") == [])
        #expect(try await store.payload(guid: "1", datastore: contacts) == Array(card("Adams", "TEL:5550000\r\n").utf8))
        // Removing the user takes the index rows with the records.
        try await store.removeUser(named: "alice", deletingData: true)
        #expect(try await store.rowCount("match_keys") == 0)
        #expect(try await store.integrityCheck() == ["ok"])
    }

    static func hex(_ record: String) -> String {
        Fingerprint(of: Array(record.utf8)).bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test("A stored key or fingerprint that does not read back is a corrupt-row error", arguments: StoreBackend.allCases)
    func corruptRows(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let guid = try #require(try await f.store.apply([change(.add, luid: "a", card("Adams"), keys: ["n:adams|"])],
                                                        datastore: f.contacts, device: f.phone)[0].guid)
        let session = try await f.store.beginSession(device: f.phone)
        _ = try await f.store.apply([change(.replace, luid: "a", card("Adams", "NOTE:x\r\n"))], datastore: f.contacts, device: f.phone, session: session)
        _ = try await f.store.withDatabase { db throws(StoreError) in
            // Seven bytes: text on SQLite, a blob of no whole digest on PostgreSQL (bytea); neither reads back.
            try db.run("UPDATE journal SET match_keys = 'adams|x' WHERE op = 1")
        }
        // Undo reads the version before the session back, keys included: refused, and nothing written.
        await #expect { try await f.store.undo(session: session) } throws: { ($0 as? StoreError)?.kind == .corruptRow }
        #expect(try await f.store.sessionState(session) == .active)
        #expect(try await f.store.history(guid: guid, datastore: f.contacts).count == 2)
        _ = try await f.store.withDatabase { db throws(StoreError) in
            // Both columns: the edit's fingerprint waits out of the index (`fingerprint_unindexed`).
            try db.run("UPDATE items SET fingerprint = ?, fingerprint_unindexed = ? WHERE guid = ?", [.blob([1, 2]), .blob([1, 2]), .text(guid)])
        }
        await #expect { try await f.store.item(guid: guid, datastore: f.contacts) } throws: { ($0 as? StoreError)?.kind == .corruptRow }
    }
}
