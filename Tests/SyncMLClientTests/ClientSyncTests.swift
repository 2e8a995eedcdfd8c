import Foundation
import SyncMLClient
import SyncMLCodec
import SyncMLProtocol
import SyncMLServer
import SyncMLStore
import Testing

/// The client API against the server engine, in memory: what a host app sees.
@Suite("Client: syncing a host's records")
struct ClientSyncTests {
    @Test("A CRM's contacts reach a second device, and that device's changes come back, with counts in the report")
    func roundTrip() async throws {
        let harness = try await Harness()
        let crm = MemorySource(), laptop = MemorySource()
        let anna = await crm.put(vCard("Anna", "Meier", tel: "+49 30 1111"))
        await crm.put(vCard("Bernd", "Kurz"))
        let crmClient = try harness.client("crm", crm), laptopClient = try harness.client("laptop", laptop)

        let first = try await crmClient.sync()
        #expect(first.datastores.map(\.performed) == [.slow])
        #expect(first.datastores[0].remote.added == 2)
        let second = try await laptopClient.sync()
        #expect(second.datastores[0].local.added == 2)
        #expect(await laptop.records.count == 2)

        // The CRM edits (the engine finds the change by fingerprint), the laptop deletes.
        await crm.put(vCard("Anna", "Meier", tel: "+49 30 9999"), id: anna)
        let third = try await crmClient.sync()
        #expect(third.datastores.map(\.performed) == [.twoWay])
        #expect(third.datastores[0].remote.updated == 1)
        let bernd = try #require(await laptop.records.values.first { String(decoding: $0.payload, as: UTF8.self).contains("Bernd") }?.id)
        await laptop.remove(bernd)
        let fourth = try await laptopClient.sync()
        #expect(fourth.datastores[0].local.updated == 1)
        #expect(fourth.datastores[0].remote.deleted == 1)
        let fifth = try await crmClient.sync()
        #expect(fifth.datastores[0].local.deleted == 1)
        let crmTexts = await crm.texts
        #expect(crmTexts.count == 1 && crmTexts[0].contains("+49 30 9999"))
        #expect(try await harness.serverItems().count == 1)
    }

    @Test("A sync with no change sends and receives nothing")
    func nothingToDo() async throws {
        let harness = try await Harness()
        let crm = MemorySource()
        await crm.put(vCard("Anna", "Meier"))
        let client = try harness.client("crm", crm)
        try await client.sync()
        let again = try await client.sync()
        #expect(again.datastores[0].remote == SyncReport.Counts())
        #expect(again.datastores[0].local == SyncReport.Counts())
    }

    @Test("Records both sides already hold are paired on the first sync, not duplicated")
    func firstSyncPairs() async throws {
        let harness = try await Harness()
        let crm = MemorySource(), outlook = MemorySource()
        await crm.put(vCard("Carl", "Clark", tel: "+49 30 1234567", email: "Carl.Clark@Example.com"))
        await outlook.put("BEGIN:VCARD\r\nVERSION:2.1\r\nTEL;CELL:+49301234567\r\nFN:Carl Clark\r\nN:Clark;Carl\r\nEMAIL;INTERNET:carl.clark@example.com\r\nEND:VCARD\r\n")
        try await harness.client("crm", crm).sync()
        let outlookClient = try harness.client("outlook", outlook)
        try await outlookClient.sync()
        #expect(await outlook.records.count == 1)
        #expect(try await harness.serverItems().count == 1)
    }

    @Test("A wrong password fails with an authentication error and changes nothing")
    func wrongPassword() async throws {
        let harness = try await Harness()
        let crm = MemorySource()
        await crm.put(vCard("Anna", "Meier"))
        let client = try harness.client("crm", crm, password: "nope")
        await #expect { try await client.sync() } throws: { ($0 as? SyncClientError)?.kind == .authentication }
        #expect(try await harness.serverItems().isEmpty)
    }

    @Test("Basic auth, XML, and a 10 KB MaxMsgSize with a 40 KB contact: large objects and several messages both ways")
    func largeAndSmall() async throws {
        let harness = try await Harness()
        let crm = MemorySource(), laptop = MemorySource()
        let big = vCard("Big", "Photo", photoBytes: 30_000)
        await crm.put(big)
        for index in 0..<50 { await crm.put(vCard("Person\(index)", "Family", note: String(repeating: "n", count: 300))) }
        let small: (inout ClientConfiguration) -> Void = { $0.maxMessageSize = 10_240; $0.wbxml = false; $0.authentication = .basic }
        try await harness.client("crm", crm, configure: small).sync()
        #expect(try await harness.serverItems().count == 51)
        #expect(try await harness.serverItems().contains(big))
        try await harness.client("laptop", laptop, configure: small).sync()
        #expect(await laptop.records.count == 51)
        #expect(await laptop.texts.contains(big))
    }

