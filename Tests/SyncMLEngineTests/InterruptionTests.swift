import Foundation
import SyncMLCore
import SyncMLEngine
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

    @Test("An idle session expires: its store session is marked failed, the device's anchors stay as they were")
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
        let sessions = try await server.store.withDatabase { db throws(StoreError) in
            try db.integer("SELECT count(*) FROM sessions WHERE state = 'failed'")
        }
        #expect(sessions == 1)
        // The phone's item was stored (and journaled) before the session broke; a new slow sync pairs it.
        phone.forgetAnchors()
        try await phone.sync(.slow)
        #expect(try await server.items("contacts").count == 1)
    }
}
