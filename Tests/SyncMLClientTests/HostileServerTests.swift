import Foundation
import SyncMLClient
import SyncMLCodec
import SyncMLProtocol
import SyncMLServer
import SyncMLStore
import Testing

/// A server that lies: the honest engine behind it, each of its replies
/// rewritten by `tamper` before the client reads it. Every request the client
/// sent is kept, to look for the password in it and at the statuses it answered with.
actor HostileTransport: SyncTransport {
    typealias Tamper = @Sendable (inout SyncMLMessage) -> Void
    let inner: EngineTransport
    let tamper: Tamper
    private(set) var requests: [[UInt8]] = []
    /// Items (Add, Replace, Delete) in the replies the client got.
    private(set) var itemsDown = 0

    init(_ server: SyncServer, tamper: @escaping Tamper = { _ in }) {
        inner = EngineTransport(server: server)
        self.tamper = tamper
    }

    func send(_ body: [UInt8], contentType: String, to url: String) async throws -> TransportReply {
        requests.append(body)
        var reply = try await inner.send(body, contentType: contentType, to: url)
        var message = try SyncMLMessage(decoding: reply.body)
        tamper(&message)
        itemsDown += CuttingTransport.items(in: message)
        reply.body = message.encoded(as: reply.contentType.contains("wbxml") ? .wbxml : .xml)
        return reply
    }

    /// The statuses the client sent for commands named `cmd`.
    func statuses(for cmd: String) -> [Status] {
        requests.compactMap { try? SyncMLMessage(decoding: $0) }.flatMap { message in
            message.commands.compactMap { if case .status(let status) = $0, status.cmd == cmd { status } else { nil } }
        }
    }
}

extension SyncMLMessage {
    /// The mode Alert the server sends for the client's datastore `uri`, rewritten to `code`.
    mutating func grant(_ code: AlertCode, to uri: String) {
        for index in commands.indices {
            if case .alert(var alert) = commands[index], alert.items.first?.target?.locURI == uri, SyncMode(alert: alert.code ?? .display) != nil {
                alert.code = code
                commands[index] = .alert(alert)
            }
        }
    }
}

/// Our client against a server that tries to take it over (the security issue):
/// to learn the password, to wipe the host's records, to keep it busy forever.
/// Each attack fails, and the honest server syncs the same client normally afterwards.
@Suite("Client: a hostile server")
struct HostileServerTests {
    static let secret = "s3cret-Pa55word"

    /// A client on its own `state`, syncing `datastores` through `transport`.
    static func client(_ transport: any SyncTransport, _ datastores: [ClientDatastore], state: ClientState, user: String = "test",
                       password: String = "test", configure: (inout ClientConfiguration) -> Void = { _ in }) -> SyncClient {
        var configuration = ClientConfiguration(serverURL: "http://server.test/sync", user: user, password: password, deviceID: "crm")
        configure(&configuration)
        return SyncClient(configuration: configuration, datastores: datastores, transport: transport, state: state)
    }

    static func contacts(_ source: MemorySource) -> [ClientDatastore] { [ClientDatastore(name: "contacts", kind: .contacts, source: source)] }

    static func book(_ count: Int = 12) async -> MemorySource {
        let source = MemorySource()
        for index in 0..<count { await source.put(vCard("Given\(index)", "Family\(index)", tel: "+49 30 \(500_000 + index)"), id: "r\(index)") }
        return source
    }

