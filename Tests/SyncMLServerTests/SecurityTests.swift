import Foundation
import SyncMLCodec
import SyncMLServer
import SyncMLStore
import Testing

/// The attacks of the security issue, each tried against the engine: the
/// attack fails, and a real client's session still works beside it.
@Suite("Server security: credentials")
struct CredentialSecurityTests {
    @Test("A digest over the empty nonce is never accepted, for any DevID: 401 with a challenge, nothing stored")
    func emptyNonceIsChallenged() async throws {
        let server = try await TestServer()
        for devID in ["new-device", "another-device"] {
            var message = RawMessage(devID: devID)
            message.cred = RawMessage.md5("test", "test", nonce: nil)
            message.commands = [RawMessage.alert()]
            let reply = try await server.post(message)
            #expect(reply.statusSummary == ["SyncHdr 401", "Alert 401"])
            #expect(reply.status(for: "SyncHdr")?.chal?.meta?.nextNonce?.isEmpty == false)
            #expect(reply.header.respURI == nil)
        }
        #expect(try await server.store.devices().isEmpty)
        #expect(await server.server.sessionCount == 0)
    }

    @Test("A digest over a challenge's nonce authenticates once; replayed, with the same or a new DevID, it is refused")
    func challengeDigestIsSingleUse() async throws {
        let server = try await TestServer()
        let nonce = try await server.challenge(devID: "phone")
        var message = RawMessage(devID: "phone")
        message.cred = RawMessage.md5("test", "test", nonce: nonce)
        message.commands = [RawMessage.alert()]
        let accepted = try await server.post(message)
        #expect(accepted.statusSummary.first == "SyncHdr 212")

        var replay = message
        replay.sessionID = "2"
        #expect(try await server.post(replay).statusSummary.first == "SyncHdr 401")
        replay.devID = "some-other-device"
        #expect(try await server.post(replay).statusSummary.first == "SyncHdr 401")
        let user = try #require(try await server.store.existingUser(named: "test"))
        #expect(try await server.store.devices().filter { $0.user == "test" }.map(\.devID) == ["phone"])
        _ = user
    }

    @Test("The nonce of a 212 authenticates the device's next session once; a captured digest over it is refused afterwards")
    func sessionNonceIsSingleUse() async throws {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "phone")
        phone.add(vCard("Anna", "Meier"))
        let first = try await phone.sync(.slow)
        #expect(first.authenticationRetries == 1) // first contact: challenged once
        let nonce = try #require(try await server.store.nonce(user: "test", devID: "phone"))

        var captured = RawMessage(devID: "phone")
        captured.sessionID = "77"
        captured.cred = RawMessage.md5("test", "test", nonce: nonce)
        captured.commands = [RawMessage.alert(.twoWay)]
        #expect(try await server.post(captured).statusSummary.first == "SyncHdr 212")
        captured.sessionID = "78"
        #expect(try await server.post(captured).statusSummary.first == "SyncHdr 401")

