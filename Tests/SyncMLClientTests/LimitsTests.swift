import Foundation
import SyncMLClient
import SyncMLCodec
import SyncMLProtocol
import SyncMLServer
@testable import SyncMLStore
import Testing

/// Issue 8's limits: sessions per user and items per message, each refused
/// with a clear answer while other users and stored data are untouched.
@Suite("Server limits")
struct LimitsTests {
    @Test("a user holding maxSessionsPerUser running sessions is refused a further one (503); another user is not")
    func sessionsPerUser() async throws {
        var configuration = ServerConfiguration()
        configuration.maxSessionsPerUser = 2
        let harness = try await Harness(configuration: configuration)
        try await harness.store.addUser(name: "other", password: "other", md5: true, iterations: 1_000)
        // Two devices whose sessions stay running: the request after their (challenged, then repeated) init never arrives.
        for device in ["phone", "tablet"] {
            let source = MemorySource()
            await source.put(vCard("Anna", device))
            let transport = CuttingTransport(EngineTransport(server: harness.server), cut: .request(3))
            let client = ResumeTests.client(harness, device, source, transport, state: try ClientState.inMemory())
            await #expect { try await client.sync() } throws: { ($0 as? SyncClientError)?.kind == .transport }
        }
        let third = try harness.client("laptop", MemorySource())
        await #expect { try await third.sync() } throws: { error in
            (error as? SyncClientError)?.kind == .serverStatus && "\(error)".contains("503")
        }
        let other = try harness.client("other-phone", MemorySource()) { $0.user = "other"; $0.password = "other" }
        #expect(try await other.sync().datastores[0].performed == .slow)
        // A device that starts again replaces its own running session: that is not one more.
        let phone = try harness.client("phone", MemorySource())
        try await phone.sync()
    }

    @Test("a message with more items than maxItemsPerMessage is refused with HTTP 413 and changes nothing")
    func itemsPerMessage() async throws {
        var configuration = ServerConfiguration()
        configuration.maxItemsPerMessage = 5
        let harness = try await Harness(configuration: configuration)
        let crm = MemorySource()
        for index in 0..<20 { await crm.put(vCard("Given\(index)", "Family")) }
        await #expect { try await harness.client("crm", crm).sync() } throws: { error in
            (error as? SyncClientError)?.kind == .transport && "\(error)".contains("413")
        }
        #expect(try await harness.serverItems().isEmpty)
    }

    @Test("a captured first message replayed later is refused: each MD5 nonce is good for one session")
    func noncesAreSingleUse() async throws {
        let harness = try await Harness()
        let recorder = RecordingTransport(EngineTransport(server: harness.server))
        let client = SyncClient(configuration: ClientConfiguration(serverURL: "http://server.test/sync", user: "test", password: "test", deviceID: "crm"),
                                datastores: [ClientDatastore(name: "contacts", kind: .contacts, source: MemorySource())],
                                transport: recorder, state: try ClientState.inMemory())
        try await client.sync() // the first session learns a nonce (401 + Chal, then 212)
        try await client.sync() // the second authenticates with it at once
        let captured = try #require(await recorder.bodies.last { try SyncMLMessage(decoding: $0).header.cred != nil })
        let replay = await harness.server.handle(SyncRequest(body: captured, contentType: "application/vnd.syncml+wbxml", url: "http://server.test/sync"))
        let header = try SyncMLMessage(decoding: replay.body).commands.lazy.compactMap { command -> Status? in
            if case .status(let status) = command, status.cmd == "SyncHdr" { status } else { nil }
        }.first
        #expect(header?.code.rawValue == 401)
    }
}

/// Passes everything through and keeps each request's bytes.
actor RecordingTransport: SyncTransport {
    let inner: EngineTransport
    private(set) var bodies: [[UInt8]] = []

    init(_ inner: EngineTransport) { self.inner = inner }

    func send(_ body: [UInt8], contentType: String, to url: String) async throws -> TransportReply {
        bodies.append(body)
        return try await inner.send(body, contentType: contentType, to: url)
    }
}

@Suite("Server: concurrent sessions of one user")
struct ConcurrentUserTests {
    @Test("two devices of one user slow-sync the same contacts at the same moment: each contact once on the server")
    func concurrentSlowSyncs() async throws {
        let harness = try await Harness()
        let sources = [MemorySource(), MemorySource()]
        for source in sources {
            for index in 0..<60 { await source.put(vCard("Given\(index)", "Family\(index)", tel: "+49 30 \(400_000 + index)"), id: "c\(index)") }
        }
        let clients = try (0..<2).map { try harness.client("device-\($0)", sources[$0]) { $0.maxMessageSize = 6_000 } }
        async let first = clients[0].sync()
        async let second = clients[1].sync()
        let reports = try await [first, second]
        #expect(reports.allSatisfy { $0.isComplete })
        let stored = try await harness.serverItems()
        #expect(stored.count == 60)
        #expect(Set(stored).count == 60)
    }
}

/// Delivers every request, then delivers the previous one again (late, out of order) and drops that reply.
/// (Not the first message: with its credentials it starts a session of its own, by design.)
actor StaleTransport: SyncTransport {
    let inner: EngineTransport
    private var previous: (body: [UInt8], contentType: String, url: String)?
    private(set) var staleAnswers: [Int] = []

    init(_ inner: EngineTransport) { self.inner = inner }

    func send(_ body: [UInt8], contentType: String, to url: String) async throws -> TransportReply {
        let reply = try await inner.send(body, contentType: contentType, to: url)
        if let previous, (try? SyncMLMessage(decoding: previous.body).header.msgID) != "1" {
            let stale = try await inner.send(previous.body, contentType: previous.contentType, to: url)
            let status = try SyncMLMessage(decoding: stale.body).commands.lazy.compactMap { command -> Int? in
                if case .status(let status) = command, status.cmd == "SyncHdr" { status.code.rawValue } else { nil }
            }.first
            staleAnswers.append(status ?? 0)
        }
        previous = (body, contentType, url)
        return reply
    }
}

@Suite("Server: messages out of order")
struct OutOfOrderTests {
    @Test("an older message arriving after its successor is refused (400) and changes nothing; the sync completes whole")
    func staleMessagesAreRefused() async throws {
        let harness = try await Harness()
        let crm = MemorySource()
        for index in 0..<30 { await crm.put(vCard("Given\(index)", "Family\(index)", tel: "+49 30 \(500_000 + index)")) }
        try await harness.client("crm", crm).sync()
        let phone = MemorySource()
        let transport = StaleTransport(EngineTransport(server: harness.server))
        var configuration = ClientConfiguration(serverURL: "http://server.test/sync", user: "test", password: "test", deviceID: "phone")
        configuration.maxMessageSize = 4_000
        let client = SyncClient(configuration: configuration, datastores: [ClientDatastore(name: "contacts", kind: .contacts, source: phone)],
                                transport: transport, state: try ClientState.inMemory())
        let report = try await client.sync()
        #expect(report.datastores[0].local.added == 30)
        let answers = await transport.staleAnswers
        #expect(!answers.isEmpty && answers.allSatisfy { $0 == 400 || $0 == 200 })
        #expect(answers.filter { $0 == 400 }.count >= answers.count - 1)
        #expect(await phone.records.count == 30)
        #expect(try await harness.serverItems().count == 30)
        let again = try await client.sync()
        #expect(again.datastores[0].local == SyncReport.Counts())
    }
}
