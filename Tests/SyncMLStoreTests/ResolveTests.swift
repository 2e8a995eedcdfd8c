import Foundation
import SyncMLRecords
@testable import SyncMLStore
import Testing

@Suite("Store: resolving a message's incoming items in one call")
struct ResolveTests {
    func fingerprint(_ text: String) -> Fingerprint { Fingerprint(of: Array(text.utf8)) }

    @Test("A mapped LUID resolves to its item and current version; twins and candidates are not looked up")
    func mapped() async throws {
        let f = try await Fixture()
        let added = try await f.store.apply([change(.add, luid: "a", card("Adams"), keys: ["n:adams|"])], datastore: f.contacts, device: f.phone)
        let guid = try #require(added[0].guid)
        let key = IncomingKey(luid: "a", fingerprint: fingerprint(card("Adams")), keys: indexKeys(["n:adams|"]))
        let resolution = try await f.store.resolve([key], datastore: f.contacts, device: f.phone)[0]
        let item = try #require(resolution.mapped)
        #expect(item.guid == guid && !item.deleted && item.fingerprint == fingerprint(card("Adams")))
        #expect(resolution.named == nil && resolution.known == item)
        #expect(resolution.current?.sequence == item.version && resolution.current?.device == f.phone && resolution.current?.operation == .add)
        #expect(resolution.twins.isEmpty && resolution.candidates == nil)
    }

    @Test("An unmapped LUID with no twin and no key resolves to nothing; with keys, to empty candidates per key")
    func unmapped() async throws {
        let f = try await Fixture()
        _ = try await f.store.apply([change(.add, luid: "a", card("Adams"))], datastore: f.contacts, device: f.phone)
        let keys = indexKeys(["n:baker|"])
        let resolutions = try await f.store.resolve([IncomingKey(luid: "b", fingerprint: fingerprint(card("Baker"))),
                                                     IncomingKey(luid: "b", fingerprint: fingerprint(card("Baker")), keys: keys)],
                                                    datastore: f.contacts, device: f.phone)
        #expect(resolutions[0].known == nil && resolutions[0].current == nil && resolutions[0].twins.isEmpty && resolutions[0].candidates == nil)
        // What apply is handed: nothing has the LUID, and no twin needs looking for.
        #expect(resolutions[0].lookup?.found == .absent(twinCheck: false) && resolutions[0].lookup?.luid == "b")
        #expect(resolutions[1].known == nil && resolutions[1].twins.isEmpty && resolutions[1].candidates == [keys[0].digest: []])
    }

    @Test("A live item with the same fingerprint is a twin, with the device's LUID for it when it has one; then keys are not looked up")
    func twins() async throws {
        let f = try await Fixture()
        let laptops = try await f.store.apply([change(.add, luid: "l", card("Adams"), keys: ["n:adams|"])], datastore: f.contacts, device: f.laptop)
        let guid = try #require(laptops[0].guid)
        let key = IncomingKey(luid: "p", fingerprint: fingerprint(card("Adams")), keys: indexKeys(["n:adams|"]))
        let unmapped = try await f.store.resolve([key], datastore: f.contacts, device: f.phone)[0]
        #expect(unmapped.mapped == nil && unmapped.candidates == nil)
        #expect(unmapped.twins.map(\.item.guid) == [guid] && unmapped.twins.map(\.luid) == [nil])
        try await f.store.map(luid: "other", to: guid, device: f.phone, datastore: f.contacts)
        let mappedElsewhere = try await f.store.resolve([key], datastore: f.contacts, device: f.phone)[0]
        #expect(mappedElsewhere.twins.map(\.luid) == ["other"])
        // The laptop's own LUID for it is not the phone's.
        let laptopsView = try await f.store.resolve([IncomingKey(luid: "x", fingerprint: fingerprint(card("Adams")))], datastore: f.contacts, device: f.laptop)[0]
        #expect(laptopsView.twins.map(\.luid) == ["l"])
    }

    @Test("Candidates come per key digest: live items only, at most limitPerKey rows read per key, in GUID order")
    func candidatesByKey() async throws {
        let f = try await Fixture()
        let added = try await f.store.apply([
            change(.add, luid: "1", card("Adams", "NOTE:1\r\n"), keys: ["n:adams|", "e:adams@example.com"]),
            change(.add, luid: "2", card("Adams", "NOTE:2\r\n"), keys: ["n:adams|"]),
            change(.add, luid: "3", card("Adams", "NOTE:3\r\n"), keys: ["n:adams|"]),
        ], datastore: f.contacts, device: f.laptop)
        _ = try await f.store.apply([change(.delete, luid: "3", "")], datastore: f.contacts, device: f.laptop)
        let (name, mail) = (indexKeys(["n:adams|"])[0], indexKeys(["e:adams@example.com"])[0])
        let key = IncomingKey(luid: "p", fingerprint: fingerprint(card("Adams")), keys: [name, mail])
        let all = try await f.store.resolve([key], datastore: f.contacts, device: f.phone)[0]
        let live = [added[0].guid!, added[1].guid!].sorted()
        #expect(all.twins.isEmpty)
        #expect(all.candidates?[name.digest]?.map(\.guid) == live)
        #expect(all.candidates?[mail.digest]?.map(\.guid) == [added[0].guid!])
        // The limit counts rows read, as `items(matchingKeys:limitPerKey:)` does.
        let limited = try await f.store.resolve([key], datastore: f.contacts, device: f.phone, limitPerKey: 1)[0]
        #expect(limited.candidates?[name.digest]?.count == 1)
        #expect(limited.candidates?[name.digest] == (try await f.store.items(matchingKeys: [name], datastore: f.contacts, limitPerKey: 1)))
    }