        // The phone itself is challenged (its nonce was used up by the capture) and gets through on its retry.
        let again = try await phone.sync()
        #expect(again.authenticationRetries == 1)
    }

    @Test("Two requests racing with the same digest: exactly one is accepted")
    func racingReplays() async throws {
        let server = try await TestServer()
        let nonce = try await server.challenge(devID: "phone")
        var message = RawMessage(devID: "phone")
        message.cred = RawMessage.md5("test", "test", nonce: nonce)
        message.commands = [RawMessage.alert()]
        let bytes = message.encoded(target: server.url)
        let codes = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<8 { group.addTask { try await server.post(bytes, wbxml: false).statusSummary.first } }
            return try await group.reduce(into: [String]()) { $0.append($1 ?? "-") }
        }
        #expect(codes.filter { $0 == "SyncHdr 212" }.count == 1)
        #expect(codes.filter { $0 == "SyncHdr 401" }.count == 7)
    }

    @Test("A challenge nonce expires after two of its lifetimes")
    func challengeExpires() async throws {
        let clock = TestClock()
        let nonces = ChallengeNonces(key: ChallengeNonces.newKey(), lifetime: 300, now: { clock.now })
        let issued = nonces.issue(user: "test", devID: "phone", used: [:])
        clock.advance(by: 299)
        #expect(nonces.candidates(user: "test", devID: "phone", used: [:]).map(\.nonce).contains(issued))
        clock.advance(by: 600)
        #expect(!nonces.candidates(user: "test", devID: "phone", used: [:]).map(\.nonce).contains(issued))
    }

    @Test("A challenge nonce belongs to the user and device it was issued for; once used up, the next challenge is a new nonce")
    func challengeIsBound() {
        let nonces = ChallengeNonces(key: ChallengeNonces.newKey())
        let issued = nonces.issue(user: "test", devID: "phone", used: [:])
        #expect(!nonces.candidates(user: "other", devID: "phone", used: [:]).map(\.nonce).contains(issued))
        #expect(!nonces.candidates(user: "test", devID: "tablet", used: [:]).map(\.nonce).contains(issued))
        let candidate = nonces.candidates(user: "test", devID: "phone", used: [:])[0]
        #expect(candidate.nonce == issued && candidate.generation == 0)
        #expect(nonces.issue(user: "test", devID: "phone", used: [candidate.window: 1]) != issued)
        #expect(ChallengeNonces(key: ChallengeNonces.newKey()).issue(user: "test", devID: "phone", used: [:]) != issued, "another key, another nonce")
    }

    @Test("Password checks beyond the gate's queue are turned away at once, not queued without end")
    func passwordGate() async {
        let gate = Gate(width: 1, queueLimit: 1)
        #expect(await gate.enter())
        let waiting = Task { await gate.enter() }
        while await gate.waiting == 0 { await Task.yield() }
        #expect(await !gate.enter())
        await gate.leave()
        #expect(await waiting.value)
    }
}

@Suite("Server security: sessions")
struct SessionSecurityTests {
    /// Alice's first message, authenticated: the reply's RespURI and her session ID.
    private func aliceStarts(_ server: TestServer, connection: UInt64?) async throws -> SyncMLMessage {
        let nonce = try await server.challenge(devID: "alice-phone")
        var message = RawMessage(devID: "alice-phone")
        message.sessionID = "5"
        message.cred = RawMessage.md5("test", "test", nonce: nonce)
        message.commands = [RawMessage.alert()]
        let reply = try await server.post(message, connection: connection)
        #expect(reply.statusSummary.first == "SyncHdr 212")
        return reply
    }

    @Test("The transport's index of sessions knows a session's RespURI token and connection once it authenticated, nothing before, and nothing after it expired")
    func liveSessionIndex() async throws {
        var configuration = ServerConfiguration()
        configuration.sessionTimeout = .milliseconds(1)
        let server = try await TestServer(configuration: configuration)
        let index = server.server.liveSessions
        var stranger = RawMessage(devID: "alice-phone")
        stranger.commands = [RawMessage.alert()]
        _ = try await server.post(stranger, connection: 7)
        #expect(!index.holds(token: nil, connection: 7), "a refused message binds nothing")

        let respURI = try #require(try await aliceStarts(server, connection: 1).header.respURI)
        let token = try #require(SyncServer.sessionToken(in: respURI))
        #expect(index.holds(token: token, connection: 99))
        #expect(index.holds(token: nil, connection: 1))
        #expect(!index.holds(token: String(token.reversed()), connection: 99), "a wrong token is anonymous")
        #expect(!index.holds(token: nil, connection: 2))

        try await Task.sleep(for: .milliseconds(20))
        await server.server.expireIdleSessions()
        #expect(!index.holds(token: token, connection: 99))
        #expect(!index.holds(token: nil, connection: 1))
    }

