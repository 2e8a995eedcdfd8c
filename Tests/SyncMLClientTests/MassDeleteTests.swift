import Foundation
import SyncMLClient
import SyncMLCore
import SyncMLEngine
import SyncMLStore
import Testing

/// The mass-delete guard (issue 8): a sync that would delete more than half of
/// a datastore (at least 10 records) is held — by the client for its host's
/// deletes, by the server for a client's — unless forced.
@Suite("Mass-delete guard")
struct MassDeleteTests {
    static func book(_ source: MemorySource, _ count: Int = 20) async {
        for index in 0..<count { await source.put(vCard("Given\(index)", "Family\(index)", tel: "+49 30 \(300_000 + index)"), id: "r\(index)") }
    }

    @Test("the host deletes 15 of 20: held back and reported, the server keeps them; forced, they go and reach the other device")
    func clientHoldsTheHostsMassDelete() async throws {
        let harness = try await Harness()
        let crm = MemorySource(), phone = MemorySource()
        await Self.book(crm)
        let crmClient = try harness.client("crm", crm), phoneClient = try harness.client("phone", phone)
        try await crmClient.sync()
        try await phoneClient.sync()
        for index in 0..<15 { await crm.remove("r\(index)") }

        let held = try await crmClient.sync()
        #expect(held.datastores[0].heldDeletes == 15)
        #expect(held.datastores[0].remote.deleted == 0)
        #expect(held.description.contains("15 deletes held back"))
        #expect(try await harness.serverItems().count == 20)
        // Still held on the next sync: nothing was forgotten or acknowledged.
        #expect(try await crmClient.sync().datastores[0].heldDeletes == 15)

        let forced = try await crmClient.sync(forceDeletes: true)
        #expect(forced.datastores[0].heldDeletes == 0)
        #expect(forced.datastores[0].remote.deleted == 15)
        #expect(try await harness.serverItems().count == 5)
        #expect(try await phoneClient.sync().datastores[0].local.deleted == 15)
        #expect(await phone.records.count == 5)
    }

    @Test("a client without a guard deletes 15 of 20: the server restores them and sends them back; other devices never lose them")
    func serverHoldsAClientsMassDelete() async throws {
        let harness = try await Harness()
        let crm = MemorySource(), phone = MemorySource()
        await Self.book(crm)
        let crmClient = try harness.client("crm", crm)
        let phoneClient = try harness.client("phone", phone) { $0.massDeleteGuard = nil }
        try await crmClient.sync()
        try await phoneClient.sync()
        for id in await phone.records.keys.sorted().prefix(15) { await phone.remove(id) }

        let report = try await phoneClient.sync()
        #expect(report.datastores[0].remote.deleted == 15) // the server took them…
        #expect(report.datastores[0].local.added == 15)    // …and gave the records back
        #expect(await phone.records.count == 20)
        #expect(try await harness.serverItems().count == 20)
        #expect(try await crmClient.sync().datastores[0].local == SyncReport.Counts())
        #expect(await crm.records.count == 20)
    }

    @Test("a few deletes (3 of 20) pass: the guard is for mass deletes only")
    func fewDeletesPass() async throws {
        let harness = try await Harness()
        let crm = MemorySource()
        await Self.book(crm)
        let client = try harness.client("crm", crm)
        try await client.sync()
        for index in 0..<3 { await crm.remove("r\(index)") }
        let report = try await client.sync()
        #expect(report.datastores[0].heldDeletes == 0)
        #expect(report.datastores[0].remote.deleted == 3)
        #expect(try await harness.serverItems().count == 17)
    }

    @Test("a refresh from a client that lost its data would empty the server: held, and the records reach the client next time")
    func refreshFromAnEmptyClientIsHeld() async throws {
        let harness = try await Harness()
        let crm = MemorySource(), phone = MemorySource()
        await Self.book(crm)
        try await harness.client("crm", crm).sync()
        let phoneClient = try harness.client("phone", phone)
        try await phoneClient.sync(mode: .refreshFromClient)
        #expect(try await harness.serverItems().count == 20)
        #expect(try await phoneClient.sync().datastores[0].local.added == 20)
    }
}
