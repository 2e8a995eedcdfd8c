import Foundation
import Logging
import SyncMLClient
import SyncMLCodec
import SyncMLProtocol
import SyncMLServer
import SyncMLStore
import Testing

/// A transport that cuts one exchange (the request never arrives, or its reply
/// is lost) and counts the items each message carries, both ways.
actor CuttingTransport: SyncTransport {
    enum Cut: Equatable {
        /// The request numbered N (1-based, over the transport's life) never reaches the server.
        case request(Int)
        /// The server handles request N, but its reply is lost.
        case reply(Int)
    }

    var inner: EngineTransport
    var cut: Cut?
    /// Called after each delivered request with its number (to ask for a suspend, say).
    var afterSend: (@Sendable (Int) async -> Void)?
    private(set) var sent = 0
    /// Items (Add, Replace, Delete) in each delivered request and in each reply, in order.
    private(set) var itemsUp: [Int] = []
    private(set) var itemsDown: [Int] = []
    /// Alert codes the client sent, in order.
    private(set) var alertsUp: [Int] = []

    init(_ inner: EngineTransport, cut: Cut? = nil) {
        self.inner = inner
        self.cut = cut
    }

    func setCut(_ cut: Cut?) { self.cut = cut }
    func setServer(_ server: SyncServer) { inner = EngineTransport(server: server) }
    func setAfterSend(_ body: @escaping @Sendable (Int) async -> Void) { afterSend = body }
    func resetCounts() { (itemsUp, itemsDown, alertsUp) = ([], [], []) }

    func send(_ body: [UInt8], contentType: String, to url: String) async throws -> TransportReply {
        sent += 1
        if cut == .request(sent) { throw SyncClientError(.transport, "connection reset before the request (test)") }
        let request = try SyncMLMessage(decoding: body)
        alertsUp += request.commands.compactMap { if case .alert(let alert) = $0 { alert.code?.rawValue } else { nil } }
        itemsUp.append(Self.items(in: request))
        let reply = try await inner.send(body, contentType: contentType, to: url)
        itemsDown.append(Self.items(in: try SyncMLMessage(decoding: reply.body)))
        if cut == .reply(sent) { throw SyncClientError(.transport, "connection reset before the reply (test)") }
        await afterSend?(sent)
        return reply
    }

    static func items(in message: SyncMLMessage) -> Int {
        message.commands.reduce(0) { total, command in
            guard case .sync(let sync) = command else { return total }
            return total + sync.commands.reduce(0) { count, child in
                switch child {
                case .add(let c), .replace(let c), .delete(let c): count + c.items.count
                default: count
                }
            }
        }
    }
}

/// Suspend and resume (OMA DS 1.2 Alert 224/225), client and server engine
/// in memory. Each test cuts one message and checks what the resumed session
/// resends (only what the other side had not confirmed) and that both ends
/// then hold every record once.
@Suite("Client and server: suspend and resume")
struct ResumeTests {
    static let count = 60

    /// A client whose messages hold about ten contacts each.
    static func client(_ harness: Harness, _ deviceID: String, _ source: MemorySource, _ transport: CuttingTransport,
                       state: ClientState) -> SyncClient {
        var configuration = ClientConfiguration(serverURL: "http://server.test/sync", user: "test", password: "test", deviceID: deviceID)
        configuration.maxMessageSize = 6_000
        return SyncClient(configuration: configuration, datastores: [ClientDatastore(name: "contacts", kind: .contacts, source: source)],
                          transport: transport, state: state)
    }

    static func book(_ count: Int = count) async -> MemorySource {
        let source = MemorySource()
        for index in 0..<count {
            await source.put(vCard("Given\(index)", "Family\(index)", tel: "+49 30 \(100_000 + index)", email: "p\(index)@example.org"))
        }
        return source
    }

    /// Every record once on the server and on each source, and a further two-way sync changes nothing.
    static func expectConverged(_ harness: Harness, _ clients: [(SyncClient, MemorySource)], count: Int) async throws {
        let server = try await harness.serverItems()
        #expect(server.count == count)
        #expect(Set(server).count == count)
        for (client, source) in clients {
            let report = try await client.sync()
            #expect(report.datastores[0].performed == .twoWay)
            #expect(report.datastores[0].local == SyncReport.Counts())
            #expect(report.datastores[0].remote == SyncReport.Counts())
            let texts = await source.texts
            #expect(texts.count == count)
            #expect(Set(texts).count == count)
        }
        #expect(try await harness.serverItems().count == count)
    }

