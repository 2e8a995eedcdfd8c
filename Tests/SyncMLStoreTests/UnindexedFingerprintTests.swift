import Foundation
import SyncMLRecords
@testable import SyncMLStore
import Testing

/// An edit leaves `items_fingerprint` as it was: the new fingerprint waits in
/// `items.fingerprint_unindexed`, where every lookup still finds it, until a
/// catch-up moves it into the index (past a limit, and at compaction).
@Suite("Store: an edit's fingerprint waits out of the fingerprint index, and every lookup finds it")
struct UnindexedFingerprintTests {
    /// A contact named `name`, as the engine hands it in.
    static func contact(_ operation: ChangeOperation, luid: String, name: String) throws -> ItemChange {
        let bytes = Array("BEGIN:VCARD\r\nVERSION:3.0\r\nN:\(name);Ann\r\nFN:Ann \(name)\r\nTEL:+49 30 1234\r\nEND:VCARD\r\n".utf8)
        let signature = try RecordSignature(parsing: bytes)
        return ItemChange(operation, luid: luid, payload: bytes, fingerprint: signature.fingerprint, matchKeys: signature.matchKey.indexKeys)
    }

    /// Item `guid`'s two fingerprint columns as stored: the indexed one and the waiting one.
    static func columns(_ store: SyncStore, guid: String) async throws -> (indexed: [UInt8]?, waiting: [UInt8]?) {
        try await store.withDatabase { db throws(StoreError) in
            try db.first("SELECT fingerprint, fingerprint_unindexed FROM items WHERE guid = ?", [.text(guid)]) { row in
                (row.optionalBlob(0), row.optionalBlob(1))
            } ?? (nil, nil)
        }
    }

    static func waiting(_ store: SyncStore) async throws -> (rows: Int, counted: Int) {
        try await store.withDatabase { db throws(StoreError) in
            (Int(try db.integer("SELECT count(*) FROM items WHERE fingerprint_unindexed IS NOT NULL") ?? -1),
             Int(try db.integer("SELECT sum(fingerprints_unindexed) FROM datastores") ?? -1))
        }
    }

    /// Every way the store looks an item up by fingerprint, from the laptop (which has no LUID for it).
    static func found(_ f: Fixture, _ fingerprint: Fingerprint) async throws -> [String] {
        let byFingerprint = try await f.store.items(withFingerprint: fingerprint, datastore: f.contacts).map(\.guid)
        let twins = try await f.store.resolve([IncomingKey(luid: "probe", fingerprint: fingerprint)], datastore: f.contacts, device: f.laptop)
        #expect(twins[0].twins.map(\.item.guid) == byFingerprint)
        return byFingerprint
    }

    @Test("An edit keeps the indexed fingerprint and writes the new one beside it; lookups find the new, not the old; an edit back or a delete clears it",
          arguments: StoreBackend.allCases)
    func editWaits(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let first = try Self.contact(.add, luid: "1", name: "Berg")
        _ = try await f.store.apply([first, try Self.contact(.add, luid: "2", name: "Cole")], datastore: f.contacts, device: f.phone)
        let guid = try #require(try await f.store.guid(forLUID: "1", device: f.phone, datastore: f.contacts))
        let old = try #require(first.fingerprint)

        let edit = try Self.contact(.replace, luid: "1", name: "Bergman")
        let new = try #require(edit.fingerprint)
        #expect(try await f.store.apply([edit], datastore: f.contacts, device: f.phone)[0].outcome == .replaced)
        let stored = try await Self.columns(f.store, guid: guid)
        #expect(stored.indexed == old.bytes)
        #expect(stored.waiting == new.bytes)
        #expect(try await f.store.item(guid: guid, datastore: f.contacts)?.fingerprint == new)
        #expect(try await Self.found(f, new) == [guid])
        #expect(try await Self.found(f, old).isEmpty)
        #expect(try await Self.waiting(f.store) == (1, 1))

        // The laptop adding the same record gets that item, not a second one (apply's own twin check).
        var same = edit
        (same.operation, same.luid) = (.add, "laptop-1")
        let applied = try await f.store.apply([same], datastore: f.contacts, device: f.laptop)
        #expect(applied[0].outcome == .unchanged)
        #expect(applied[0].guid == guid)

        // The same fingerprint again is no change; back to the indexed one, nothing waits.
        #expect(try await f.store.apply([edit], datastore: f.contacts, device: f.phone)[0].outcome == .unchanged)
        _ = try await f.store.apply([try Self.contact(.replace, luid: "1", name: "Berg")], datastore: f.contacts, device: f.phone)
        #expect(try await Self.columns(f.store, guid: guid).waiting == nil)
        #expect(try await Self.found(f, old) == [guid])
        #expect(try await Self.found(f, new).isEmpty)

        _ = try await f.store.apply([edit], datastore: f.contacts, device: f.phone)
        _ = try await f.store.apply([ItemChange(.delete, luid: "1")], datastore: f.contacts, device: f.phone)
        let deleted = try await Self.columns(f.store, guid: guid)
        #expect(deleted.indexed == nil && deleted.waiting == nil)
        #expect(try await Self.found(f, new).isEmpty)
        #expect(try await Self.found(f, old).isEmpty)
    }

