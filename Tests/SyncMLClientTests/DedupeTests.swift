import Foundation
import SyncMLClient
import SyncMLRecords
import SyncMLStore
import Testing

/// A read-only source whose second listing may differ from its first (a host edited meanwhile).
private actor ChangingSource: SyncDataSource {
    private var listings: [[HostRecord]]
    init(_ listings: [[HostRecord]]) { self.listings = listings }
    func allRecords() async throws -> [HostRecord] { listings.count > 1 ? listings.removeFirst() : listings[0] }
    func add(payload: [UInt8], type: String) async throws -> String { "" }
    func update(id: String, payload: [UInt8], type: String) async throws {}
    func delete(id: String) async throws {}
}

private func fingerprints(_ texts: [String]) throws -> [Fingerprint] {
    try texts.map { try RecordSignature(parsing: Array($0.utf8)).fingerprint }.sorted()
}

@Suite("Duplicates of a host's records (SyncDataSource.duplicates)")
struct DedupeSourceTests {
    static let anna = vCard("Anna", "Schmidt", tel: "+49 171 5550101", email: "anna@example.de", note: "Met at the fair")
    static let annaCopy = vCard("Anna", "Schmidt", tel: "0171 5550101", email: "ANNA@example.de")
        .replacingOccurrences(of: "END:VCARD", with: "TITLE:Buyer\r\nEND:VCARD")
    static let bob = vCard("Bob", "Novak", tel: "+49 30 1234567", email: "bob@example.de")

    @Test("The host's duplicates come as proposals, one per group, and merge(_:) makes each one record")
    func findAndMerge() async throws {
        let source = MemorySource()
        await source.put(Self.anna, id: "crm-1")
        await source.put(Self.bob, id: "crm-2")
        await source.put(Self.annaCopy, id: "crm-3")
        await source.put("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Broken", id: "crm-4")
        var proposals: [DuplicateProposal] = []
        for try await proposal in source.duplicates(batchSize: 2) { proposals.append(proposal) }
        #expect(proposals.map(\.group.members) == [["crm-1", "crm-3"]])
        let proposal = try #require(proposals.first)
        #expect(proposal.group.agreedKeys == ["name", "email:anna@example.de", "phone:5550101"])
        try await source.merge(proposal)
        let texts = await source.texts.filter { !$0.contains("Broken") }
        #expect(texts.count == 2)
        let merged = try #require(texts.first { $0.contains("Schmidt") })
        #expect(merged.contains("Buyer") && merged.contains("Met at the fair"))
        var again: [DuplicateProposal] = []
        for try await proposal in source.duplicates() { again.append(proposal) }
        #expect(again.isEmpty)
    }

    @Test("A record edited between the two reads leaves its group out")
    func changedBetweenReads() async throws {
        let first = [HostRecord(id: "1", payload: Array(Self.anna.utf8), type: "text/vcard"),
                     HostRecord(id: "2", payload: Array(Self.annaCopy.utf8), type: "text/vcard")]
        var second = first
        second[1].payload = Array(Self.annaCopy.replacingOccurrences(of: "Buyer", with: "Head buyer").utf8)
        var stale: [DuplicateProposal] = []
        for try await proposal in ChangingSource([first, second]).duplicates() { stale.append(proposal) }
        #expect(stale.isEmpty)
        var steady: [DuplicateProposal] = []
        for try await proposal in ChangingSource([first]).duplicates() { steady.append(proposal) }
        #expect(steady.count == 1)
    }
}

@Suite("Duplicates merged in the store: two devices converge, and again after undo")
struct DedupeConvergenceTests {
    @Test("A phone's duplicates reach the server and the CRM; after the store's dedupe both get one merged record; after undo both get the originals back")
    func mergeAndUndoConverge() async throws {
        let harness = try await Harness()
        let phone = MemorySource(), crm = MemorySource()
        for text in [DedupeSourceTests.anna, DedupeSourceTests.annaCopy, DedupeSourceTests.bob] { await phone.put(text) }
        let phoneClient = try harness.client("phone", phone), crmClient = try harness.client("crm", crm)
        try await phoneClient.sync()
        try await crmClient.sync()
        let originals = try fingerprints(await phone.texts)
        #expect(try fingerprints(await crm.texts) == originals)
        #expect(try await harness.serverItems().count == 3)

        // The server's dedupe, as `syncml dedupe --apply` runs it.
        let store = harness.store
        let datastore = try await store.datastore(named: "contacts", user: try await store.user(named: "test"))
        let stored = try await store.duplicateRecords(datastore: datastore)
        let byID = Dictionary(uniqueKeysWithValues: stored.records.map { ($0.id, $0) })
        let groups = DuplicateFinder.find(stored.records.map(\.candidate)).groups
        #expect(groups.count == 1)
        let proposal = try DuplicateMerger.propose(try #require(groups.first), records: byID)
        let result = try await store.applyDedupe([try DedupeMerge(proposal, datastore: datastore, storedType: stored.types[proposal.survivor]!)])
        let session = try #require(result.session)

        for client in [phoneClient, crmClient, phoneClient] { try await client.sync() }
        let server = try fingerprints(try await harness.serverItems())
        #expect(server.count == 2)
        #expect(try fingerprints(await phone.texts) == server)
        #expect(try fingerprints(await crm.texts) == server)
        let merged = try #require(await crm.texts.first { $0.contains("Schmidt") })
        #expect(merged.contains("Buyer") && merged.contains("Met at the fair"), "nothing of either copy is lost")

        _ = try await store.undo(session: session)
        for client in [phoneClient, crmClient, phoneClient] { try await client.sync() }
        #expect(try fingerprints(try await harness.serverItems()) == originals)
        #expect(try fingerprints(await phone.texts) == originals)
        #expect(try fingerprints(await crm.texts) == originals)
    }
}
