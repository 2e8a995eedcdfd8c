import SyncMLClient
import SyncMLCodec
import SyncMLStore
import Testing

@Suite("Client: large objects from the server are held to the client's MaxObjSize")
struct LargeObjectLimitTests {
    @Test("A chunked item announcing a Size above the client's MaxObjSize is refused (413) at its first chunk and at every later one")
    func declaredSizeAboveMaxObjSize() async throws {
        let harness = try await Harness()
        let phone = MemorySource()
        await phone.put(vCard("Anna", "Meier", photoBytes: 9_000))
        try await harness.client("phone", phone).sync()

        // The server's chunks of that contact announce 50 MB.
        let hostile = HostileTransport(harness.server) { reply in
            for index in reply.commands.indices {
                guard case .sync(var sync) = reply.commands[index] else { continue }
                for inner in sync.commands.indices {
                    guard case .add(var add) = sync.commands[inner], add.items.first?.meta?.size != nil else { continue }
                    add.items[0].meta?.size = 50_000_000
                    sync.commands[inner] = .add(add)
                }
                reply.commands[index] = .sync(sync)
            }
        }
        let crm = MemorySource()
        let client = HostileServerTests.client(hostile, HostileServerTests.contacts(crm), state: try ClientState.inMemory()) {
            $0.maxMessageSize = 4_096
        }
        try await client.sync()
        let answers = await hostile.statuses(for: "Add").map(\.code)
        #expect(answers.count > 1 && answers.allSatisfy { $0 == .requestEntityTooLarge }, "\(answers)")
        #expect(await crm.records.isEmpty)
    }
}