    @Test("A message with a running session's DevID and SessionID but no token, no Cred, from another connection: 407, nothing read or written")
    func takeoverFromOutside() async throws {
        let server = try await TestServer()
        _ = try await aliceStarts(server, connection: 1)
        var intruder = RawMessage(devID: "alice-phone")
        intruder.sessionID = "5"
        intruder.msgID = "2"
        intruder.commands = [RawMessage.sync([RawMessage.add(cmdID: "3", luid: "x", vCard("Mallory", "Evil"))])]
        for connection: UInt64? in [2, nil] {
            let reply = try await server.post(intruder, connection: connection)
            #expect(reply.statusSummary.first == "SyncHdr 407")
            #expect(reply.syncs.isEmpty)
        }
        #expect(try await server.items("contacts").isEmpty)
    }

    @Test("A client that ignores RespURI continues its session on its own connection")
    func continuationOnTheSameConnection() async throws {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "phone")
        phone.urlOverride = server.url
        phone.connection = 7
        phone.add(vCard("Anna", "Meier"))
        try await phone.sync(.slow)
        phone.add(vCard("Bernd", "Kurz"))
        try await phone.sync()
        #expect(try await server.items("contacts").count == 2)
    }

    @Test("Bob starting a session with Alice's DevID and SessionID gets none of hers, and her next message stays in her own session")
    func sameDevIDAndSessionIDOfAnotherUser() async throws {
        let server = try await TestServer()
        let bobPhone = FakePhone(server, devID: "bob-seed")
        bobPhone.user = "other"
        bobPhone.password = "other"
        bobPhone.add(vCard("Bob", "Secret"))
        try await bobPhone.sync(.slow)

        _ = try await aliceStarts(server, connection: 1)
        // Bob, authenticated as himself, claims Alice's DevID and SessionID on his own connection.
        let nonce = try await server.challenge(user: "other", devID: "alice-phone")
        var bob = RawMessage(devID: "alice-phone")
        bob.sessionID = "5"
        bob.user = "other"
        bob.cred = RawMessage.md5("other", "other", nonce: nonce)
        bob.commands = [RawMessage.alert()]
        #expect(try await server.post(bob, connection: 2).statusSummary.first == "SyncHdr 212")

        // Alice (ignoring RespURI) sends her contact on her connection: it is stored for her, and she is sent nothing of Bob's.
        var alice = RawMessage(devID: "alice-phone")
        alice.sessionID = "5"
        alice.msgID = "2"
        alice.commands = [RawMessage.sync([RawMessage.add(cmdID: "3", luid: "a1", vCard("Anna", "Meier"))])]
        let reply = try await server.post(alice, connection: 1)
        #expect(reply.statusSummary.prefix(3) == ["SyncHdr 200", "Sync 200", "Add 201"])
        let sent = reply.syncs.flatMap { $0.items.flatMap { $0.1.items } }.compactMap { item -> String? in
            if case .bytes(let bytes)? = item.data { String(decoding: bytes, as: UTF8.self) } else { nil }
        }
        #expect(!sent.contains { $0.contains("Secret") })
        #expect(try await server.items("contacts") == [vCard("Anna", "Meier")])
        #expect(try await server.items("contacts", user: "other") == [vCard("Bob", "Secret")])
    }

    @Test("A session token with another user's credential is refused (401), and the session's user gets nothing of it")
    func tokenWithAnotherUsersCred() async throws {
        let server = try await TestServer()
        let started = try await aliceStarts(server, connection: 1)
        let respURI = try #require(started.header.respURI)
        var mixed = RawMessage(devID: "alice-phone")
        mixed.sessionID = "5"
        mixed.msgID = "2"
        mixed.user = "other"
        mixed.cred = RawMessage.basic("other", "other")
        mixed.commands = [RawMessage.sync([RawMessage.add(cmdID: "3", luid: "x", vCard("Mallory", "Evil"))])]
        let reply = try await server.post(mixed, url: respURI, connection: 2)
        #expect(reply.statusSummary.first == "SyncHdr 401")
        #expect(try await server.items("contacts").isEmpty)
        #expect(try await server.items("contacts", user: "other").isEmpty)
    }
}