    @Test("Each mode does what it says: refresh from the server replaces the host's records; one-way from the client sends only")
    func modes() async throws {
        let harness = try await Harness()
        let crm = MemorySource(), other = MemorySource()
        await crm.put(vCard("Anna", "Meier"))
        let crmClient = try harness.client("crm", crm)
        try await crmClient.sync()
        await other.put(vCard("Zoe", "Extra"))
        let otherClient = try harness.client("other", other)
        let refresh = try await otherClient.sync(mode: .refreshFromServer)
        #expect(refresh.datastores[0].performed == .refreshFromServer)
        let otherTexts = await other.texts
        #expect(otherTexts.count == 1 && otherTexts[0].contains("Anna"))
        await crm.put(vCard("Bernd", "Kurz"))
        let oneWay = try await crmClient.sync(mode: .oneWayFromClient)
        #expect(oneWay.datastores[0].remote.added == 1)
        #expect(try await harness.serverItems().count == 2)
    }

    @Test("Against a store that lost the device's anchors, the two-way becomes slow (508, allowed by the user) and duplicates nothing")
    func refreshRequired() async throws {
        let harness = try await Harness()
        let crm = MemorySource()
        await crm.put(vCard("Anna", "Meier"))
        let client = try harness.client("crm", crm) { $0.allowServerSlowSync = true }
        try await client.sync()
        let user = try await harness.store.user(named: "test")
        let device = try await harness.store.device(devID: "crm", user: user)
        try await harness.store.resetDevice(device, datastore: try await harness.store.datastore(named: "contacts", user: user))
        let report = try await client.sync()
        #expect(report.datastores[0].requested == .twoWay)
        #expect(report.datastores[0].performed == .slow)
        #expect(try await harness.serverItems().count == 1)
        #expect(await crm.records.count == 1)
    }
}

/// Delivers every message but loses the reply to the one numbered `loseReplyTo` (1-based, counted over the transport's life).
actor LossyTransport: SyncTransport {
    let inner: EngineTransport
    let loseReplyTo: Int
    private var sent = 0

    init(_ inner: EngineTransport, loseReplyTo: Int) {
        self.inner = inner
        self.loseReplyTo = loseReplyTo
    }

    func send(_ body: [UInt8], contentType: String, to url: String) async throws -> TransportReply {
        sent += 1
        let reply = try await inner.send(body, contentType: contentType, to: url)
        if sent == loseReplyTo { throw SyncClientError(.transport, "connection reset (test)") }
        return reply
    }
}

@Suite("Client: interrupted syncs")
struct ClientInterruptionTests {
    @Test("The reply completing a sync is lost: the next sync is two-way, not slow, and nothing is duplicated")
    func lostFinalReply() async throws {
        let harness = try await Harness()
        let crm = MemorySource(), laptop = MemorySource()
        await crm.put(vCard("Anna", "Meier"))
        try await harness.client("crm", crm).sync()
        await laptop.put(vCard("Bernd", "Kurz"))
        let state = try ClientState.inMemory()
        let configuration = ClientConfiguration(serverURL: "http://server.test/sync", user: "test", password: "test", deviceID: "laptop")
        let datastores = [ClientDatastore(name: "contacts", kind: .contacts, source: laptop)]
        // Three messages per sync (init, changes, map), and one more on first contact (the init is challenged, 401,
        // and sent again): the first sync completes, the second loses its last reply.
        let lossy = SyncClient(configuration: configuration, datastores: datastores,
                               transport: LossyTransport(EngineTransport(server: harness.server), loseReplyTo: 7), state: state)
        try await lossy.sync()
        await crm.put(vCard("Clara", "Neu"))
        try await harness.client("crm", crm).sync(mode: .oneWayFromClient)
        await #expect { try await lossy.sync() } throws: { ($0 as? SyncClientError)?.kind == .transport }
        #expect(await laptop.records.count == 3)
        let client = SyncClient(configuration: configuration, datastores: datastores, transport: EngineTransport(server: harness.server), state: state)
        let report = try await client.sync()
        #expect(report.datastores[0].performed == .twoWay)
        #expect(report.datastores[0].local == SyncReport.Counts())
        #expect(await laptop.records.count == 3)
        #expect(try await harness.serverItems().count == 3)
    }
}

@Suite("Client: progress as an AsyncSequence")
struct ProgressStreamTests {
    @Test("the stream yields the phases in order and ends when the sync does; the result is the report")
    func phasesInOrder() async throws {
        let harness = try await Harness()
        let crm = MemorySource()
        for index in 0..<5 { await crm.put(vCard("Given\(index)", "Family")) }
        let running = try harness.client("crm", crm).progressStream()
        var phases: [SyncProgress.Phase] = []
        for await step in running.progress where phases.last != step.phase { phases.append(step.phase) }
        let report = try await running.report
        #expect(report.datastores[0].remote.added == 5)
        #expect(phases == [.scanning, .connecting, .sending, .receiving, .mapping, .finished])
    }
}