    @Test("a 401 asking for basic auth is refused: the password is sent in no form, and the client still syncs with MD5")
    func noDowngradeToBasic() async throws {
        let harness = try await Harness()
        try await harness.store.addUser(name: "alice", password: Self.secret, md5: true, iterations: 1_000)
        let crm = await Self.book(3)
        let state = try ClientState.inMemory()
        let hostile = HostileTransport(harness.server) { reply in
            for index in reply.commands.indices {
                if case .status(var status) = reply.commands[index], status.cmd == "SyncHdr" {
                    status.code = .invalidCredentials
                    status.chal = Challenge(meta: Meta(format: "b64", type: "syncml:auth-basic"))
                    reply.commands[index] = .status(status)
                }
            }
        }
        let client = Self.client(hostile, Self.contacts(crm), state: state, user: "alice", password: Self.secret)
        await #expect {
            try await client.sync()
        } throws: { error in
            guard let error = error as? SyncClientError else { return false }
            return error.kind == .authentication && error.message.contains("basic") && error.message.contains("--basic-auth")
        }
        let sent = await hostile.requests
        #expect(sent.count == 1, "nothing is sent after the challenge")
        let forms = [Self.secret, Data(Self.secret.utf8).base64EncodedString(), Data("alice:\(Self.secret)".utf8).base64EncodedString()]
        for body in sent {
            for form in forms { #expect(body.firstRange(of: Array(form.utf8)) == nil, "the password is not in a request (\(form))") }
        }

        let report = try await Self.client(EngineTransport(server: harness.server), Self.contacts(crm), state: state, user: "alice",
                                           password: Self.secret).sync()
        #expect(report.isComplete)
        #expect(report.datastores[0].remote.added == 3)
    }

    @Test("a mode the client did not ask for is refused for that datastore alone: nothing applied or deleted, the other datastore syncs",
          arguments: [AlertCode.refreshFromServer, .oneWayFromServer, .slow])
    func unaskedModeIsRefused(_ code: AlertCode) async throws {
        let harness = try await Harness()
        let crm = await Self.book()
        let notes = MemorySource(type: "text/plain")
        await notes.put("first note")
        let state = try ClientState.inMemory()
        let datastores = Self.contacts(crm) + [ClientDatastore(name: "notes", kind: .notes, source: notes)]
        try await Self.client(EngineTransport(server: harness.server), datastores, state: state).sync()
        await crm.put(vCard("Local", "Change"), id: "local")
        await notes.put("second note")

        let hostile = HostileTransport(harness.server) { $0.grant(code, to: "./contacts") }
        let report = try await Self.client(hostile, datastores, state: state).sync()
        let contacts = report.datastores[0]
        let mode = try #require(SyncMode(alert: code))
        #expect(contacts.refusal?.contains("the server granted \(mode), not the two-way asked for") == true
                || contacts.refusal?.contains("demands a slow sync") == true, "\(contacts.refusal ?? "-")")
        #expect(report.description.contains("contacts: refused: "), "\(report.description)")
        #expect(!report.isComplete)
        #expect(contacts.local == SyncReport.Counts() && contacts.remote == SyncReport.Counts())
        #expect(await crm.records.count == 13)
        #expect(try await harness.serverItems().count == 12, "the refused datastore sent nothing")
        #expect(await hostile.statuses(for: "Alert").contains { $0.code == .forbidden }, "the server's Alert is answered 403")
        #expect(report.datastores[1].performed == .twoWay)
        #expect(report.datastores[1].remote.added == 1, "notes went on")

