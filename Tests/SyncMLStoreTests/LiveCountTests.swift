import Foundation
import SyncMLRecords
import Testing
@testable import SyncMLStore

/// `liveCount(datastore:asOf:)`: what a session weighs deletes against, counted
/// only when it needs the number, must be the number when it noted the sequence.
@Suite("Store: live items as of a journal sequence")
struct LiveCountTests {
    static func change(_ operation: ChangeOperation, luid: String? = nil, guid: String? = nil, _ text: String = "") -> ItemChange {
        let bytes = Array(text.utf8)
        return ItemChange(operation, luid: luid, guid: guid, payload: bytes, fingerprint: operation == .delete ? nil : Fingerprint(of: bytes))
    }

    @Test("the count as of a sequence is the count then, whatever was added, replaced, deleted or revived since, by any device")
    func countAsOfASequence() async throws {
        let fixture = try await Fixture()
        let (store, contacts) = (fixture.store, fixture.contacts)
        #expect(try await store.liveCount(datastore: contacts, asOf: 0) == 0)
        let added = try await store.apply((0..<6).map { Self.change(.add, luid: "a\($0)", "version 1 of \($0)") }, datastore: contacts, device: fixture.phone)
        _ = try await store.apply([Self.change(.delete, luid: "a5")], datastore: contacts, device: fixture.phone)
        let fifth = try #require(added[5].guid)
        let mark = try await store.lastSequence(datastore: contacts)
        #expect(try await store.liveCount(datastore: contacts) == 5)

        // After the mark: two adds (one deleted again), a replace, two deletes, a revival of what was deleted before the mark.
        _ = try await store.apply([Self.change(.add, luid: "b0", "new 0"), Self.change(.add, luid: "b1", "new 1"),
                                   Self.change(.replace, luid: "a0", "version 2 of 0"), Self.change(.delete, luid: "a1"),
                                   Self.change(.delete, luid: "a2")], datastore: contacts, device: fixture.phone)
        _ = try await store.apply([Self.change(.delete, luid: "b1")], datastore: contacts, device: fixture.phone)
        _ = try await store.apply([Self.change(.replace, guid: fifth, "revived 5")], datastore: contacts, device: fixture.laptop)
        #expect(try await store.liveCount(datastore: contacts) == 5 + 2 - 2 - 1 + 1)
        #expect(try await store.item(guid: fifth, datastore: contacts)?.deleted == false)
        #expect(try await store.liveCount(datastore: contacts, asOf: mark) == 5)
        #expect(try await store.liveCount(datastore: contacts, asOf: try await store.lastSequence(datastore: contacts)) == 5)
        #expect(try await store.liveCount(datastore: contacts, asOf: 0) == 0)
    }
}
