import Foundation
import SyncMLCodec
import SyncMLServer
@testable import SyncMLStore
import Testing

/// Sessions that stop half-way leave the store consistent, and the next sync continues.
@Suite("Server: interrupted sessions")
struct InterruptionTests {
    @Test("The reply to a phone's changes is lost: the phone sends them again next time and nothing is duplicated")
    func lostReply() async throws {
        let server = try await TestServer()
        let a = FakePhone(server, devID: "a"), b = FakePhone(server, devID: "b")
        a.add(vCard("Anna", "Meier"))
        try await a.sync(.slow)
        try await b.sync(.slow)
        a.add(vCard("Bernd", "Kurz"))
        let luid = try #require(a.items.first { $0.value.contains("Anna") }?.key)
        a.edit(luid, vCard("Anna", "Meier", note: "edited"))
        a.loseReplyToChanges = true
        await #expect(throws: TestFailure.self) { try await a.sync() }
        // Same anchors, same changes again: the server knows them by their LUIDs.
        let retry = try await a.sync()
        #expect(retry.grantedMode == 200)
        #expect(try await server.items("contacts").count == 2)
        try await b.sync()
        #expect(b.items.count == 2)
        #expect(b.items.values.contains { $0.contains("edited") })
    }

    @Test("The reply that completed a sync is lost: the phone's old anchor is still accepted, the next sync is two-way, nothing doubles")
    func lostFinalReply() async throws {
        let server = try await TestServer()
        let a = FakePhone(server, devID: "a"), b = FakePhone(server, devID: "b")
        a.add(vCard("Anna", "Meier"))
        try await a.sync(.slow)
        b.add(vCard("Bernd", "Kurz"))
        try await b.sync(.slow)
        a.loseFinalReply = true
        await #expect(throws: TestFailure.self) { try await a.sync() }
        #expect(a.items.count == 2) // it did receive Bernd
        let next = try await a.sync()
        #expect(next.alertStatus == 200)
        #expect(next.grantedMode == 200)
        #expect(next.received.isEmpty)
        #expect(a.items.count == 2)
        #expect(try await server.items("contacts").count == 2)
    }

    @Test("An idle session expires: it is kept as suspended (for a resume), the device's anchors stay as they were; a new sync ends it")
    func idleSessionExpires() async throws {
        var configuration = ServerConfiguration()
        configuration.sessionTimeout = .zero
        let server = try await TestServer(configuration: configuration)
        let phone = FakePhone(server, devID: "a")
        phone.add(vCard("Anna", "Meier"))
        phone.loseReplyToChanges = true
        await #expect(throws: TestFailure.self) { try await phone.sync(.slow) }
        #expect(await server.server.sessionCount == 1)
        await server.server.expireIdleSessions()
        #expect(await server.server.sessionCount == 0)
        func sessions(_ state: String) async throws -> Int {
            let query = "SELECT count(*) FROM sessions WHERE state = '" + state + "'"
            return Int(try await server.store.withDatabase { db throws(StoreError) -> Int64? in try db.integer(query) } ?? 0)
        }
        #expect(try await sessions("suspended") == 1)
        // The phone's item was stored (and journaled) before the session broke; a new slow sync pairs it.
        phone.forgetAnchors()
        try await phone.sync(.slow)
        #expect(try await server.items("contacts").count == 1)
        // It did not resume (a slow sync, Alert 201): the suspended session is over.
        #expect(try await sessions("suspended") == 0)
        #expect(try await sessions("failed") == 1)
    }
}

@Suite("Server: resume requests it cannot grant")
struct UngrantedResumeTests {
    @Test("Alert 225 with nothing suspended continues as two-way when the anchors do")
    func resumeWithoutSuspendedSession() async throws {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "a")
        phone.add(vCard("Anna", "Meier"))
        try await phone.sync(.slow)
        let report = try await phone.sync(.resume)
        #expect(report.alertStatus == 200)
        #expect(report.grantedMode == 200)
        #expect(try await server.items("contacts").count == 1)
    }

    @Test("Alert 225 from a device the server does not know needs a slow sync: 508, Alert 201")
    func resumeUnknownDevice() async throws {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "a")
        phone.add(vCard("Anna", "Meier"))
        let report = try await phone.sync(.resume)
        #expect(report.alertStatus == 508)
        #expect(report.grantedMode == 201)
    }
}