        let honest = try await Self.client(EngineTransport(server: harness.server), datastores, state: state).sync()
        #expect(honest.isComplete)
        #expect(honest.datastores[0].performed == .twoWay)
        #expect(honest.datastores[0].remote.added == 1)
        #expect(honest.datastores[0].local == SyncReport.Counts())
        #expect(await crm.records.count == 13)
        #expect(try await harness.serverItems().count == 13)
    }

    @Test("a Delete for every record of the host is held back (mass delete) and answered 503: all 12 records stay")
    func deletesOfEverythingAreHeld() async throws {
        let harness = try await Harness()
        let crm = await Self.book()
        let state = try ClientState.inMemory()
        try await Self.client(EngineTransport(server: harness.server), Self.contacts(crm), state: state).sync()
        let ids = await crm.records.keys.sorted()

        let hostile = HostileTransport(harness.server) { reply in
            for index in reply.commands.indices {
                guard case .sync(var sync) = reply.commands[index], sync.target?.locURI == "./contacts" else { continue }
                for (number, id) in ids.enumerated() {
                    sync.commands.append(.delete(ItemCommand(cmdID: "\(900 + number)", meta: Meta(type: "text/vcard"),
                                                             items: [Item(target: Location(id), source: Location("server-\(id)"))])))
                }
                reply.commands[index] = .sync(sync)
            }
        }
        let report = try await Self.client(hostile, Self.contacts(crm), state: state).sync()
        #expect(report.datastores[0].heldServerDeletes == 12)
        #expect(report.datastores[0].local.deleted == 0)
        #expect(report.description.contains("12 deletes from the server held back"), "\(report.description)")
        #expect(await crm.records.count == 12)
        let answers = await hostile.statuses(for: "Delete")
        #expect(answers.count == 12 && answers.allSatisfy { $0.code == .serviceUnavailable }, "\(answers.map(\.code))")

        let honest = try await Self.client(EngineTransport(server: harness.server), Self.contacts(crm), state: state).sync()
        #expect(honest.isComplete)
        #expect(honest.datastores[0].performed == .twoWay)
        #expect(honest.datastores[0].remote == SyncReport.Counts(), "the held records are not sent back")
        #expect(await crm.records.count == 12)
        #expect(try await harness.serverItems().count == 12)
    }

    @Test("a server that never sends Final is stopped after maxIdleMessages empty messages; the honest server then completes the sync")
    func neverFinal() async throws {
        let harness = try await Harness()
        let crm = await Self.book(3)
        let state = try ClientState.inMemory()
        try await Self.client(EngineTransport(server: harness.server), Self.contacts(crm), state: state).sync()
        await crm.put(vCard("New", "Contact"), id: "new")

        // The init package stays final (so the modes are granted); nothing after it ever is.
        let hostile = HostileTransport(harness.server) { reply in
            if !reply.commands.contains(where: { if case .alert = $0 { true } else { false } }) { reply.isFinal = false }
        }
        let client = Self.client(hostile, Self.contacts(crm), state: state) { $0.sessionLimits.maxIdleMessages = 5 }
        await #expect {
            try await client.sync()
        } throws: { error in
            guard let error = error as? SyncClientError else { return false }
            return error.kind == .protocolViolation && error.message.contains("without Final")
        }
        #expect(await hostile.requests.count <= 12)

        let honest = try await Self.client(EngineTransport(server: harness.server), Self.contacts(crm), state: state).sync()
        #expect(honest.isComplete)
        #expect(honest.datastores[0].performed == .twoWay)
        #expect(await crm.records.count == 4)
        #expect(try await harness.serverItems().count == 4)
    }

    @Test("the message cap and the received-bytes cap end a long session with .sessionLimit; the next sync completes it, nothing doubled")
    func sessionCaps() async throws {
        let harness = try await Harness()
        let crm = await Self.book(50)
        let crmState = try ClientState.inMemory()
        let counting = HostileTransport(harness.server)
        let small: (inout ClientConfiguration) -> Void = { $0.maxMessageSize = 4_000 }
        let capped = Self.client(counting, Self.contacts(crm), state: crmState) { small(&$0); $0.sessionLimits.maxMessages = 4 }
        await #expect { try await capped.sync() } throws: { ($0 as? SyncClientError)?.kind == .sessionLimit }
        #expect(await counting.requests.count == 4)
        try await Self.client(EngineTransport(server: harness.server), Self.contacts(crm), state: crmState, configure: small).sync()
        #expect(try await harness.serverItems().count == 50)

        let phone = MemorySource()
        var phoneConfiguration = ClientConfiguration(serverURL: "http://server.test/sync", user: "test", password: "test", deviceID: "phone")
        phoneConfiguration.sessionLimits.maxBytesReceived = 3_000
        let phoneState = try ClientState.inMemory()
        let flooded = SyncClient(configuration: phoneConfiguration, datastores: Self.contacts(phone),
                                 transport: EngineTransport(server: harness.server), state: phoneState)
        await #expect { try await flooded.sync() } throws: { error in
            (error as? SyncClientError).map { $0.kind == .sessionLimit && $0.message.contains("3000 bytes") } ?? false
        }
        phoneConfiguration.sessionLimits = SessionLimits()
        try await SyncClient(configuration: phoneConfiguration, datastores: Self.contacts(phone),
                             transport: EngineTransport(server: harness.server), state: phoneState).sync()
        #expect(await phone.records.count == 50)
        #expect(Set(await phone.texts).count == 50)
        #expect(try await harness.serverItems().count == 50)
    }
}