@Suite("Server security: nothing kept for unauthenticated requests")
struct UnauthenticatedStateTests {
    @Test("Requests with ever new DevIDs, naming a real user, leave no session, lock, device row or nonce behind")
    func noStateBeforeAuthentication() async throws {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "alice-phone")
        phone.add(vCard("Anna", "Meier"))
        try await phone.sync(.slow)
        let nonce = try await server.store.nonce(user: "test", devID: "alice-phone")
        let devicesBefore = try await server.store.devices().count
        let stateBefore = await server.server.retainedState

        for index in 0..<50 {
            var probe = RawMessage(devID: "device-\(index)-" + String(repeating: "x", count: 900))
            probe.cred = index.isMultiple(of: 2) ? RawMessage.md5("test", "wrong", nonce: nil) : nil
            probe.commands = [RawMessage.alert()]
            _ = try await server.post(probe, connection: UInt64(index))
            var aliceDevice = RawMessage(devID: "alice-phone")
            aliceDevice.cred = RawMessage.md5("test", "wrong", nonce: nonce)
            aliceDevice.commands = [RawMessage.alert()]
            _ = try await server.post(aliceDevice)
        }
        #expect(try await server.store.devices().count == devicesBefore)
        #expect(try await server.store.nonce(user: "test", devID: "alice-phone") == nonce)
        let state = await server.server.retainedState
        #expect(state.sessions == stateBefore.sessions && state.connections == stateBefore.connections)
        #expect(state.deviceLocks == stateBefore.deviceLocks && state.userLocks == stateBefore.userLocks)
        // Alice's phone still authenticates with the nonce it holds, without a retry.
        #expect(try await phone.sync().authenticationRetries == 0)
    }

    @Test("A header field over 1 KiB is refused with HTTP 400 before anything else; the answer does not echo it")
    func oversizedHeader() async throws {
        let server = try await TestServer()
        let devID = String(repeating: "L", count: 3_500_000)
        var probe = RawMessage(devID: devID)
        probe.commands = [RawMessage.alert()]
        let reply = await server.server.handle(SyncRequest(body: probe.encoded(), contentType: "application/vnd.syncml+xml", url: server.url))
        #expect(reply.httpStatus == 400)
        #expect(reply.body.count < 200)
        #expect(await server.server.retainedState.sessions == 0)
    }

    @Test("An unauthenticated message of many commands gets a bounded answer: the header's status and 32 more")
    func boundedRefusal() async throws {
        let server = try await TestServer()
        var probe = RawMessage(devID: "flood")
        probe.commands = (1...1000).map { RawMessage.alert(cmdID: String($0)) }
        let reply = try await server.post(probe)
        #expect(reply.statusSummary.count == 33)
        #expect(reply.statusSummary.first == "SyncHdr 407")
    }
}

@Suite("Server security: protocol limits")
struct ProtocolLimitTests {
    @Test("A MaxMsgSize below the floor (0, 1, 1500) is refused with 400 and Final, not answered with empty messages", arguments: [0, 1, 1500])
    func maxMsgSizeFloor(size: Int) async throws {
        let server = try await TestServer()
        let nonce = try await server.challenge(devID: "tiny")
        var message = RawMessage(devID: "tiny")
        message.cred = RawMessage.md5("test", "test", nonce: nonce)
        message.maxMsgSize = size
        message.commands = [RawMessage.alert()]
        let reply = try await server.post(message)
        #expect(reply.statusSummary == ["SyncHdr 400", "Alert 400"])
        #expect(reply.isFinal)
        #expect(await server.server.retainedState.sessions == 0)
    }