    @Test("Slow sync up, a request of the client's changes lost: the resume sends only what the server had not confirmed",
          arguments: [4, 6])
    func slowSyncUpRequestLost(cutAt message: Int) async throws {
        let harness = try await Harness()
        let crm = await Self.book()
        let transport = CuttingTransport(EngineTransport(server: harness.server), cut: .request(message))
        let state = try ClientState.inMemory()
        let client = Self.client(harness, "crm", crm, transport, state: state)
        await #expect { try await client.sync() } throws: { ($0 as? SyncClientError)?.kind == .transport }
        // Confirmed: the items of the requests before the cut whose replies arrived (messages 1 and 2 are the init:
        // a device's first contact is challenged, 401, and the client sends its init again over the new nonce).
        let confirmed = await transport.itemsUp.reduce(0, +)
        #expect(confirmed > 0 && confirmed < Self.count)
        await transport.resetCounts()
        await transport.setCut(nil)

        let report = try await client.sync()
        #expect(report.datastores[0].resumed)
        #expect(report.datastores[0].performed == .slow)
        #expect(await transport.alertsUp.first == 225)
        #expect(await transport.itemsUp.reduce(0, +) == Self.count - confirmed)
        #expect(report.datastores[0].remote.added == Self.count - confirmed)
        try await Self.expectConverged(harness, [(client, crm)], count: Self.count)
    }

    @Test("Slow sync up, the reply to a message of changes lost: those items are resent and recognized, nothing doubles")
    func slowSyncUpReplyLost() async throws {
        let harness = try await Harness()
        let crm = await Self.book()
        let transport = CuttingTransport(EngineTransport(server: harness.server), cut: .reply(4))
        let client = Self.client(harness, "crm", crm, transport, state: try ClientState.inMemory())
        await #expect { try await client.sync() } throws: { ($0 as? SyncClientError)?.kind == .transport }
        let items = await transport.itemsUp
        #expect(items.count == 4)
        let confirmed = items.dropLast().reduce(0, +), unconfirmed = items.last!
        await transport.resetCounts()
        await transport.setCut(nil)

        let report = try await client.sync()
        #expect(report.datastores[0].resumed)
        // The lost reply's items are sent again (the server applied them: they come back as matches).
        #expect(await transport.itemsUp.reduce(0, +) == Self.count - confirmed)
        #expect(unconfirmed > 0)
        try await Self.expectConverged(harness, [(client, crm)], count: Self.count)
    }

    @Test("Slow sync down to an empty device, cut while the server's changes arrive: the server resends only unconfirmed items",
          arguments: [CuttingTransport.Cut.request(4), .reply(4)])
    func slowSyncDownCut(_ cut: CuttingTransport.Cut) async throws {
        let harness = try await Harness()
        let crm = await Self.book()
        let crmClient = try harness.client("crm", crm)
        try await crmClient.sync()
        let phone = MemorySource()
        let transport = CuttingTransport(EngineTransport(server: harness.server), cut: cut)
        let client = Self.client(harness, "phone", phone, transport, state: try ClientState.inMemory())
        await #expect { try await client.sync() } throws: { ($0 as? SyncClientError)?.kind == .transport }
        let received = await phone.records.count
        #expect(received > 0 && received < Self.count)
        // The client confirms a message's items in its next request: those of the last reply before the cut are unconfirmed
        // (with the request cut, the server never got their statuses; with the reply cut, the client never got them).
        let down = await transport.itemsDown
        let confirmedByServer = down.dropLast().reduce(0, +)
        await transport.resetCounts()
        await transport.setCut(nil)

        let report = try await client.sync()
        #expect(report.datastores[0].resumed)
        #expect(report.datastores[0].performed == .slow)
        #expect(await transport.itemsDown.reduce(0, +) == Self.count - confirmedByServer)
        // What it received before the cut, the client does not send back.
        #expect(await transport.itemsUp.reduce(0, +) == 0)
        // Items the host already had (their Map never arrived) are updated in place, not added twice.
        #expect(await phone.records.count == Self.count)
        try await Self.expectConverged(harness, [(client, phone), (crmClient, crm)], count: Self.count)
    }

    @Test("The map message is lost: the resume resends no item twice on either side, and the maps arrive")
    func mapLost() async throws {
        let harness = try await Harness()
        let crm = await Self.book(12)
        try await harness.client("crm", crm).sync()
        let phone = MemorySource()
        let transport = CuttingTransport(EngineTransport(server: harness.server))
        let client = Self.client(harness, "phone", phone, transport, state: try ClientState.inMemory())
        // Messages: 1 init (challenged), 2 init again, 3 (empty) changes, then the server's two messages (the second
        // asked for by 222), then the map.
        await transport.setCut(.request(5))
        await #expect { try await client.sync() } throws: { ($0 as? SyncClientError)?.kind == .transport }
        #expect(await phone.records.count == 12)
        await transport.setCut(nil)
        let report = try await client.sync()
        #expect(report.datastores[0].resumed)
        #expect(report.datastores[0].local.added == 0)
        #expect(await phone.records.count == 12)
        try await Self.expectConverged(harness, [(client, phone)], count: 12)
    }