    @Test("The catch-up moves every waiting fingerprint into the index: past the limit in the batch that passes it, and at compaction",
          arguments: StoreBackend.allCases)
    func catchUp(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let names = ["Berg", "Cole", "Dahl", "Eng"]
        _ = try await f.store.apply(try names.enumerated().map { try Self.contact(.add, luid: "\($0)", name: $1) }, datastore: f.contacts, device: f.phone)
        let edits = try names.enumerated().map { try Self.contact(.replace, luid: "\($0)", name: $1 + "sen") }
        await f.store.setUnindexedFingerprintLimit(2)
        // Up to the limit the count grows; the batch that passes it indexes everything waiting.
        _ = try await f.store.apply(Array(edits.prefix(2)), datastore: f.contacts, device: f.phone)
        #expect(try await Self.waiting(f.store) == (2, 2))
        _ = try await f.store.apply([edits[2]], datastore: f.contacts, device: f.phone)
        #expect(try await Self.waiting(f.store) == (0, 0))
        await f.store.setUnindexedFingerprintLimit(SyncStore.unindexedFingerprintLimit)
        for edit in edits.prefix(3) {
            let guid = try #require(try await f.store.guid(forLUID: edit.luid!, device: f.phone, datastore: f.contacts))
            #expect(try await Self.columns(f.store, guid: guid) == (edit.fingerprint?.bytes, nil))
            #expect(try await Self.found(f, edit.fingerprint!) == [guid])
        }

        _ = try await f.store.apply([edits[3]], datastore: f.contacts, device: f.phone)
        #expect(try await Self.waiting(f.store) == (1, 1))
        _ = try await f.store.compact(datastore: f.contacts)
        #expect(try await Self.waiting(f.store) == (0, 0))
        #expect(try await Self.found(f, edits[3].fingerprint!).count == 1)
    }

    @Test("Migration 13: a version-12 store's items keep their fingerprints, and the waiting ones are looked up through their own index")
    func migrationThirteen() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("v12.sqlite")
        let fingerprint = Fingerprint(of: Array("BEGIN:VCARD\r\nFN:Old\r\nEND:VCARD\r\n".utf8))
        try DeferredKeyTests.makeStore(at: path, version: 12) { db throws(StoreError) in
            try db.run("INSERT INTO items(id, datastore_id, guid, type, fingerprint, version) VALUES (1, 1, '1', 'text/vcard', ?, 0)",
                       [.blob(fingerprint.bytes)])
        }
        let store = try SyncStore(path: path)
        #expect(try await store.withDatabase { db throws(StoreError) in try db.userVersion() } == Migrations.latest)
        #expect(try await store.items(withFingerprint: fingerprint, datastore: DatastoreID(rawValue: 1)).map(\.guid) == ["1"])
        #expect(try await Self.waiting(store) == (0, 0))
        let plan = try await store.queryPlan("SELECT id FROM items WHERE datastore_id = 1 AND fingerprint_unindexed = x'00' AND deleted = 0")
        #expect(plan.contains("items_fingerprint_unindexed"))
    }
}
