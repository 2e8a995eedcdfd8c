import Foundation
import Logging
public import SyncMLClient
public import SyncMLServer
import SyncMLInProcess
public import SyncMLStore

/// A whole sync in one process: `SyncClient`s over `GeneratedBook`s, the
/// server engine (`SyncServer`) and a server store with one user, each store
/// on its own file under `directory`. No network: messages are encoded and
/// decoded as over HTTP.
public struct SyncRig: Sendable {
    public let server: SyncServer
    public let serverStore: SyncStore
    /// The first client (device "crm") and its book.
    public let client: SyncClient
    public let book: GeneratedBook
    private let directory: String
    private let unique = UUID().uuidString

    public init(book: GeneratedBook, directory: String) async throws {
        self.directory = directory
        serverStore = try SyncStore(path: directory + "/syncml-bench-server-\(unique).sqlite")
        try await serverStore.addUser(name: "bench", password: "bench")
        server = SyncServer(store: serverStore, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        self.book = book
        client = try SyncRig.client(deviceID: "crm", book: book, server: server, statePath: directory + "/syncml-bench-crm-\(unique).sqlite")
    }

    /// Another device of the same user, with its own state file.
    public func client(deviceID: String, book: GeneratedBook) throws -> SyncClient {
        try Self.client(deviceID: deviceID, book: book, server: server, statePath: directory + "/syncml-bench-\(deviceID)-\(unique).sqlite")
    }

    private static func client(deviceID: String, book: GeneratedBook, server: SyncServer, statePath: String) throws -> SyncClient {
        SyncClient(configuration: ClientConfiguration(serverURL: "http://bench/sync", user: "bench", password: "bench", deviceID: deviceID),
                   datastores: [ClientDatastore(name: "contacts", kind: .contacts, source: book)],
                   transport: InProcessTransport(server: server), state: try ClientState(path: statePath))
    }

    /// Live contacts on the server.
    public func serverContacts() async throws -> Int {
        let user = try await serverStore.user(named: "bench")
        return try await serverStore.liveCount(datastore: try await serverStore.datastore(named: "contacts", user: user))
    }

    /// Deletes every store file of this rig.
    public func remove() {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in files where file.hasPrefix("syncml-bench-") && file.contains(unique) {
            try? FileManager.default.removeItem(atPath: directory + "/" + file)
        }
    }
}