    @Test("At the floor (2048) a sync still finishes: a 6 KB contact arrives in chunks, in a bounded number of messages")
    func maxMsgSizeAtTheFloor() async throws {
        let server = try await TestServer()
        let source = FakePhone(server, devID: "source")
        source.add(vCard("Anna", "Meier", note: String(repeating: "n", count: 6000)))
        source.add(vCard("Bernd", "Kurz"))
        try await source.sync(.slow)
        let small = FakePhone(server, devID: "small")
        small.maxMsgSize = 2048
        let report = try await small.sync(.slow)
        #expect(report.received.count == 2)
        #expect(report.received.contains { $0.contains(String(repeating: "n", count: 6000)) })
        #expect(report.messages < 40)
    }

    @Test("An item larger than the client's MaxObjSize is not sent, even when it fits a message; the others are")
    func maxObjSizeHonoured() async throws {
        let server = try await TestServer()
        let source = FakePhone(server, devID: "source")
        source.add(vCard("Anna", "Meier", note: String(repeating: "n", count: 3000)))
        source.add(vCard("Bernd", "Kurz"))
        try await source.sync(.slow)
        let limited = FakePhone(server, devID: "limited")
        limited.maxObjSize = 1000
        let report = try await limited.sync(.slow)
        #expect(report.received.map { $0.contains("Kurz") } == [true])
    }

    @Test("MoreData beyond the declared Size is refused (424) at the chunk that crosses it, not at the end")
    func moreDataBeyondSize() async throws {
        let server = try await TestServer()
        let nonce = try await server.challenge(devID: "chunky")
        var first = RawMessage(devID: "chunky")
        first.cred = RawMessage.md5("test", "test", nonce: nonce)
        first.commands = [RawMessage.alert()]
        let started = try await server.post(first)
        let respURI = try #require(started.header.respURI)

        let card = Array(vCard("Anna", "Meier", note: String(repeating: "n", count: 300)).utf8)
        func chunk(_ cmdID: String, _ range: Range<Int>, size: Int?, more: Bool) -> Command {
            .add(ItemCommand(cmdID: cmdID, meta: Meta(type: "text/vcard"),
                             items: [Item(source: Location("big"), meta: size.map { Meta(size: $0) },
                                          data: .bytes(ArraySlice(card[range])), moreData: more)]))
        }
        var second = RawMessage(devID: "chunky")
        second.msgID = "2"
        second.isFinal = false
        // Size says 100 bytes; the first chunk already brings 150.
        second.commands = [RawMessage.sync([chunk("3", 0..<50, size: 100, more: true), chunk("4", 50..<200, size: nil, more: true)])]
        let reply = try await server.post(second, url: respURI)
        #expect(reply.statusSummary == ["SyncHdr 200", "Sync 200", "Add 213", "Add 424"])
        #expect(try await server.items("contacts").isEmpty)
    }

    @Test("A chunked item announcing a Size above the server's MaxObjSize is refused (413) at its first chunk")
    func declaredSizeAboveMaxObjSize() async throws {
        var configuration = ServerConfiguration()
        configuration.maxObjectSize = 10_000
        let server = try await TestServer(configuration: configuration)
        let nonce = try await server.challenge(devID: "chunky")
        var first = RawMessage(devID: "chunky")
        first.cred = RawMessage.md5("test", "test", nonce: nonce)
        first.commands = [RawMessage.alert()]
        let respURI = try #require(try await server.post(first).header.respURI)
        var second = RawMessage(devID: "chunky")
        second.msgID = "2"
        second.isFinal = false
        second.commands = [RawMessage.sync([.add(ItemCommand(cmdID: "3", meta: Meta(type: "text/vcard"), items: [
            Item(source: Location("big"), meta: Meta(size: 50_000_000), data: .text("BEGIN:VCARD\r\n"), moreData: true),
        ]))])]
        #expect(try await server.post(second, url: respURI).statusSummary == ["SyncHdr 200", "Sync 200", "Add 413"])
    }
}

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_800_000_000)

    var now: Date { lock.withLock { current } }

    func advance(by seconds: TimeInterval) { lock.withLock { current += seconds } }
}