    @Test("The host suspends (Alert 224) in the middle of its changes; the next sync resumes and completes")
    func hostSuspends() async throws {
        let harness = try await Harness()
        let crm = await Self.book()
        let transport = CuttingTransport(EngineTransport(server: harness.server))
        let client = Self.client(harness, "crm", crm, transport, state: try ClientState.inMemory())
        await transport.setAfterSend { number in if number == 3 { await client.suspend() } }
        let first = try await client.sync()
        #expect(first.suspended)
        #expect(await transport.alertsUp.contains(224))
        let confirmed = await transport.itemsUp.reduce(0, +)
        #expect(confirmed > 0 && confirmed < Self.count)
        await transport.setAfterSend { _ in }
        await transport.resetCounts()

        let second = try await client.sync()
        #expect(!second.suspended)
        #expect(second.datastores[0].resumed)
        #expect(await transport.itemsUp.reduce(0, +) == Self.count - confirmed)
        try await Self.expectConverged(harness, [(client, crm)], count: Self.count)
    }

    @Test("Two-way sync with changes on both sides, cut in the middle: the resume converges, both devices agree")
    func twoWayCut() async throws {
        let harness = try await Harness()
        let crm = await Self.book(), laptop = MemorySource()
        let crmState = try ClientState.inMemory()
        let transport = CuttingTransport(EngineTransport(server: harness.server))
        let crmClient = Self.client(harness, "crm", crm, transport, state: crmState)
        let laptopClient = try harness.client("laptop", laptop)
        try await crmClient.sync()
        try await laptopClient.sync()
        // 30 edits on the CRM, 20 new contacts on the laptop.
        for (id, record) in await crm.records.sorted(by: { $0.key < $1.key }).prefix(30) {
            await crm.put(String(decoding: record.payload, as: UTF8.self).replacingOccurrences(of: "END:VCARD", with: "NOTE:edited\r\nEND:VCARD"), id: id)
        }
        for index in 0..<20 { await laptop.put(vCard("New\(index)", "Laptop\(index)")) }
        try await laptopClient.sync()

        await transport.resetCounts()
        let before = await transport.sent
        await transport.setCut(.reply(before + 3))
        await #expect { try await crmClient.sync() } throws: { ($0 as? SyncClientError)?.kind == .transport }
        await transport.setCut(nil)
        let report = try await crmClient.sync()
        #expect(report.datastores[0].resumed)
        #expect(report.datastores[0].performed == .twoWay)
        #expect(try await laptopClient.sync().datastores[0].local.updated == 30)
        try await Self.expectConverged(harness, [(crmClient, crm), (laptopClient, laptop)], count: Self.count + 20)
        #expect(await laptop.texts.filter { $0.contains("NOTE:edited") }.count == 30)
    }

    @Test("A server restarted after suspending its sessions resumes them from the store")
    func resumeAcrossServerRestart() async throws {
        let harness = try await Harness()
        let crm = await Self.book()
        let transport = CuttingTransport(EngineTransport(server: harness.server), cut: .reply(3))
        let client = Self.client(harness, "crm", crm, transport, state: try ClientState.inMemory())
        await #expect { try await client.sync() } throws: { ($0 as? SyncClientError)?.kind == .transport }
        await harness.server.suspendAll()
        // A new server process on the same store.
        let restarted = SyncServer(store: harness.store, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        await transport.setServer(restarted)
        await transport.setCut(nil)
        let report = try await client.sync()
        #expect(report.datastores[0].resumed)
        let server = Harness(store: harness.store, server: restarted)
        try await Self.expectConverged(server, [(client, crm)], count: Self.count)
    }

    @Test("A server that lost the session (killed, not shut down) refuses the resume; the sync starts over and nothing doubles")
    func resumeRefused() async throws {
        let harness = try await Harness()
        let crm = await Self.book()
        let transport = CuttingTransport(EngineTransport(server: harness.server), cut: .reply(3))
        let client = Self.client(harness, "crm", crm, transport, state: try ClientState.inMemory())
        await #expect { try await client.sync() } throws: { ($0 as? SyncClientError)?.kind == .transport }
        let restarted = SyncServer(store: harness.store, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        await transport.setServer(restarted)
        await transport.setCut(nil)
        await transport.resetCounts()
        let report = try await client.sync()
        #expect(!report.datastores[0].resumed)
        #expect(report.datastores[0].performed == .slow)
        #expect(await transport.itemsUp.reduce(0, +) == Self.count)
        let server = Harness(store: harness.store, server: restarted)
        try await Self.expectConverged(server, [(client, crm)], count: Self.count)
    }
}
