import CoreMetrics
import Foundation
import SyncMLCodec
import SyncMLProtocol
import SyncMLServer
@testable import SyncMLStore
import Logging
import Tracing

/// The recorded SyncEvolution sessions in `../shared/fixtures/syncevolution/`.
enum Fixtures {
    static let shared: URL = {
        if let path = ProcessInfo.processInfo.environment["SYNCML_SHARED"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared")
    }()

    /// The client messages of one recorded case, in order (`002-c2s.wbxml`, `006-c2s.wbxml` …).
    static func clientMessages(_ caseName: String) throws -> [[UInt8]] {
        let directory = shared.appendingPathComponent("fixtures/syncevolution/" + caseName)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            .filter { $0.hasSuffix("-c2s.wbxml") || $0.hasSuffix("-c2s.xml") }
        return try files.map { [UInt8](try Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    /// A recorded first message with its credential replaced by an MD5 digest of
    /// `test`/`test` over `nonce` (base64, from the server's challenge): the
    /// recording's own digest is over a nonce this server never issued.
    static func answering(_ message: [UInt8], challenge nonce: String, wbxml: Bool) throws -> [UInt8] {
        var decoded = try SyncMLMessage(decoding: message)
        decoded.header.cred = Credential(meta: Meta(format: "b64", type: "syncml:auth-md5"),
                                         data: PasswordDigest.md5(user: "test", password: "test", nonce: Array(Data(base64Encoded: nonce) ?? Data())))
        return decoded.encoded(as: wbxml ? .wbxml : .xml)
    }
}

/// A server on an in-memory store with user `test`/`test`, and a way to talk to it.
struct TestServer {
    let store: SyncStore
    let server: SyncServer
    let url = "http://127.0.0.1:9600/sync"

    /// `metrics`, `tracer` and `logger` default to the no-op ones.
    init(configuration: ServerConfiguration = ServerConfiguration(), users: (any UserDirectory)? = nil,
         metrics: (any MetricsFactory)? = nil, tracer: (any Tracer)? = nil, logger: Logger? = nil) async throws {
        store = try SyncStore(path: ":memory:")
        // Few PBKDF2 iterations: the default 210,000 cost seconds per test.
        try await store.addUser(name: "test", password: "test", md5: true, iterations: 1_000)
        try await store.addUser(name: "other", password: "other", md5: true, iterations: 1_000)
        server = SyncServer(store: store, configuration: configuration, users: users,
                            logger: logger ?? Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                            metricsFactory: metrics ?? NOOPMetricsHandler.instance, tracer: tracer ?? NoOpTracer())
    }

    /// Posts `bytes` and decodes the reply.
    /// `connection` plays the HTTP connection it came on (nil: a transport that cannot tell).
    func post(_ bytes: [UInt8], wbxml: Bool, url: String? = nil, connection: UInt64? = nil) async throws -> SyncMLMessage {
        let reply = await server.handle(SyncRequest(
            body: bytes, contentType: wbxml ? "application/vnd.syncml+wbxml" : "application/vnd.syncml+xml", url: url ?? self.url,
            connection: connection))
        guard reply.httpStatus == 200 else { throw TestFailure("HTTP \(reply.httpStatus): \(String(decoding: reply.body, as: UTF8.self))") }
        return try SyncMLMessage(decoding: reply.body)
    }

    /// Every live item's payload in a datastore of user `test` (or `user`), as text.
    func items(_ datastore: String, user name: String = "test") async throws -> [String] {
        let user = try await store.user(named: name)
        let id = try await store.datastore(named: datastore, user: user)
        var texts: [String] = []
        for item in try await store.liveItems(datastore: id) {
            texts.append(String(decoding: try await store.payload(guid: item.guid, datastore: id) ?? [], as: UTF8.self))
        }
        return texts
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension SyncMLMessage {
    /// The statuses of the message, as "Cmd code" strings in order (`SyncHdr 212`, `Add 201` …).
    var statusSummary: [String] {
        commands.compactMap { command in
            if case .status(let status) = command { return "\(status.cmd) \(status.code.rawValue)" }
            return nil
        }
    }

    var alerts: [Alert] {
        commands.compactMap { if case .alert(let alert) = $0 { alert } else { nil } }
    }

    var syncs: [Sync] {
        commands.compactMap { if case .sync(let sync) = $0 { sync } else { nil } }
    }

    func status(for cmd: String) -> Status? {
        commands.lazy.compactMap { if case .status(let s) = $0, s.cmd == cmd { s } else { nil } }.first
    }
}

extension Sync {
    /// The item commands inside, as (name, item) pairs.
    var items: [(name: String, command: ItemCommand)] {
        commands.compactMap { command in
            switch command {
            case .add(let c): ("Add", c)
            case .replace(let c): ("Replace", c)
            case .delete(let c): ("Delete", c)
            default: nil
            }
        }
    }
}

extension TestServer {
    /// A server on `store` as it is (its users already there).
    init(store: SyncStore, configuration: ServerConfiguration = ServerConfiguration()) {
        self.store = store
        server = SyncServer(store: store, configuration: configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                            metricsFactory: NOOPMetricsHandler.instance, tracer: NoOpTracer())
    }

    /// A second server on `other`'s store: another node of the same deployment.
    init(sharingStoreOf other: TestServer, configuration: ServerConfiguration = ServerConfiguration()) {
        store = other.store
        server = SyncServer(store: other.store, configuration: configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                            metricsFactory: NOOPMetricsHandler.instance, tracer: NoOpTracer())
    }
}