    @Test("Candidates of a message's items come 32 key digests per statement: 40 new items with 2 keys each in 3 key statements (were 80) and one check for deferred keys and fingerprints")
    func candidatesInFewStatements() async throws {
        let f = try await Fixture()
        let stored = try await f.store.apply((0..<40).map { change(.add, luid: "l\($0)", card("Person \($0)"), keys: ["n:person \($0)|", "e:p\($0)@example.com"]) },
                                             datastore: f.contacts, device: f.laptop)
        let keys = (0..<40).map { IncomingKey(luid: "p\($0)", fingerprint: fingerprint(card("Person \($0)", "NOTE:phone\r\n")),
                                              keys: indexKeys(["n:person \($0)|", "e:p\($0)@example.com"])) }
        let before = await f.store.statementsRun
        let batch = try await f.store.resolve(keys, datastore: f.contacts, device: f.phone)
        // LUIDs, whether deferred fingerprints and keys wait to be indexed (no: one read), fingerprints, keys.
        #expect(await f.store.statementsRun - before == 2 + 2 + 1 + 3)
        for (index, resolution) in batch.enumerated() {
            #expect(resolution.candidates == Dictionary(uniqueKeysWithValues: keys[index].keys.map { key in
                (key.digest, [StoredItem(guid: stored[index].guid!, type: "text/vcard", fingerprint: fingerprint(card("Person \(index)")),
                                         deleted: false, version: stored[index].sequence!)])
            }))
        }
    }

    @Test("An item deleted elsewhere: the LUID still resolves to it (deleted, no fingerprint); it is no twin, and naming its GUID finds nothing")
    func deleted() async throws {
        let f = try await Fixture()
        let guid = try #require(try await f.store.apply([change(.add, luid: "a", card("Adams"))], datastore: f.contacts, device: f.phone)[0].guid)
        // Deleted on another device: the phone's LUID stays mapped to the tombstone.
        _ = try await f.store.apply([change(.delete, guid: guid, "")], datastore: f.contacts, device: f.laptop)
        let resolutions = try await f.store.resolve([IncomingKey(luid: "a", fingerprint: fingerprint(card("Adams"))),
                                                     IncomingKey(luid: "b", guid: guid, fingerprint: fingerprint(card("Adams")))],
                                                    datastore: f.contacts, device: f.phone)
        let mapped = try #require(resolutions[0].mapped)
        #expect(mapped.guid == guid && mapped.deleted && mapped.fingerprint == nil)
        #expect(resolutions[0].current?.operation == .delete)
        #expect(resolutions[1].known == nil && resolutions[1].twins.isEmpty)
    }

    @Test("A GUID the client names is the known item when its LUID maps nothing")
    func named() async throws {
        let f = try await Fixture()
        let guid = try #require(try await f.store.apply([change(.add, luid: "l", card("Adams"))], datastore: f.contacts, device: f.laptop)[0].guid)
        let resolution = try await f.store.resolve([IncomingKey(luid: "p", guid: guid, fingerprint: fingerprint(card("Baker")))],
                                                   datastore: f.contacts, device: f.phone)[0]
        #expect(resolution.mapped == nil && resolution.named?.guid == guid && resolution.known?.guid == guid)
        #expect(resolution.current?.device == f.laptop && resolution.twins.isEmpty)
    }

    @Test("Many items resolve in order, each as alone, in a few statements: 70 items in 3 LUID statements (with the current versions), one check for deferred fingerprints and 2 fingerprint statements")
    func manyInFewStatements() async throws {
        let f = try await Fixture()
        let texts = (0..<70).map { card("Person \($0)") }
        let added = try await f.store.apply(texts.enumerated().filter { $0.offset % 2 == 0 }.map { change(.add, luid: "m\($0.offset)", $0.element) },
                                            datastore: f.contacts, device: f.phone)
        let twins = try await f.store.apply((0..<70).filter { $0 % 3 == 0 }.map { change(.add, luid: "l\($0)", texts[$0]) }, datastore: f.contacts, device: f.laptop)
        #expect(added.count == 35 && twins.count == 24)
        let keys = texts.enumerated().map { IncomingKey(luid: "m\($0.offset)", fingerprint: fingerprint($0.element)) }
        let before = await f.store.statementsRun
        let batch = try await f.store.resolve(keys, datastore: f.contacts, device: f.phone)
        #expect(await f.store.statementsRun - before == 6) // the 35 mapped items' current versions come with their LUIDs
        var alone: [Resolution] = []
        for key in keys { alone += try await f.store.resolve([key], datastore: f.contacts, device: f.phone) }
        #expect(batch == alone)
        // What the per-item calls said, the batch says.
        for (index, key) in keys.enumerated() {
            #expect(batch[index].mapped?.guid == (try await f.store.guid(forLUID: key.luid!, device: f.phone, datastore: f.contacts)))
            if batch[index].mapped == nil {
                #expect(batch[index].twins.map(\.item) == (try await f.store.items(withFingerprint: key.fingerprint!, datastore: f.contacts)))
            }
        }
    }
}
