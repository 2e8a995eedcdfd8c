import Foundation
import Logging
public import SyncMLClient
public import SyncMLEngine
import SyncMLInProcess
public import SyncMLStore

/// A whole sync in one process: a `SyncClient` over a `GeneratedBook`, the
/// server engine (`SyncServer`) and a server store with one user, each store
/// on its own file under `directory`. No network: messages are encoded and
/// decoded as over HTTP.
public struct SyncRig: Sendable {
    public let server: SyncServer
    public let serverStore: SyncStore
    public let client: SyncClient
    public let book: GeneratedBook
    private let paths: [String]

    public init(book: GeneratedBook, directory: String) async throws {
        let unique = UUID().uuidString
        let serverPath = directory + "/syncml-bench-server-\(unique).sqlite"
        let clientPath = directory + "/syncml-bench-client-\(unique).sqlite"
        paths = [serverPath, clientPath]
        serverStore = try SyncStore(path: serverPath)
        try await serverStore.addUser(name: "bench", password: "bench")
        server = SyncServer(store: serverStore, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        self.book = book
        client = SyncClient(configuration: ClientConfiguration(serverURL: "http://bench/sync", user: "bench", password: "bench", deviceID: "crm"),
                            datastores: [ClientDatastore(name: "contacts", kind: .contacts, source: book)],
                            transport: InProcessTransport(server: server), state: try SyncStore(path: clientPath))
    }

    /// Deletes both stores' files.
    public func remove() {
        for path in paths {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }
}
