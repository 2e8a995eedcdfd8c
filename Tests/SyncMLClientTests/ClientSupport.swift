import Foundation
import Logging
import SyncMLClient
import SyncMLCodec
import SyncMLServer
@testable import SyncMLStore

/// The in-memory transport: the client talks straight to a `SyncServer`.
struct EngineTransport: SyncTransport {
    let server: SyncServer

    func send(_ body: [UInt8], contentType: String, to url: String) async throws -> TransportReply {
        let reply = await server.handle(SyncRequest(body: body, contentType: contentType, url: url))
        return TransportReply(body: reply.body, contentType: reply.contentType, status: reply.httpStatus)
    }
}

/// A host's records in memory (the CRM of the tests).
actor MemorySource: SyncDataSource {
    private(set) var records: [String: HostRecord] = [:]
    private var counter = 0
    let type: String

    init(type: String = "text/vcard") { self.type = type }

    @discardableResult
    func put(_ text: String, id: String? = nil) -> String {
        counter += 1
        let id = id ?? "crm-\(counter)"
        records[id] = HostRecord(id: id, payload: Array(text.utf8), type: type)
        return id
    }

    func remove(_ id: String) { records[id] = nil }
    var texts: [String] { records.values.map { String(decoding: $0.payload, as: UTF8.self) }.sorted() }

    func allRecords() async throws -> [HostRecord] { Array(records.values) }
    func add(payload: [UInt8], type: String) async throws -> String {
        counter += 1
        let id = "new-\(counter)"
        records[id] = HostRecord(id: id, payload: payload, type: type)
        return id
    }
    func update(id: String, payload: [UInt8], type: String) async throws { records[id] = HostRecord(id: id, payload: payload, type: type) }
    func delete(id: String) async throws { records[id] = nil }
}

/// A server on an in-memory store with user `test`/`test`, and clients for it.
struct Harness {
    let store: SyncStore
    let server: SyncServer

    /// Another server (a restarted process, say) on an existing store.
    init(store: SyncStore, server: SyncServer) {
        self.store = store
        self.server = server
    }

    init(configuration: ServerConfiguration = ServerConfiguration()) async throws {
        store = try SyncStore(path: ":memory:")
        try await store.addUser(name: "test", password: "test", md5: true, iterations: 1_000)
        server = SyncServer(store: store, configuration: configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// A client (its own in-memory state) syncing `source` as contacts.
    func client(_ deviceID: String, _ source: MemorySource, password: String = "test",
                configure: (inout ClientConfiguration) -> Void = { _ in }) throws -> SyncClient {
        var configuration = ClientConfiguration(serverURL: "http://server.test/sync", user: "test", password: password, deviceID: deviceID)
        configure(&configuration)
        return SyncClient(configuration: configuration,
                          datastores: [ClientDatastore(name: "contacts", kind: .contacts, type: source.type, source: source)],
                          transport: EngineTransport(server: server), state: try ClientState.inMemory())
    }

    func serverItems(_ datastore: String = "contacts") async throws -> [String] {
        let user = try await store.user(named: "test")
        let id = try await store.datastore(named: datastore, user: user)
        var texts: [String] = []
        for item in try await store.liveItems(datastore: id) {
            texts.append(String(decoding: try await store.payload(guid: item.guid, datastore: id) ?? [], as: UTF8.self))
        }
        return texts
    }
}

func vCard(_ given: String, _ family: String, tel: String? = nil, email: String? = nil, note: String? = nil, photoBytes: Int = 0) -> String {
    var lines = ["BEGIN:VCARD", "VERSION:3.0", "N:\(family);\(given);;;", "FN:\(given) \(family)"]
    if let tel { lines.append("TEL;TYPE=CELL:\(tel)") }
    if let email { lines.append("EMAIL;TYPE=INTERNET:\(email)") }
    if let note { lines.append("NOTE:\(note)") }
    if photoBytes > 0 {
        let bytes = (0..<photoBytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        lines.append("PHOTO;ENCODING=b;TYPE=JPEG:" + Data(bytes).base64EncodedString())
    }
    lines.append("END:VCARD")
    return lines.joined(separator: "\r\n") + "\r\n"
}