/// A server that lost a device's anchors demands a slow sync (508). A slow sync
/// can bring back deleted records or pair records wrongly, so the client takes it
/// only for an empty datastore or when the user allows it (SyncEvolution's default).
@Suite("Client: a slow sync the server demands")
struct ServerSlowSyncTests {
    static func forgetDevice(_ harness: Harness, _ deviceID: String) async throws {
        let user = try await harness.store.user(named: "test")
        let device = try await harness.store.device(devID: deviceID, user: user)
        try await harness.store.resetDevice(device, datastore: try await harness.store.datastore(named: "contacts", user: user))
    }

    @Test("refused for a datastore holding records (403 to the server, nothing applied), again next time; allowed, it runs and duplicates nothing")
    func refusedUnlessAllowed() async throws {
        let harness = try await Harness()
        let crm = await HostileServerTests.book()
        let state = try ClientState.inMemory()
        let datastores = HostileServerTests.contacts(crm)
        try await HostileServerTests.client(EngineTransport(server: harness.server), datastores, state: state).sync()
        try await Self.forgetDevice(harness, "crm")

        let watched = HostileTransport(harness.server)
        let refused = try await HostileServerTests.client(watched, datastores, state: state).sync()
        #expect(refused.datastores[0].performed == .slow)
        #expect(refused.datastores[0].refusal?.contains("the server demands a slow sync") == true)
        #expect(refused.datastores[0].refusal?.contains("--allow-slow-sync") == true)
        #expect(refused.datastores[0].local == SyncReport.Counts())
        #expect(!refused.isComplete)
        #expect(await watched.statuses(for: "Alert").contains { $0.code == .forbidden })
        #expect(await watched.itemsDown == 0, "the server took the refusal: it sent none of its records")
        #expect(await crm.records.count == 12)
        // The server saved nothing for the refused datastore: it asks again.
        let again = try await HostileServerTests.client(EngineTransport(server: harness.server), datastores, state: state).sync()
        #expect(again.datastores[0].refusal != nil)

        let allowed = try await HostileServerTests.client(EngineTransport(server: harness.server), datastores, state: state) {
            $0.allowServerSlowSync = true
        }.sync()
        #expect(allowed.isComplete)
        #expect(allowed.datastores[0].performed == .slow)
        #expect(await crm.records.count == 12)
        #expect(try await harness.serverItems().count == 12)
    }

    @Test("accepted without asking for an empty datastore: the records arrive")
    func acceptedWhenEmpty() async throws {
        let harness = try await Harness()
        let phone = MemorySource()
        let phoneClient = try harness.client("phone", phone)
        try await phoneClient.sync()
        try await harness.client("crm", await HostileServerTests.book(3)).sync()
        try await Self.forgetDevice(harness, "phone")
        let report = try await phoneClient.sync()
        #expect(report.isComplete)
        #expect(report.datastores[0].requested == .twoWay)
        #expect(report.datastores[0].performed == .slow)
        #expect(await phone.records.count == 3)
    }
}

@Suite("Client: a server reached over https cannot move the session out of TLS")
struct RespURIDowngradeTests {
    @Test("A RespURI of plain http after an https start is refused before anything more is sent")
    func httpsToHTTP() async throws {
        let harness = try await Harness()
        let transport = HostileTransport(harness.server) { message in
            message.header.respURI = message.header.respURI?.replacingOccurrences(of: "https://", with: "http://")
        }
        let source = MemorySource()
        await source.put(vCard("Anna", "Meier"))
        let client = SyncClient(
            configuration: ClientConfiguration(serverURL: "https://server.test/sync", user: "test", password: "test", deviceID: "laptop"),
            datastores: [ClientDatastore(name: "contacts", kind: .contacts, source: source)], transport: transport,
            state: try ClientState.inMemory())
        await #expect { try await client.sync() } throws: { error in
            (error as? SyncClientError)?.kind == .protocolViolation && "\(error)".contains("leaves https")
        }
        // The challenged init and its repeat: nothing went to the plain-http URL.
        #expect(await transport.requests.count == 2)
        #expect(try await harness.serverItems().isEmpty)
    }
}
