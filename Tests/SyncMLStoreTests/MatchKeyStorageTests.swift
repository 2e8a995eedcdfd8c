import Foundation
import SyncMLRecords
@testable import SyncMLStore
import Testing

@Suite("Store: match keys as the records layer encodes them")
struct MatchKeyStorageTests {
    static let contact = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Jörg;;;\r\nEMAIL:jm@example.com\r\nTEL:+49 30 1234567\r\nEND:VCARD\r\n"
    /// The bytes stores written before the encoding moved to SyncMLRecords hold for `contact`.
    static let previousKeys = ["n:muller|jorg", "e:jm@example.com", "p:1234567", "ne:muller|jorg|jm@example.com", "np:muller|jorg|1234567"]

    @Test("The index and the journal hold the stored forms, byte for byte as before")
    func storedBytes() async throws {
        let f = try await Fixture()
        let signature = try RecordSignature(parsing: Array(Self.contact.utf8))
        let added = try await f.store.apply([ItemChange(.add, luid: "m", payload: Array(Self.contact.utf8), fingerprint: signature.fingerprint,
                                                        matchKeys: signature.matchKey.indexKeys)], datastore: f.contacts, device: f.phone)
        let (index, journal) = try await f.store.withDatabase { db throws(StoreError) in
            var index: [String] = []
            try db.forEach("SELECT key FROM match_keys ORDER BY key") { index.append($0.text(0)) }
            return (index, try db.first("SELECT match_keys FROM journal") { $0.text(0) })
        }
        #expect(index == Self.previousKeys.sorted())
        #expect(journal == Self.previousKeys.joined(separator: "\u{1F}"))
        // Restored from the journal, the keys are written back as they were.
        _ = try await f.store.apply([change(.replace, luid: "m", card("Other"), keys: ["n:other|"])], datastore: f.contacts, device: f.phone)
        let guid = try #require(added[0].guid)
        let first = try #require(try await f.store.history(guid: guid, datastore: f.contacts).first)
        _ = try await f.store.restore(guid: guid, datastore: f.contacts, toVersion: first.sequence)
        #expect(try await f.store.matchKeys(guid: guid, datastore: f.contacts).map(\.storedForm) == Self.previousKeys.sorted())
    }

    @Test("A stored key or fingerprint that does not read back is a corrupt-row error")
    func corruptRows() async throws {
        let f = try await Fixture()
        let guid = try #require(try await f.store.apply([change(.add, luid: "a", card("Adams"), keys: ["n:adams|"])],
                                                        datastore: f.contacts, device: f.phone)[0].guid)
        let session = try await f.store.beginSession(device: f.phone)
        _ = try await f.store.apply([change(.replace, luid: "a", card("Adams", "NOTE:x\r\n"))], datastore: f.contacts, device: f.phone, session: session)
        _ = try await f.store.withDatabase { db throws(StoreError) in
            try db.run("UPDATE journal SET match_keys = 'adams' WHERE op = 1")
        }
        // Undo reads the version before the session back, keys included: refused, and nothing written.
        await #expect { try await f.store.undo(session: session) } throws: { ($0 as? StoreError)?.kind == .corruptRow }
        #expect(try await f.store.sessionState(session) == .active)
        #expect(try await f.store.history(guid: guid, datastore: f.contacts).count == 2)
        _ = try await f.store.withDatabase { db throws(StoreError) in
            try db.run("UPDATE items SET fingerprint = x'0102' WHERE guid = ?", [.text(guid)])
        }
        await #expect { try await f.store.item(guid: guid, datastore: f.contacts) } throws: { ($0 as? StoreError)?.kind == .corruptRow }
    }
}
