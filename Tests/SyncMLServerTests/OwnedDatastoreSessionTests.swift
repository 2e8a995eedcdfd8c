import Foundation
import SyncMLCodec
import SyncMLRecords
@testable import SyncMLServer
@testable import SyncMLStore
import Testing

/// A slow or refresh-from-client sync into an empty datastore that nobody else
/// writes to: the session owns it, keeps no per-GUID state, sends nothing back and
/// deletes nothing. Another writer ends that, and the session then does what it
/// did before ownership existed: the sets are rebuilt from the journal.
@Suite("Server: a slow sync into an empty datastore keeps no per-item state while it is the only writer")
struct OwnedDatastoreSessionTests {
    static var shared: ServerConfiguration { LiveSessionTests.shared }

    /// A phone of `count` contacts that sends them `perMessage` a message.
    static func phone(_ server: TestServer, count: Int = 12, perMessage: Int = 4) -> FakePhone {
        let phone = FakePhone(server, devID: "phone")
        phone.changesPerMessage = perMessage
        for index in 0..<count { phone.add(contact(index)) }
        return phone
    }

    static func contact(_ index: Int, note: String? = nil) -> String {
        vCard("Given\(index)", "Family\(index)", tel: "+49 30 \(3_000_000 + index)", email: "owned\(index)@example.com", note: note)
    }

    /// A second device of user `test` that writes straight to the store.
    struct OtherWriter {
        let store: SyncStore
        let datastore: DatastoreID
        let device: DeviceID

        init(_ server: TestServer, devID: String = "crm") async throws {
            store = server.store
            let user = try await store.user(named: "test")
            datastore = try await store.datastore(named: "contacts", user: user)
            device = try await store.device(devID: devID, user: user)
        }

        func add(_ text: String, luid: String) async throws {
            let bytes = Array(text.utf8)
            let signature = try RecordSignature(parsing: bytes)
            _ = try await store.apply([ItemChange(.add, luid: luid, payload: bytes, fingerprint: signature.fingerprint,
                                                  matchKeys: signature.matchKey.indexKeys)], datastore: datastore, device: device)
        }
    }

