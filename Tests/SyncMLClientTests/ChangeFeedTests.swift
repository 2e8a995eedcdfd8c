import Foundation
import SyncMLClient
import SyncMLCodec
import SyncMLStore
import Testing

/// A host that tracks its own changes: a log of ids, the token is a position in it.
actor FeedSource: SyncDataSource {
    private var records: [String: HostRecord] = [:]
    private var log: [(id: String, deleted: Bool)] = []
    private(set) var fullListings = 0
    private(set) var feedReads = 0
    /// Positions before this are forgotten: an older token gets nil (the engine lists everything).
    var oldestKept = 0

    func put(_ text: String, id: String) {
        records[id] = HostRecord(id: id, payload: Array(text.utf8), type: "text/vcard")
        log.append((id, false))
    }
    func remove(_ id: String) {
        records[id] = nil
        log.append((id, true))
    }
    func forgetHistory() { oldestKept = log.count }
    var count: Int { records.count }

    func allRecords() async throws -> [HostRecord] {
        fullListings += 1
        return Array(records.values)
    }
    func changeToken() async throws -> String? { String(log.count) }
    func changes(since token: String) async throws -> HostChanges? {
        guard let position = Int(token), position >= oldestKept, position <= log.count else { return nil }
        feedReads += 1
        var changed: [String: HostRecord] = [:], deleted = Set<String>()
        for entry in log[position...] {
            if let record = records[entry.id], !entry.deleted { changed[entry.id] = record; deleted.remove(entry.id) }
            else { changed[entry.id] = nil; deleted.insert(entry.id) }
        }
        return HostChanges(changed: Array(changed.values), deleted: Array(deleted), token: String(log.count))
    }
    func add(payload: [UInt8], type: String) async throws -> String {
        let id = "server-\(log.count)"
        records[id] = HostRecord(id: id, payload: payload, type: type)
        log.append((id, false))
        return id
    }
    func update(id: String, payload: [UInt8], type: String) async throws {
        records[id] = HostRecord(id: id, payload: payload, type: type)
        log.append((id, false))
    }
    func delete(id: String) async throws {
        records[id] = nil
        log.append((id, true))
    }
}

@Suite("Client: hosts that track their own changes")
struct ChangeFeedTests {
    @Test("after the first sync only the host's change feed is read: edits, adds and deletes travel, nothing is listed again")
    func feedInsteadOfListing() async throws {
        let harness = try await Harness()
        let crm = FeedSource(), phone = MemorySource()
        for index in 0..<20 { await crm.put(vCard("Given\(index)", "Family"), id: "c\(index)") }
        let client = SyncClient(configuration: ClientConfiguration(serverURL: "http://server.test/sync", user: "test", password: "test", deviceID: "crm"),
                                datastores: [ClientDatastore(name: "contacts", kind: .contacts, source: crm)],
                                transport: EngineTransport(server: harness.server), state: try ClientState.inMemory())
        try await client.sync()
        #expect(await crm.fullListings == 1)
        let phoneClient = try harness.client("phone", phone)
        try await phoneClient.sync()

        await crm.put(vCard("Given0", "Family", note: "edited"), id: "c0")
        await crm.remove("c1")
        await crm.put(vCard("New", "Person"), id: "c20")
        let second = try await client.sync()
        #expect(await crm.fullListings == 1)
        #expect(await crm.feedReads == 1)
        #expect(second.datastores[0].remote == { var c = SyncReport.Counts(); (c.added, c.updated, c.deleted) = (1, 1, 1); return c }())

        // What the server sends changes the host, and the feed then reports those writes: they are not sent back.
        await phone.put(vCard("From", "Phone"))
        try await phoneClient.sync()
        #expect(try await client.sync().datastores[0].local.added == 1)
        let quiet = try await client.sync()
        #expect(quiet.datastores[0].remote == SyncReport.Counts())
        #expect(await crm.fullListings == 1)
        #expect(try await harness.serverItems().count == 21)
    }

    @Test("a token the host no longer knows: the engine lists every record once, then uses the feed again")
    func staleToken() async throws {
        let harness = try await Harness()
        let crm = FeedSource()
        for index in 0..<5 { await crm.put(vCard("Given\(index)", "Family"), id: "c\(index)") }
        let client = SyncClient(configuration: ClientConfiguration(serverURL: "http://server.test/sync", user: "test", password: "test", deviceID: "crm"),
                                datastores: [ClientDatastore(name: "contacts", kind: .contacts, source: crm)],
                                transport: EngineTransport(server: harness.server), state: try ClientState.inMemory())
        try await client.sync()
        await crm.remove("c4")
        await crm.forgetHistory()
        let report = try await client.sync()
        #expect(await crm.fullListings == 2)
        #expect(report.datastores[0].remote.deleted == 1)
        await crm.put(vCard("Given0", "Family", note: "edited"), id: "c0")
        #expect(try await client.sync().datastores[0].remote.updated == 1)
        #expect(await crm.fullListings == 2)
    }
}
