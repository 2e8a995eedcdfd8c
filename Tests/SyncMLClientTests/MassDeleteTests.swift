import Foundation
import SyncMLClient
import SyncMLCodec
import SyncMLProtocol
import SyncMLServer
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

    /// A CRM holding the book and a phone, each synced once: both hold its 20 records.
    static func bothSynced() async throws -> (Harness, crm: MemorySource, phone: MemorySource, crmClient: SyncClient, phoneClient: SyncClient) {
        let harness = try await Harness()
        let crm = MemorySource(), phone = MemorySource()
        await book(crm)
        let crmClient = try harness.client("crm", crm), phoneClient = try harness.client("phone", phone)
        try await crmClient.sync()
        try await phoneClient.sync()
        return (harness, crm, phone, crmClient, phoneClient)
    }

    @Test("the host deletes 15 of 20: held back and reported, the server keeps them; forced, they go and reach the other device, which holds them too until forced")
    func clientHoldsTheHostsMassDelete() async throws {
        let (harness, crm, phone, crmClient, phoneClient) = try await Self.bothSynced()
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
        // The other device's guard weighs the server's deletes the same way.
        #expect(try await phoneClient.sync().datastores[0].heldServerDeletes == 15)
        #expect(await phone.records.count == 20)
        #expect(try await phoneClient.sync(forceDeletes: true).datastores[0].local.deleted == 15)
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

    @Test("the server's deletes are weighed against what the host held when the modes were granted: the same session's adds do not dilute them")
    func serverDeletesAreWeighedAgainstTheStart() async throws {
        let (harness, crm, phone, crmClient, phoneClient) = try await Self.bothSynced()
        for index in 0..<12 { await crm.remove("r\(index)") }
        for index in 20..<30 { await crm.put(vCard("Given\(index)", "Family\(index)", tel: "+49 30 \(300_000 + index)"), id: "r\(index)") }
        try await crmClient.sync(forceDeletes: true)
        #expect(try await harness.serverItems().count == 18)

        // 12 of the 20 the phone held: held, though 12 of the 30 it holds once the session's 10 adds are in would not be.
        let report = try await phoneClient.sync()
        #expect(report.datastores[0].local.added == 10)
        #expect(report.datastores[0].heldServerDeletes == 12)
        #expect(await phone.records.count == 30)
    }

    @Test("the server's deletes of 15 of 20 files are held and answered 503: every file stays, none goes back as new, the server sends them again; forced, they are applied")
    func clientHoldsTheServersMassDelete() async throws {
        let harness = try await Harness()
        let crm = MemorySource()
        await Self.book(crm)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-held-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func files() throws -> Int { try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".vcf") }.count }
        let phoneState = try ClientState.inMemory()
        @discardableResult func phone(force: Bool = false) async throws -> SyncReport {
            let configuration = ClientConfiguration(serverURL: "http://server.test/sync", user: "test", password: "test", deviceID: "phone")
            let source = FolderDataSource(directory: folder, kind: .contacts)
            return try await SyncClient(configuration: configuration, datastores: [ClientDatastore(name: "contacts", kind: .contacts, source: source)],
                                        transport: EngineTransport(server: harness.server), state: phoneState).sync(forceDeletes: force)
        }
        let crmClient = try harness.client("crm", crm)
        try await crmClient.sync()
        try await phone()
        #expect(try files() == 20)
        for index in 0..<15 { await crm.remove("r\(index)") }
        try await crmClient.sync(forceDeletes: true)
        #expect(try await harness.serverItems().count == 5)

        for _ in 0..<2 {
            let held = try await phone()
            #expect(held.datastores[0].heldServerDeletes == 15)
            #expect(held.datastores[0].local.deleted == 0)
            #expect(held.datastores[0].remote == SyncReport.Counts(), "the held records are not sent back")
            #expect(held.description.contains("15 deletes from the server held back"), "\(held.description)")
            #expect(try files() == 20)
            #expect(try await harness.serverItems().count == 5)
        }

        let forced = try await phone(force: true)
        #expect(forced.datastores[0].heldServerDeletes == 0)
        #expect(forced.datastores[0].local.deleted == 15)
        #expect(try files() == 5)
        let after = try await phone()
        #expect(after.datastores[0].local == SyncReport.Counts() && after.datastores[0].remote == SyncReport.Counts())
        #expect(try await harness.serverItems().count == 5)
    }

    @Test("a refresh from the server that would remove 15 of 20 records keeps them and says so; run again forced, it removes them")
    func refreshFromServerRemovalsAreHeld() async throws {
        let (harness, crm, phone, crmClient, phoneClient) = try await Self.bothSynced()
        for index in 0..<15 { await crm.remove("r\(index)") }
        try await crmClient.sync(forceDeletes: true)

        let held = try await phoneClient.sync(mode: .refreshFromServer)
        #expect(held.datastores[0].performed == .refreshFromServer)
        #expect(held.datastores[0].heldServerDeletes == 15)
        #expect(held.description.contains("the refresh would remove 15 records"), "\(held.description)")
        #expect(await phone.records.count == 20)
        let forced = try await phoneClient.sync(mode: .refreshFromServer, forceDeletes: true)
        #expect(forced.datastores[0].local.deleted == 15)
        #expect(await phone.records.count == 5)
        #expect(try await harness.serverItems().count == 5)
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
