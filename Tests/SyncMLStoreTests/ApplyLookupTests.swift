import Foundation
import SyncMLRecords
@testable import SyncMLStore
import Testing

@Suite("Store: apply with the lookup resolve made")
struct ApplyLookupTests {
    /// An add of a contact with two match keys.
    func add(_ luid: String, _ name: String, _ extra: String = "") -> ItemChange {
        change(.add, luid: luid, card(name, extra), keys: ["n:\(name.lowercased())|", "e:\(name.lowercased())\(extra.count)@example.com"])
    }

    /// `change` carrying the lookup `resolve` makes for it now.
    func resolved(_ change: ItemChange, in f: Fixture, device: DeviceID? = nil) async throws -> ItemChange {
        var change = change
        let key = IncomingKey(luid: change.luid, guid: change.guid, fingerprint: change.fingerprint)
        let lookup = try #require(try await f.store.resolve([key], datastore: f.contacts, device: device ?? f.phone)[0].lookup as ItemChange.Lookup?)
        change.lookup = lookup
        return change
    }

    /// Statements `body` runs on the store.
    func statements(_ f: Fixture, _ body: () async throws -> Void) async throws -> Int {
        let before = await f.store.statementsRun
        try await body()
        return await f.store.statementsRun - before
    }

    @Test("A new item with its lookup costs its item row, its journal row, one INSERT of its keys and one of its map, and no SELECT: 4 statements for 2 keys, 7 without the lookup (its LUID SELECT, the check for deferred fingerprints, its twin SELECT)")
    func newItemWritesOnly() async throws {
        let (looked, trusted) = (try await Fixture(), try await Fixture())
        var a: [AppliedChange] = [], b: [AppliedChange] = []
        let plain = try await statements(looked) { a = try await looked.store.apply([add("a", "Adams")], datastore: looked.contacts, device: looked.phone) }
        let change = try await resolved(add("a", "Adams"), in: trusted)
        let hinted = try await statements(trusted) { b = try await trusted.store.apply([change], datastore: trusted.contacts, device: trusted.phone) }
        #expect(hinted == 4 && plain == 7)
        #expect(a == b && a[0].outcome == .added)
        for f in [looked, trusted] {
            let guid = try #require(a[0].guid)
            #expect(try await f.store.guid(forLUID: "a", device: f.phone, datastore: f.contacts) == guid)
            #expect(try await f.store.indexedKeyDigests(guid: guid, datastore: f.contacts) == indexKeys(["n:adams|", "e:adams0@example.com"]).map(\.digest).sorted())
            let history = try await f.store.history(guid: guid, datastore: f.contacts)
            #expect(history.map(\.sequence) == [a[0].sequence!] && history[0].device == f.phone)
            #expect(try await f.store.item(guid: guid, datastore: f.contacts)?.version == a[0].sequence)
            #expect(try await f.store.integrityCheck() == ["ok"])
        }
    }

    @Test("A batch of 100 new contacts with their lookups: 2 statements each, and the keys and maps of all of them in 64-row INSERTs (6 statements)")
    func newItemsShareKeyAndMapStatements() async throws {
        let f = try await Fixture()
        var changes: [ItemChange] = []
        for index in 0..<100 { changes.append(try await resolved(add("l\(index)", "Name\(index)"), in: f)) }
        var results: [AppliedChange] = []
        let count = try await statements(f) { results = try await f.store.apply(changes, datastore: f.contacts, device: f.phone) }
        #expect(count == 2 * 100 + 4 + 2)
        #expect(results.allSatisfy { $0.outcome == .added })
        #expect(try await f.store.rowCount("match_keys") == 200)
        #expect(try await f.store.rowCount("maps") == 100)
        let last = try #require(results.last?.guid)
        #expect(try await f.store.guid(forLUID: "l99", device: f.phone, datastore: f.contacts) == last)
        #expect(try await f.store.items(matchingKeys: indexKeys(["e:name990@example.com"]), datastore: f.contacts).map(\.guid) == [last])
    }

    @Test("A change to a known item with its lookup costs its version, its journal row, one DELETE of the keys gone, one INSERT of the new and the batch's count of fingerprints waiting out of their index: 5 statements, 8 without")
    func knownItemWritesOnly() async throws {
        let (looked, trusted) = (try await Fixture(), try await Fixture())
        for f in [looked, trusted] { _ = try await f.store.apply([add("a", "Adams")], datastore: f.contacts, device: f.phone) }
        // Both keys change (name and e-mail).
        let edit = add("a", "Baker", "NOTE:x\r\n")
        var a: [AppliedChange] = [], b: [AppliedChange] = []
        let plain = try await statements(looked) { a = try await looked.store.apply([edit], datastore: looked.contacts, device: looked.phone) }
        let change = try await resolved(edit, in: trusted)
        let hinted = try await statements(trusted) { b = try await trusted.store.apply([change], datastore: trusted.contacts, device: trusted.phone) }
        #expect(hinted == 5 && plain == 8)
        #expect(a == b && a[0].outcome == .replaced)
        for f in [looked, trusted] {
            let guid = try #require(a[0].guid)
            #expect(try await f.store.indexedKeyDigests(guid: guid, datastore: f.contacts) == edit.matchKeys.map(\.digest).sorted())
            #expect(try await f.store.history(guid: guid, datastore: f.contacts).count == 2)
            #expect(try await f.store.payload(guid: guid, datastore: f.contacts) == edit.payload)
        }
        // The same record again is an echo: with its lookup, no statement at all.
        let again = try await resolved(edit, in: trusted)
        var echoed: [AppliedChange] = []
        let echo = try await statements(trusted) { echoed = try await trusted.store.apply([again], datastore: trusted.contacts, device: trusted.phone) }
        #expect(echo == 0 && echoed[0].outcome == .unchanged)
    }

