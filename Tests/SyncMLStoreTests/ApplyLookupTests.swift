import Foundation
import SyncMLRecords
@testable import SyncMLStore
import Testing

@Suite("Store: apply with and without the caller's lookup")
struct ApplyLookupTests {
    /// An add as the server writes one it matched to nothing, with or without saying so.
    func add(_ luid: String, _ name: String, lookup: ItemChange.Lookup?) -> ItemChange {
        var change = change(.add, luid: luid, card(name), keys: ["n:\(name.lowercased())|"])
        change.lookup = lookup
        return change
    }

    @Test("An add marked absent is written as one looked up: same item, journal row, keys and map, one statement fewer", arguments: StoreBackend.allCases)
    func absentSparesTheLookup(_ backend: StoreBackend) async throws {
        guard let looked = try await Fixture(backend), let trusted = try await Fixture(backend) else { return }
        let before = (await looked.store.statementsRun, await trusted.store.statementsRun)
        let a = try await looked.store.apply([add("a", "Adams", lookup: nil)], datastore: looked.contacts, device: looked.phone)
        let b = try await trusted.store.apply([add("a", "Adams", lookup: .absent)], datastore: trusted.contacts, device: trusted.phone)
        #expect(a == b && a[0].outcome == .added)
        #expect(await looked.store.statementsRun - before.0 == (await trusted.store.statementsRun) - before.1 + 1)
        for f in [looked, trusted] {
            let guid = try #require(a[0].guid)
            #expect(try await f.store.guid(forLUID: "a", device: f.phone, datastore: f.contacts) == guid)
            #expect(try await f.store.items(matchingKeys: indexKeys(["n:adams|"]), datastore: f.contacts).map(\.guid) == [guid])
            #expect(try await f.store.history(guid: guid, datastore: f.contacts).count == 1)
        }
    }

    @Test("Without a lookup, apply finds the item itself: an add of a mapped LUID replaces that item", arguments: StoreBackend.allCases)
    func withoutLookupResolvesTheLUID(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let first = try await f.store.apply([add("a", "Adams", lookup: nil)], datastore: f.contacts, device: f.phone)
        let again = try await f.store.apply([add("a", "Baker", lookup: nil)], datastore: f.contacts, device: f.phone)
        #expect(again[0].outcome == .replaced && again[0].guid == first[0].guid)
        #expect(try await f.store.liveCount(datastore: f.contacts) == 1)
        // Adams's key went with its version; Baker's came.
        #expect(try await f.store.items(matchingKeys: indexKeys(["n:adams|"]), datastore: f.contacts).isEmpty)
        #expect(try await f.store.items(matchingKeys: indexKeys(["n:baker|"]), datastore: f.contacts).map(\.guid) == [first[0].guid!])
    }

    @Test("An add marked absent still meets the store's checks: a GUID that exists is refused and the batch rolls back", arguments: StoreBackend.allCases)
    func absentWithAnExistingGUIDIsRefused(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let guid = try #require(try await f.store.apply([add("a", "Adams", lookup: nil)], datastore: f.contacts, device: f.phone)[0].guid)
        var wrong = change(.add, guid: guid, card("Adams", "NOTE:x\r\n"))
        wrong.lookup = .absent
        await #expect(throws: StoreError.self) {
            try await f.store.apply([add("b", "Baker", lookup: .absent), wrong], datastore: f.contacts, device: f.phone)
        }
        #expect(try await f.store.rowCount("items") == 1)
        #expect(try await f.store.rowCount("journal") == 1)
        #expect(try await f.store.guid(forLUID: "b", device: f.phone, datastore: f.contacts) == nil)
        #expect(try await f.store.integrityCheck() == ["ok"])
    }

    @Test("An add marked absent that equals a live item the device has no LUID for is still paired with it", arguments: StoreBackend.allCases)
    func absentStillFindsTheTwin(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let laptops = try await f.store.apply([add("l", "Adams", lookup: nil)], datastore: f.contacts, device: f.laptop)
        let phones = try await f.store.apply([add("p", "Adams", lookup: .absent)], datastore: f.contacts, device: f.phone)
        #expect(phones[0].outcome == .unchanged && phones[0].guid == laptops[0].guid)
    }
}
