import Foundation
import SyncMLClient
import SyncMLCodec
import SyncMLProtocol
@testable import SyncMLStore
import Testing

/// Issue #16: a two-way sync of a few changes costs the same whatever the size of
/// the book. The client's journal (the mirror) holds the whole book, so anything
/// that reads it whole (a count of its live items at every grant) grew with it.
@Suite("Client: the cost of a two-way sync")
struct TwoWayCostTests {
    /// SQLite steps the client's journal runs for a two-way sync of `changes` edits
    /// after a slow sync of `records`, the host telling its changes (`FeedSource`).
    func journalSteps(records: Int, changes: Int) async throws -> Int {
        let harness = try await Harness()
        let source = FeedSource()
        for index in 0..<records { await source.put(vCard("Given\(index)", "Family\(index)", tel: "+49 30 \(300_000 + index)"), id: "r\(index)") }
        let journal = try SyncStore(path: ":memory:")
        let client = SyncClient(configuration: ClientConfiguration(serverURL: "http://server.test/sync", user: "test", password: "test", deviceID: "crm"),
                                datastores: [ClientDatastore(name: "contacts", kind: .contacts, source: source)],
                                transport: EngineTransport(server: harness.server), state: ClientState(journal: journal))
        try await client.sync()
        for index in 0..<changes {
            await source.put(vCard("Given\(index)", "Family\(index)", tel: "+49 30 \(300_000 + index)", note: "edited"), id: "r\(index)")
        }
        let before = try await journal.withDatabase { $0.vmSteps }
        let report = try await client.sync()
        let steps = try await journal.withDatabase { $0.vmSteps } - before
        #expect(report.datastores[0].performed == .twoWay)
        #expect(report.datastores[0].remote.updated == changes)
        return steps
    }

    @Test("a two-way sync of 5 edits runs as many journal steps with 1,000 records as with 50: nothing reads the whole mirror")
    func twoWayStepsDoNotGrowWithTheMirror() async throws {
        let small = try await journalSteps(records: 50, changes: 5), large = try await journalSteps(records: 1_000, changes: 5)
        print("client journal steps of a two-way sync of 5 edits: 50 records \(small), 1,000 records \(large)")
        #expect(Double(large) < Double(small) * 1.2, "50 records: \(small) steps, 1,000 records: \(large)")
    }
}