    /// The phone's session as last saved in the store (shared sessions), and its per-GUID rows.
    static func saved(_ server: TestServer) async throws -> (contacts: DatastoreSnapshot, layout: Int, rows: [LiveSessionItemRow]) {
        let token = try #require(try await server.store.liveSessions(user: server.store.user(named: "test")).first?.token)
        let state = try LiveSessionState.decode(try #require(try await server.store.liveSession(token: token)).state)
        return (try #require(state.datastores.first), state.layout, try await server.store.liveSessionItems(token: token))
    }

    @Test("Twelve contacts in three messages into an empty datastore: all kept, none sent back, no per-GUID row saved")
    func ownedKeepsNoSets() async throws {
        let server = try await TestServer(configuration: Self.shared)
        let phone = Self.phone(server)
        let report = try await phone.sync(.slow)
        #expect(report.itemStatuses == Array(repeating: 201, count: 12))
        #expect(report.received.isEmpty)
        #expect(Set(try await server.items("contacts")) == Set(phone.items.values))
        let saved = try await Self.saved(server)
        #expect(saved.contacts.ownership != nil && saved.layout == 3)
        #expect(saved.rows.isEmpty, "nothing per GUID: \(saved.rows.count) rows")
        // The next two-way sync has nothing to do either way.
        let twoWay = try await phone.sync()
        #expect(twoWay.received.isEmpty && twoWay.itemStatuses.isEmpty)
    }

    @Test("Two identical contacts in different messages stay two items: the first is the session's own, never a twin to pair with")
    func identicalRecordsStayTwo() async throws {
        let server = try await TestServer()
        let phone = Self.phone(server, count: 5, perMessage: 2)
        phone.add(Self.contact(1))
        let report = try await phone.sync(.slow)
        #expect(report.itemStatuses == Array(repeating: 201, count: 6))
        #expect(report.received.isEmpty)
        let items = try await server.items("contacts")
        #expect(items.count == 6)
        #expect(items.filter { $0 == Self.contact(1) }.count == 2)
    }

    @Test("Another device writes between two messages: its new contact is sent back, its twin of a later one pairs, the phone's own are neither sent nor paired",
          arguments: [false, true])
    func anotherWriterMidSession(shared: Bool) async throws {
        let server = try await TestServer(configuration: shared ? Self.shared : ServerConfiguration())
        let phone = Self.phone(server)
        let crm = try await OtherWriter(server)
        // Message 1 is the init; 2, 3 and 4 the changes, by LUID: L1, L10-L12 (contacts 0, 9-11), L2-L5, L6-L9 (5-8).
        phone.beforeSending = { msgID in
            guard msgID == 3 else { return }
            try? await crm.add(Self.contact(100), luid: "crm-100")
            try? await crm.add(Self.contact(7), luid: "crm-7")
        }
        let report = try await phone.sync(.slow)
        #expect(report.itemStatuses.count == 12 && report.itemStatuses.allSatisfy { (200...299).contains($0) })
        #expect(report.received == [Self.contact(100)], "only the other device's new contact: \(report.received.count) sent")
        #expect(try await server.items("contacts").count == 13, "the phone's 12 (one paired with the other device's twin) and its new one")
        #expect(Set(try await server.items("contacts")) == Set(phone.items.values))
        if shared {
            let saved = try await Self.saved(server)
            #expect(saved.contacts.ownership == nil && saved.layout == 2)
            #expect(saved.rows.filter { $0.claimed && $0.fingerprint != nil }.count == 12, "the phone's 12: paired and held")
            #expect(saved.rows.filter { $0.confirmed != nil }.count == 1, "the one sent back: confirmed")
        }
        let twoWay = try await phone.sync()
        #expect(twoWay.received.isEmpty && twoWay.itemStatuses.isEmpty)
    }

    @Test("A refresh from the client into an empty datastore deletes nothing; with another device's contact written mid-session, only that goes")
    func refreshFromClient() async throws {
        let server = try await TestServer()
        let phone = Self.phone(server)
        let report = try await phone.sync(.refreshFromClient)
        #expect(report.grantedMode == 203 && report.received.isEmpty)
        #expect(try await server.items("contacts").count == 12)

        let later = try await TestServer()
        let other = Self.phone(later)
        let crm = try await OtherWriter(later)
        other.beforeSending = { msgID in
            if msgID == 3 { try? await crm.add(Self.contact(100), luid: "crm-100") }
        }
        _ = try await other.sync(.refreshFromClient)
        #expect(Set(try await later.items("contacts")) == Set((0..<12).map { Self.contact($0) }), "the phone's 12 kept, the other's deleted")
    }

    @Test("Suspended mid slow sync and resumed: still nothing sent back; a contact another device wrote during the suspension is",
          arguments: [false, true])
    func suspendAndResume(otherWriter: Bool) async throws {
        let server = try await TestServer()
        let phone = Self.phone(server)
        // Lost after two of the three messages of changes; the device's next session suspends this one, and resumes it.
        phone.cutBefore = 4
        await #expect(throws: TestFailure.self) { try await phone.sync(.slow) }
        if otherWriter { try await OtherWriter(server).add(Self.contact(100), luid: "crm-100") }
        let report = try await phone.sync(.resume)
        #expect(report.alertStatus == 200 && report.grantedMode == 201, "resumed, not a new slow sync")
        #expect(report.received == (otherWriter ? [Self.contact(100)] : []), "\(report.received.count) sent back")
        #expect(try await server.items("contacts").count == (otherWriter ? 13 : 12))
        #expect(Set(try await server.items("contacts")) == Set(phone.items.values))
    }

    @Test("A shared session moving between two nodes after it wrote keeps its ownership: no row, nothing sent back")
    func movesBetweenNodes() async throws {
        let first = try await TestServer(configuration: Self.shared)
        let second = TestServer(sharingStoreOf: first, configuration: Self.shared)
        let phone = Self.phone(first)
        // Posts go first, second, second, first, second: the init challenged (first), then the session
        // begins and takes the first changes on the second node, moves to the first, and back.
        phone.otherNodes = [second, second]
        let report = try await phone.sync(.slow)
        #expect(report.itemStatuses == Array(repeating: 201, count: 12))
        #expect(report.received.isEmpty)
        #expect(try await first.items("contacts").count == 12)
        let saved = try await Self.saved(first)
        #expect(saved.contacts.ownership != nil && saved.rows.isEmpty)
    }

    @Test("A saved session or resume state from before ownership reads as not owned, its sets as saved")
    func olderStatesReadAsNotOwned() throws {
        let fields = #"{"clientURI":"./c","serverURI":"contacts","acknowledged":0,"clientHas":{},"claimed":["g1"],"confirmed":{}}"#
        let decoded = try JSONDecoder().decode(ServerResumeFields.self, from: Data(fields.utf8))
        #expect(decoded.ownership == nil && decoded.claimed == ["g1"])
        // An owned state leaves the sets out, so a build without ownership cannot read it (and does not resume it).
        var owned = decoded
        (owned.clientHas, owned.claimed, owned.ownership) = (nil, nil, DatastoreOwnership(since: 7))
        let encoded = String(decoding: try JSONEncoder().encode(owned), as: UTF8.self)
        #expect(!encoded.contains("clientHas") && !encoded.contains("claimed"))
        #expect(try JSONDecoder().decode(ServerResumeFields.self, from: Data(encoded.utf8)).ownership == DatastoreOwnership(since: 7))
    }
}
