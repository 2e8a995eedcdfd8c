import Foundation
import SyncMLClient
import SyncMLProtocol
import SyncMLServer
import SyncMLStore
import Testing

@Suite("Anchors come from each role's clock")
struct AnchorClockRoleTests {
    @Test("Client and server take their Next anchors from their clocks; the server keeps both once the sync completed")
    func pinnedClocks() async throws {
        var configuration = ServerConfiguration()
        configuration.anchorClock = AnchorClock { Date(timeIntervalSince1970: 1_741_944_600) }
        let harness = try await Harness(configuration: configuration)
        let source = MemorySource()
        await source.put(vCard("Anna", "Meier"))
        let client = try harness.client("phone", source) { $0.anchorClock = AnchorClock { Date(timeIntervalSince1970: 1_000_000_000) } }
        try await client.sync()
        let user = try await harness.store.user(named: "test")
        let device = try await harness.store.device(devID: "phone", user: user)
        let state = try await harness.store.deviceState(device, datastore: try await harness.store.datastore(named: "contacts", user: user))
        #expect(state.lastAnchor == "20010909T014640Z")
        #expect(state.nextAnchor == "20250314T093000Z")
    }
}
