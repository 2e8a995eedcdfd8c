import Foundation
import SyncMLCodec
import Testing
@testable import SyncMLStore

@Suite("Removing users, finding items by LUID")
struct UserRemovalTests {
    @Test("A user with records is refused unless their data goes too; then nothing of theirs is left and the others' data is untouched", arguments: StoreBackend.allCases)
    func removal(_ backend: StoreBackend) async throws {
        guard let store = try await TestStores.make(backend) else { return }
        for name in ["alice", "bob", "carol"] { try await store.addUser(name: name, password: "pw", md5: true, iterations: 1000) }
        let alice = try await store.user(named: "alice"), bob = try await store.user(named: "bob"), carol = try await store.user(named: "carol")
        let contacts = try await store.datastore(named: "contacts", user: alice)
        let phone = try await store.device(devID: "phone", user: alice)
        let sync = try await store.beginSession(device: phone)
        _ = try await store.apply([change(.add, luid: "1", card("Ann")), change(.add, luid: "2", card("Ben"))], datastore: contacts, device: phone, session: sync)
        try await store.endSession(sync)
        let imported = try await store.beginSession(device: nil, kind: "import")
        _ = try await store.apply([change(.add, card("Cid"))], datastore: contacts, device: nil, session: imported)
        try await store.endSession(imported)
        _ = try await store.undo(session: imported) // Cid is deleted: its history is still alice's data
        _ = try await store.apply([change(.add, card("Bob"))], datastore: try await store.datastore(named: "contacts", user: bob), device: nil)
        _ = try await store.device(devID: "phone", user: carol) // a device, no records

        await #expect {
            try await store.removeUser(named: "alice")
        } throws: { error in
            (error as? StoreError)?.kind == .conflict && (error as? StoreError)?.message == "user alice still has 3 record(s) in contacts (with their history)"
        }
        #expect(try await store.users().count == 3, "nothing removed")

        let removal = try await store.removeUser(named: "alice", deletingData: true)
        #expect(removal == UserRemoval(datastores: 1, records: 3, versions: 4, devices: 1, sessions: 3))
        #expect(try await store.users().map(\.name) == ["bob", "carol"])
        #expect(try await store.sessions().isEmpty)
        for (table, rows) in [("datastores", 1), ("items", 1), ("journal", 1), ("maps", 0), ("devices", 1), ("device_datastores", 0)] {
            #expect(try await store.rowCount(table) == rows, "\(table)")
        }
        #expect(try await store.integrityCheck() == ["ok"])
        if backend == .sqlite { // PostgreSQL enforces its foreign keys at every statement: nothing to check after
            let dangling = try await store.withDatabase { db throws(StoreError) in
                var rows = 0
                try db.forEach("PRAGMA foreign_key_check") { _ in rows += 1 }
                return rows
            }
            #expect(dangling == 0)
        }

        #expect(try await store.removeUser(named: "carol") == UserRemoval(datastores: 0, records: 0, versions: 0, devices: 1, sessions: 0))
        await #expect { try await store.removeUser(named: "alice") } throws: { ($0 as? StoreError)?.kind == .notFound }
    }

    @Test("locate(luid:devID:) finds what each user's device of that DevID maps the LUID to; a deleted record is no longer mapped", arguments: StoreBackend.allCases)
    func locateByLUID(_ backend: StoreBackend) async throws {
        guard let store = try await TestStores.make(backend) else { return }
        var guids: [String] = []
        for name in ["alice", "bob"] {
            let user = try await store.user(named: name)
            let applied = try await store.apply([change(.add, luid: "x.vcf", card(name))], datastore: try await store.datastore(named: "contacts", user: user),
                                                device: try await store.device(devID: "phone", user: user))
            guids.append(try #require(applied.first?.guid))
        }
        let found = try await store.locate(luid: "x.vcf", devID: "phone")
        #expect(found.map(\.location.user) == ["alice", "bob"])
        #expect(found.map(\.guid) == guids)
        #expect(try await store.locate(luid: "x.vcf", devID: "laptop").isEmpty)

        let alice = try await store.user(named: "alice")
        _ = try await store.apply([change(.delete, luid: "x.vcf", "")], datastore: try await store.datastore(named: "contacts", user: alice),
                                  device: try await store.device(devID: "phone", user: alice))
        #expect(try await store.locate(luid: "x.vcf", devID: "phone").map(\.location.user) == ["bob"])
    }
}
