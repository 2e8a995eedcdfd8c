import Foundation
import SyncMLCodec
import SyncMLServer
import SyncMLStore
import Testing

/// A CRM mirrors what devices sync by iterating the server's committed changes.
@Suite("Server: the committed-changes feed a host mirrors")
struct CommittedChangesTests {
    @Test("Every change a device commits arrives in journal order, with its record and the device that made it")
    func feedInOrder() async throws {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "phone-1")
        let anna = phone.add(vCard("Anna", "Meier"))
        phone.add(vCard("Bert", "Huber"))
        try await phone.sync(.slow)
        phone.edit(anna, vCard("Anna", "Meier-Huber"))
        try await phone.sync(.twoWay)

        var feed = server.server.committedChanges(user: "test", datastore: "./Contacts", pollInterval: .milliseconds(10))
            .makeAsyncIterator()
        var changes: [CommittedChange] = []
        for _ in 0..<3 { changes.append(try #require(try await feed.next())) }
        #expect(changes.map(\.operation) == [.add, .add, .replace])
        #expect(changes.map(\.sequence) == changes.map(\.sequence).sorted())
        #expect(changes.allSatisfy { $0.device == "phone-1" && $0.type == "text/vcard" })
        #expect(changes[2].guid == changes[0].guid)
        #expect(String(decoding: try #require(changes[2].payload), as: UTF8.self).contains("Meier-Huber"))
    }

    @Test("Resumed after the last sequence it applied, the feed neither repeats nor skips; a later commit arrives while it waits")
    func resumesAndWaits() async throws {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "phone-1")
        phone.add(vCard("Anna", "Meier"))
        try await phone.sync(.slow)
        var first = server.server.committedChanges(user: "test", datastore: "contacts", pollInterval: .milliseconds(10))
            .makeAsyncIterator()
        let applied = try #require(try await first.next())

        let waiting = Task {
            var resumed = server.server.committedChanges(user: "test", datastore: "contacts", after: applied.sequence,
                                                         pollInterval: .milliseconds(10)).makeAsyncIterator()
            return try await resumed.next()
        }
        let bert = phone.add(vCard("Bert", "Huber"))
        try await phone.sync(.twoWay)
        let next = try #require(try await waiting.value)
        #expect(next.sequence > applied.sequence)
        #expect(next.operation == .add)
        #expect(String(decoding: try #require(next.payload), as: UTF8.self).contains("Huber"))

        phone.delete(bert)
        try await phone.sync(.twoWay)
        var fromStart = server.server.committedChanges(user: "test", datastore: "contacts", pollInterval: .milliseconds(10))
            .makeAsyncIterator()
        var all: [CommittedChange] = []
        for _ in 0..<3 { all.append(try #require(try await fromStart.next())) }
        #expect(all.map(\.operation) == [.add, .add, .delete])
        #expect(all[2].payload == nil)
    }

    @Test("A user sees only their own datastore; a feed for a user not yet synced waits, and ends when its task is cancelled")
    func isolatedAndCancellable() async throws {
        let server = try await TestServer()
        let phone = FakePhone(server, devID: "phone-1")
        phone.add(vCard("Anna", "Meier"))
        try await phone.sync(.slow)

        let other = Task {
            var feed = server.server.committedChanges(user: "other", datastore: "contacts", pollInterval: .milliseconds(10))
                .makeAsyncIterator()
            return try await feed.next()
        }
        try await Task.sleep(for: .milliseconds(100))
        other.cancel()
        #expect(try await other.value == nil)
    }
}
