import SyncMLClient
import SyncMLSampleData
import SyncMLStore

/// A client's contacts in memory, keyed by host id: the host app of the
/// transport tests, which only need a sync to run end to end.
actor MemoryBook: SyncDataSource {
    private(set) var records: [String: [UInt8]] = [:]
    private var received = 0

    /// `count` generated contacts.
    init(count: Int, seed: UInt64 = 7) {
        var generator = ContactGenerator(seed: seed)
        for index in 0..<count { records["card-\(index)"] = generator.next() }
    }

    func allRecords() async throws -> [HostRecord] {
        records.map { HostRecord(id: $0.key, payload: $0.value, type: "text/vcard") }
    }

    func add(payload: [UInt8], type: String) async throws -> String {
        received += 1
        records["received-\(received)"] = payload
        return "received-\(received)"
    }

    func update(id: String, payload: [UInt8], type: String) async throws { records[id] = payload }
    func delete(id: String) async throws { records[id] = nil }
}

/// A store with the user `pat` (password `secret`) and a client of hers syncing `book` through `transport`.
struct SyncFixture {
    static let user = "pat", password = "secret"

    static func store() async throws -> SyncStore {
        let store = try SyncStore(path: ":memory:")
        try await store.addUser(name: user, password: password, md5: true, iterations: 1_000)
        return store
    }

    static func client(url: String, book: MemoryBook, transport: any SyncTransport, device: String = "transport-test") throws -> SyncClient {
        SyncClient(configuration: ClientConfiguration(serverURL: url, user: user, password: password, deviceID: device),
                   datastores: [ClientDatastore(name: "contacts", kind: .contacts, type: "text/vcard", source: book)],
                   transport: transport, state: try ClientState.inMemory())
    }
}