    @Test("A lookup made for another LUID, device or store is refused, and the batch rolls back")
    func foreignLookupIsRefused() async throws {
        let f = try await Fixture(), other = try await Fixture()
        var wrongLUID = add("b", "Baker")
        wrongLUID.lookup = try await resolved(add("a", "Adams"), in: f).lookup
        let wrongDevice = try await resolved(add("c", "Clark"), in: f, device: f.laptop)
        var wrongStore = add("d", "Davis")
        wrongStore.lookup = try await resolved(add("d", "Davis"), in: other).lookup
        for wrong in [wrongLUID, wrongDevice, wrongStore] {
            let fine = try await resolved(add("z", "Zorn"), in: f)
            await #expect { try await f.store.apply([fine, wrong], datastore: f.contacts, device: f.phone) } throws: { error in
                (error as? StoreError)?.kind == .invalidArgument
            }
        }
        #expect(try await f.store.rowCount("items") == 0)
        #expect(try await f.store.rowCount("maps") == 0)
    }

    @Test("A lookup gone stale is not trusted: an add whose LUID was mapped since is a replace of that item, not a second item")
    func staleAbsentLooksAgain() async throws {
        let f = try await Fixture()
        let stale = try await resolved(add("a", "Baker"), in: f)
        let first = try await f.store.apply([add("a", "Adams")], datastore: f.contacts, device: f.phone)
        let again = try await f.store.apply([stale], datastore: f.contacts, device: f.phone)
        #expect(again[0].outcome == .replaced && again[0].guid == first[0].guid)
        #expect(try await f.store.rowCount("items") == 1)
    }

    @Test("In one batch, a second change of the same LUID looks again: one item, two versions")
    func sameLUIDTwiceInABatch() async throws {
        let f = try await Fixture()
        let one = try await resolved(add("a", "Adams"), in: f), two = try await resolved(add("a", "Baker"), in: f)
        let results = try await f.store.apply([one, two], datastore: f.contacts, device: f.phone)
        #expect(results.map(\.outcome) == [.added, .replaced] && results[0].guid == results[1].guid)
        #expect(try await f.store.rowCount("items") == 1)
        #expect(try await f.store.items(matchingKeys: indexKeys(["n:adams|"]), datastore: f.contacts).isEmpty)
    }

    @Test("An add naming a GUID is looked up again despite its lookup: a GUID deleted when resolved is revived, not doubled")
    func namedGUIDLooksAgain() async throws {
        let f = try await Fixture()
        let guid = try #require(try await f.store.apply([add("a", "Adams")], datastore: f.contacts, device: f.phone)[0].guid)
        _ = try await f.store.apply([change(.delete, guid: guid, "")], datastore: f.contacts, device: f.laptop)
        let named = try await resolved(change(.add, luid: "n", guid: guid, card("Adams", "NOTE:x\r\n")), in: f)
        let result = try await f.store.apply([named], datastore: f.contacts, device: f.phone)
        #expect(result[0].outcome == .added && result[0].guid == guid)
        #expect(try await f.store.rowCount("items") == 1)
        #expect(try await f.store.integrityCheck() == ["ok"])
    }

    @Test("An add whose lookup found nothing, equal to a live item another device added since, is still paired with it")
    func staleAbsentStillFindsTheTwin() async throws {
        let f = try await Fixture()
        let phones = try await resolved(add("p", "Adams"), in: f)
        let laptops = try await f.store.apply([add("l", "Adams")], datastore: f.contacts, device: f.laptop)
        let result = try await f.store.apply([phones], datastore: f.contacts, device: f.phone)
        #expect(result[0].outcome == .unchanged && result[0].guid == laptops[0].guid)
    }

    @Test("Another connection's writes since the lookup: a known item's version is not overwritten, a LUID mapped since is a conflict")
    func otherConnection() async throws {
        let directory = TemporaryDirectory()
        let (a, b) = (try await Fixture(path: directory.path("store.sqlite")), try await Fixture(path: directory.path("store.sqlite")))
        let guid = try #require(try await a.store.apply([add("a", "Adams")], datastore: a.contacts, device: a.phone)[0].guid)
        let edit = try await resolved(add("a", "Adams", "NOTE:a\r\n"), in: a)
        let absent = try await resolved(add("n", "Nash"), in: a)
        _ = try await b.store.apply([add("a", "Adams", "NOTE:bb\r\n"), add("n", "Baker")], datastore: b.contacts, device: b.phone)
        // (Nothing is committed on a's connection in between: a's lookups are as fresh as a can tell.)
        await #expect { try await a.store.apply([absent], datastore: a.contacts, device: a.phone) } throws: { error in
            (error as? StoreError)?.kind == .conflict
        }
        #expect(try await a.store.rowCount("items") == 2)
        // The edit is written on top of b's version, with b's keys replaced.
        let result = try await a.store.apply([edit], datastore: a.contacts, device: a.phone)
        #expect(result[0].outcome == .replaced && result[0].guid == guid)
        #expect(try await a.store.history(guid: guid, datastore: a.contacts).count == 3)
        #expect(try await a.store.indexedKeyDigests(guid: guid, datastore: a.contacts) == edit.matchKeys.map(\.digest).sorted())
        #expect(try await a.store.integrityCheck() == ["ok"])
    }
}
