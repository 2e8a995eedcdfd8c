import Foundation
import SyncMLRecords
@testable import SyncMLStore
import Testing

@Suite("Store: merging duplicates (session of kind dedupe)")
struct DedupeStoreTests {
    static let anna = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Schmidt;Anna;;;\r\nFN:Anna Schmidt\r\nTEL;TYPE=CELL:+49 171 5550101\r\nEMAIL:anna@example.de\r\nNOTE:Met at the fair\r\nEND:VCARD\r\n"
    static let annaCopy = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Schmidt;Anna\r\nTEL;CELL:0171/5550101\r\nEMAIL;INTERNET:ANNA@example.de\r\nTITLE:Buyer\r\nEND:VCARD\r\n"
    static let bob = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Novak;Bob;;;\r\nFN:Bob Novak\r\nEMAIL:bob@example.de\r\nEND:VCARD\r\n"

    /// A store with Anna twice and Bob, synced by a phone (its LUIDs mapped): the store, its datastore, the phone.
    static func store(_ backend: StoreBackend) async throws -> (SyncStore, DatastoreID, DeviceID)? {
        guard let store = try await TestStores.make(backend) else { return nil }
        let user = try await store.user(named: "u")
        let datastore = try await store.datastore(named: "contacts", user: user)
        let phone = try await store.device(devID: "phone", user: user)
        let session = try await store.beginSession(device: phone)
        let changes = try [("p1", anna), ("p2", annaCopy), ("p3", bob)].map { luid, text in
            let signature = try RecordSignature(parsing: Array(text.utf8))
            return ItemChange(.add, luid: luid, type: text.contains("2.1") ? "text/x-vcard" : "text/vcard", payload: Array(text.utf8),
                              fingerprint: signature.fingerprint, matchKeys: signature.matchKey.indexKeys)
        }
        _ = try await store.apply(changes, datastore: datastore, device: phone, session: session)
        try await store.endSession(session)
        try await store.acknowledge(phone, datastore: datastore, through: try await store.lastSequence(datastore: datastore))
        return (store, datastore, phone)
    }

    static func proposals(_ store: SyncStore, _ datastore: DatastoreID) async throws -> (StoredRecords, [DuplicateProposal]) {
        let stored = try await store.duplicateRecords(datastore: datastore)
        let byID = Dictionary(uniqueKeysWithValues: stored.records.map { ($0.id, $0) })
        let groups = DuplicateFinder.find(stored.records.map(\.candidate)).groups
        return (stored, try groups.map { try DuplicateMerger.propose($0, records: byID) })
    }

    @Test("A merge is one session of kind dedupe: the survivor replaced, the others deleted; the phone gets a Replace and a Delete; undo brings both back", arguments: StoreBackend.allCases)
    func mergeAndUndo(_ backend: StoreBackend) async throws {
        guard let (store, datastore, phone) = try await Self.store(backend) else { return }
        let (stored, proposals) = try await Self.proposals(store, datastore)
        #expect(stored.records.count == 3)
        let proposal = try #require(proposals.first)
        #expect(proposals.count == 1)
        #expect(Set(proposal.group.members) == ["1", "2"])
        let merge = try DedupeMerge(proposal, datastore: datastore, storedType: stored.types[proposal.survivor]!)
        let result = try await store.applyDedupe([merge])
        let session = try #require(result.session)
        #expect(result.merged == [proposal.survivor])
        #expect(result.deleted == 1)
        #expect(try await store.sessions().first { $0.id == session }?.kind == "dedupe")
        #expect(try await store.liveCount(datastore: datastore) == 2)
        let survivor = try #require(try await store.payload(guid: proposal.survivor, datastore: datastore))
        let text = String(decoding: survivor, as: UTF8.self)
        #expect(text.contains("Buyer") && text.contains("Met at the fair"), "the merge holds both records' values")
        #expect(try await store.items(matching: RecordSignature(parsing: survivor).matchKey, datastore: datastore).map(\.guid) == [proposal.survivor])

        let toPhone = try await store.changes(for: phone, datastore: datastore)
        #expect(Set(toPhone.changes.map { "\($0.operation) \($0.luid ?? "-")" }) == ["replace p\(proposal.survivor)", "delete p\(proposal.group.members.first { $0 != proposal.survivor }!)"])

        let undo = try await store.undo(session: SessionID(rawValue: session.rawValue))
        #expect(undo.reverted.count == 2)
        #expect(try await store.liveCount(datastore: datastore) == 3)
        let restored = try await store.duplicateRecords(datastore: datastore)
        #expect(Set(restored.records.map { RecordSignature($0.record).fingerprint }) == Set(stored.records.map { RecordSignature($0.record).fingerprint }))
    }

    @Test("A group whose record changed (or went) since the review is left alone, and nothing is written when no group is left", arguments: StoreBackend.allCases)
    func staleGroupsAreSkipped(_ backend: StoreBackend) async throws {
        guard let (store, datastore, phone) = try await Self.store(backend) else { return }
        let (stored, proposals) = try await Self.proposals(store, datastore)
        let proposal = try #require(proposals.first)
        let merge = try DedupeMerge(proposal, datastore: datastore, storedType: stored.types[proposal.survivor]!)
        // The phone edits one of the two before the merge is applied.
        let edited = Self.annaCopy.replacingOccurrences(of: "Buyer", with: "Head buyer")
        let signature = try RecordSignature(parsing: Array(edited.utf8))
        _ = try await store.apply([ItemChange(.replace, luid: "p2", payload: Array(edited.utf8), fingerprint: signature.fingerprint,
                                              matchKeys: signature.matchKey.indexKeys)], datastore: datastore, device: phone)
        let journal = try await store.rowCount("journal")
        let sessions = try await store.rowCount("sessions")
        let result = try await store.applyDedupe([merge])
        #expect(result.session == nil)
        #expect(result.merged.isEmpty)
        #expect(result.skipped[proposal.survivor]?.contains("changed since the review") == true)
        #expect(try await store.rowCount("journal") == journal)
        #expect(try await store.rowCount("sessions") == sessions)

        // Two groups naming one item: the second is refused.
        var twice = merge
        twice.reviewed = try await Dictionary(uniqueKeysWithValues: proposal.group.members.asyncMap { ($0, try await store.item(guid: $0, datastore: datastore)!.fingerprint!) })
        let again = try await store.applyDedupe([twice, twice])
        #expect(again.merged.count == 1)
        #expect(again.skipped.values.first?.contains("in another group") == true)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
