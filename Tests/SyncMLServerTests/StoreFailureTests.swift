import Foundation
import Logging
import SyncMLCodec
import SyncMLServer
@testable import SyncMLStore
import Testing

/// A store write that fails inside a session is answered or logged, never dropped: the
/// client hears about it where it can act on it, the log names the cause at error level,
/// and the anchors stay as the client will find them. (Write points are the store's fault
/// injection: each statement outside a transaction, and each commit, counts one.)
@Suite("Server: store failures in a session")
struct StoreFailureTests {
    let log = LineCollector()
    let server: TestServer

    init() async throws {
        let log = self.log
        server = try await TestServer(logger: Logger(label: "test") { _ in CollectingHandler(collector: log) })
    }

    func errors(_ message: String) -> [LineCollector.Event] {
        log.events.filter { $0.level == .error && $0.message == message }
    }

    @Test("Storing the client's DevInf fails: its Put is answered 500 and logged, the sync goes on")
    func devInfNotStored() async throws {
        let phone = FakePhone(server, devID: "a")
        try await phone.sync(.slow)
        phone.devInf = ClientKindsTests.phoneDevInf
        let store = server.store
        // Message 1 of a known device writes five times for authentication, admission and the next nonce, then the DevInf.
        phone.beforeSending = { msgID in if msgID == 1 { await store.failWrite(at: 6) } }
        let report = try await phone.sync()
        #expect(report.putStatus == 500)
        #expect(report.alertStatus == 200)
        #expect(report.finalHeaderStatus == 200)
        #expect(errors("storing the client's DevInf failed").count == 1)
        #expect(log.events.filter { $0.level == .error }.count == 1, "only the DevInf's write failed")
        let device = try await store.device(devID: "a", user: try await store.user(named: "test"))
        #expect(try await store.devInf(for: device) == nil)
    }

    @Test("Ending the store session fails at completion: the last message's SyncHdr is answered 500 and logged; the next sync is two-way")
    func completionNotRecorded() async throws {
        let phone = FakePhone(server, devID: "a")
        phone.add(vCard("Anna", "Meier"))
        let store = server.store
        // The last message writes the anchors (one commit), then ends the store session.
        phone.beforeSending = { msgID in if msgID == 3 { await store.failWrite(at: 2) } }
        let report = try await phone.sync(.slow)
        #expect(report.finalHeaderStatus == 500)
        #expect(errors("ending the store session failed").count == 1)
        phone.beforeSending = nil
        let next = try await phone.sync()
        #expect(next.grantedMode == 200)
        #expect(next.finalHeaderStatus == 200)
        #expect(try await server.items("contacts").count == 1)
    }

    @Test("Saving a dropped session for a resume fails, and so does ending it: both logged; the next sync is two-way and repeats the changes")
    func suspendNotSaved() async throws {
        var configuration = ServerConfiguration()
        configuration.sessionTimeout = .zero
        let log = self.log
        let server = try await TestServer(configuration: configuration, logger: Logger(label: "test") { _ in CollectingHandler(collector: log) })
        let phone = FakePhone(server, devID: "a")
        phone.add(vCard("Anna", "Meier"))
        try await phone.sync(.slow)
        phone.add(vCard("Bernd", "Kurz"))
        phone.loseReplyToChanges = true
        await #expect(throws: TestFailure.self) { try await phone.sync() }
        await server.store.failWrite(at: 1, andAfter: true)
        await server.server.expireIdleSessions()
        await server.store.failWrite(at: nil)
        #expect(errors("saving the resume state failed").count == 1)
        #expect(errors("ending the store session failed").count == 1)
        let next = try await phone.sync()
        #expect(next.grantedMode == 200)
        #expect(next.itemStatuses == [201])
        #expect(try await server.items("contacts").count == 2)
    }

    @Test("Keeping the next session's nonce fails: logged; the device's next session is challenged once more and goes through")
    func nonceNotKept() async throws {
        let phone = FakePhone(server, devID: "a")
        try await phone.sync(.slow)
        let store = server.store
        // Message 1 of a known device writes four times for authentication and admission, then the next nonce.
        phone.beforeSending = { msgID in if msgID == 1 { await store.failWrite(at: 5) } }
        try await phone.sync()
        #expect(errors("keeping the next session's nonce failed").first?.metadata["error"]?.contains("UPDATE devices SET nonce") == true)
        phone.beforeSending = nil
        let next = try await phone.sync()
        #expect(next.authenticationRetries == 1)
        #expect(next.grantedMode == 200)
    }
}
