import Foundation
import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLRecords
@testable import SyncMLServer
@testable import SyncMLStore
import Testing

/// A session's state as one value, saved in the store after each message
/// (`ServerConfiguration.sharesSessions`, issue #18): another server on the
/// store takes the session up from it and answers exactly as the first would.
@Suite("Server: a session taken up by another server from its saved state")
struct LiveSessionTests {
    static var shared: ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.sharesSessions = true
        return configuration
    }

    @Test("After each message of a recorded session, a server on a copy of the store answers the next message byte for byte as the original",
          arguments: ["01-slow-first-wbxml", "03-slow-receive-map-wbxml", "07-large-object-chunked-xml"])
    func byteForByte(_ caseName: String) async throws {
        let original = try await TestServer(configuration: Self.shared)
        // Records on the server, more than one of the client's 10 kB messages holds (07): the server's changes go
        // out over several messages, and some sessions are taken up with part of them sent.
        try await Self.addContacts(40, to: original.store)
        let messages = try Fixtures.clientMessages(caseName)
        let wbxml = caseName.hasSuffix("wbxml")
        let nonce = try #require(try await original.post(messages[0], wbxml: wbxml).status(for: "SyncHdr")?.chal?.meta?.nextNonce)
        let first = try await original.post(Fixtures.answering(messages[0], challenge: nonce, wbxml: wbxml), wbxml: wbxml)
        let respURI = try #require(first.header.respURI)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        var compared = 0
        for (index, message) in messages.enumerated().dropFirst() {
            let copy = directory.appendingPathComponent("\(index).sqlite").path
            try await original.store.copy(to: copy)
            let other = try TestServer(store: SyncStore(path: copy), configuration: Self.shared)
            let request = SyncRequest(body: message, contentType: wbxml ? "application/vnd.syncml+wbxml" : "application/vnd.syncml+xml", url: respURI)
            let expected = await original.server.handle(request)
            let taken = await other.server.handle(request)
            #expect(expected.httpStatus == 200)
            #expect(taken.httpStatus == expected.httpStatus && taken.body == expected.body,
                    "message \(index + 1): \(String(decoding: taken.body.prefix(300), as: UTF8.self))")
            #expect(await other.server.sessionCount == 1, "the other server took the session up")
            compared += 1
        }
        #expect(compared == messages.count - 1)
    }

    @Test("A session's value survives encoding: what it keeps mid-sync (queue part-sent, awaited statuses, DevInf) reads back equal")
    func valueRoundTrip() async throws {
        let server = try await TestServer(configuration: Self.shared)
        try await Self.addContacts(40, to: server.store)
        let messages = try Fixtures.clientMessages("07-large-object-chunked-xml")
        let nonce = try #require(try await server.post(messages[0], wbxml: false).status(for: "SyncHdr")?.chal?.meta?.nextNonce)
        let first = try await server.post(Fixtures.answering(messages[0], challenge: nonce, wbxml: false), wbxml: false)
        for message in messages[1...3] { _ = try await server.post(message, wbxml: false, url: first.header.respURI) }
        let token = try #require(first.header.respURI.flatMap(SyncServer.sessionToken(in:)))
        let record = try #require(try await server.store.liveSession(token: token))
        let state = try LiveSessionState.decode(record.state)
        #expect(state.phase == "serverSync")
        let contacts = try #require(state.datastores.first)
        let queued = try await server.store.rowCount("live_session_queue")
        #expect(contacts.outgoing.position > 0 && contacts.outgoing.position < queued, "part of the queue sent")
        #expect(state.negotiation.clientDevInf != nil)
        #expect(try LiveSessionState.decode(state.encoded()).encodedSorted() == state.encodedSorted())
        #expect(record.messageCount == 4)
    }

    @Test("What grows with the book is kept in rows: the saved value holds no per-GUID set and no queued change, and a message writes only the GUIDs it changed")
    func rowsForWhatGrows() async throws {
        let server = try await TestServer(configuration: Self.shared)
        try await Self.addContacts(40, to: server.store)
        let phone = FakePhone(server, devID: "rows")
        phone.maxMsgSize = 6_000
        for index in 0..<12 { phone.add(vCard("Row\(index)", "Grows", tel: "+4420711\(1000 + index)")) }
        let slow = try await phone.sync(.slow)
        #expect(slow.messages > 4 && slow.received.count == 40)
        // An ended session stays in the store until it idles out (a repeated last message is answered from it).
        let token = try #require(try await server.store.liveSessions(user: server.store.user(named: "test")).first?.token)
        let record = try #require(try await server.store.liveSession(token: token))
        let state = try LiveSessionState.decode(record.state)
        let contacts = try #require(state.datastores.first)
        #expect(contacts.clientHas.isEmpty && contacts.claimed.isEmpty && contacts.confirmed.isEmpty && contacts.outgoing.changes.isEmpty)
        #expect(contacts.itemsInRows == true && contacts.queueInRows == true)
        let rows = try await server.store.liveSessionItems(token: token)
        #expect(rows.filter { $0.fingerprint != nil && $0.claimed }.count == 12, "the phone's 12 contacts: held and paired")
        #expect(rows.filter { $0.confirmed != nil }.count == 40, "the server's 40: confirmed by the phone")
        #expect(try await server.store.liveSessionQueue(token: token, datastore: DatastoreID(rawValue: contacts.id)).count == 40)
        // Rows are written by the save of the message that changed them: no message rewrites the whole set.
        let latest = try await server.store.liveSessionItems(token: token, after: record.messageCount - 1)
        #expect(latest.count < rows.count, "the last message wrote \(latest.count) of \(rows.count) rows")
    }

    @Test("A node that stops dead after a message's changes committed, before saving the session: the client's resend to another node neither doubles nor loses an item")
    func stoppedDeadBeforeSaving() async throws {
        var dying = Self.shared
        // The phone's messages: a challenged first contact (this node), the session's first (the other), its changes (this node).
        dying.stopsDeadBeforeSaving = 2
        let first = try await TestServer(configuration: dying)
        let second = TestServer(sharingStoreOf: first, configuration: Self.shared)
        try await Self.addContacts(40, to: first.store)
        let phone = FakePhone(first, devID: "stopped-dead")
        phone.otherNodes = [second]
        phone.resendsAfterFailure = true
        phone.maxMsgSize = 6_000
        for index in 0..<30 { phone.add(vCard("Dead\(index)", "Stopped", tel: "+4420722\(1000 + index)")) }
        let slow = try await phone.sync(.slow)
        #expect(slow.resent == 1, "the changes were sent again after the node stopped")
        #expect(slow.itemStatuses.count == 30 && slow.itemStatuses.allSatisfy { (200...299).contains($0) }, "\(slow.itemStatuses)")
        #expect(slow.received.count == 40, "the server's 40 and none of the phone's own sent back: \(slow.received.count)")
        #expect(try await first.items("contacts").count == 70, "every contact once")
        #expect(Set(try await first.items("contacts")) == Set(phone.items.values), "the phone and the store agree")
        let twoWay = try await phone.sync()
        #expect(twoWay.received.isEmpty && twoWay.itemStatuses.isEmpty, "nothing left over for the next sync")
    }

    @Test("A message repeated to another server (the reply was lost) gets the same reply from the stored session, and nothing is applied twice")
    func repeatedOnAnotherServer() async throws {
        let first = try await TestServer(configuration: Self.shared)
        let second = TestServer(sharingStoreOf: first, configuration: Self.shared)
        let messages = try Fixtures.clientMessages("01-slow-first-wbxml")
        let nonce = try #require(try await first.post(messages[0], wbxml: true).status(for: "SyncHdr")?.chal?.meta?.nextNonce)
        let reply1 = try await first.post(Fixtures.answering(messages[0], challenge: nonce, wbxml: true), wbxml: true)
        let original = try await first.post(messages[1], wbxml: true, url: reply1.header.respURI)
        let again = try await second.post(messages[1], wbxml: true, url: reply1.header.respURI)
        #expect(again == original)
        #expect(try await first.items("contacts").count == 3)
    }

    @Test("Without sharesSessions nothing is written to live_sessions")
    func notSharedWritesNothing() async throws {
        let server = try await TestServer()
        let messages = try Fixtures.clientMessages("01-slow-first-wbxml")
        let nonce = try #require(try await server.post(messages[0], wbxml: true).status(for: "SyncHdr")?.chal?.meta?.nextNonce)
        let first = try await server.post(Fixtures.answering(messages[0], challenge: nonce, wbxml: true), wbxml: true)
        _ = try await server.post(messages[1], wbxml: true, url: first.header.respURI)
        #expect(try await server.store.rowCount("live_sessions") == 0)
    }

    @Test("A token the store does not know is refused (401) on a server that never saw it, and a failed session's row is deleted")
    func unknownToken() async throws {
        let server = try await TestServer(configuration: Self.shared)
        let messages = try Fixtures.clientMessages("01-slow-first-wbxml")
        let reply = try await server.post(messages[1], wbxml: true, url: server.url + "?sessionid=0123456789abcdef0123456789abcdef")
        #expect(reply.statusSummary.first == "SyncHdr 407" || reply.statusSummary.first == "SyncHdr 401")
        #expect(try await server.store.rowCount("live_sessions") == 0)
    }

    @Test("Two servers on one store take a phone's messages in turn: a slow sync and a two-way sync, several messages a package, every item once")
    func alternatingServers() async throws {
        let first = try await TestServer(configuration: Self.shared)
        let second = TestServer(sharingStoreOf: first, configuration: Self.shared)
        try await Self.addContacts(40, to: first.store)
        let phone = FakePhone(first, devID: "alternating")
        phone.otherNodes = [second]
        phone.maxMsgSize = 6_000
        for index in 0..<30 { phone.add(vCard("Phone\(index)", "Alternating", tel: "+4420700\(1000 + index)", note: String(repeating: "p", count: 200))) }
        let slow = try await phone.sync(.slow)
        #expect(slow.messages > 6, "several messages a package: \(slow.messages)")
        #expect(slow.received.count == 40)
        #expect(slow.itemStatuses.count == 30 && slow.itemStatuses.allSatisfy { $0 == 201 })
        #expect(try await first.items("contacts").count == 70)
        let held = (await first.server.sessionCount, await second.server.sessionCount)
        #expect(held.0 >= 1 && held.1 >= 1, "both took part")

        let luids = phone.items.keys.sorted()
        for luid in luids.prefix(5) { phone.edit(luid, vCard("Edited\(luid)", "Alternating")) }
        for luid in luids.dropFirst(5).prefix(3) { phone.delete(luid) }
        let twoWay = try await phone.sync()
        #expect(twoWay.itemStatuses.count == 8 && twoWay.itemStatuses.allSatisfy { (200...299).contains($0) }, "\(twoWay.itemStatuses)")
        #expect(twoWay.received.isEmpty)
        #expect(try await first.items("contacts").count == 67)
        #expect(Set(try await first.items("contacts")) == Set(phone.items.values), "the phone and the store agree, each item once")
    }

    @Test("A session idle past the timeout in the store is abandoned by a server that did not answer its last message: kept for a resume, its row deleted")
    func expiredByAnotherServer() async throws {
        let first = try await TestServer(configuration: Self.shared)
        var expiring = Self.shared
        // Every session counts as idle: a row saved in the very millisecond of the expiry must not be spared.
        expiring.sessionTimeout = .seconds(-60)
        let second = TestServer(sharingStoreOf: first, configuration: expiring)
        let phone = FakePhone(first, devID: "walked-away")
        for index in 0..<3 { phone.add(vCard("Gone\(index)", "Away")) }
        _ = try await phone.sync(.slow)
        phone.add(vCard("Late", "Comer"))
        phone.loseReplyToChanges = true
        _ = try? await phone.sync()
        #expect(try await first.store.rowCount("live_sessions") == 2, "the completed session and the one cut off")
        await second.server.expireIdleSessions()
        #expect(try await first.store.rowCount("live_sessions") == 0)
        let user = try await first.store.user(named: "test")
        let device = try await first.store.device(devID: "walked-away", user: user)
        #expect(try await first.store.suspendedSession(device: device) != nil, "the cut-off session is kept for a resume")
    }

    static func addContacts(_ count: Int, to store: SyncStore) async throws {
        let user = try await store.user(named: "test")
        let contacts = try await store.datastore(named: "contacts", user: user)
        let changes = (0..<count).map { index in
            let record = ReceivedRecord(type: "text/vcard", format: nil,
                                        data: Array(vCard("Given\(index)", "Family\(index)", tel: "+4420794\(1000 + index)", note: String(repeating: "n", count: 300)).utf8))
            return ItemChange(.add, type: record.type, payload: record.payload, fingerprint: record.fingerprint,
                              matchKeys: record.signature?.matchKey.indexKeys ?? [])
        }
        _ = try await store.apply(changes, datastore: contacts, device: nil)
    }
}

extension LiveSessionState {
    /// The value's JSON with sorted keys: equal values give equal bytes.
    func encodedSorted() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(self))
    }
}
