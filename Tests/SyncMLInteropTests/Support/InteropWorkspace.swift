import Foundation
import TestSupport
import Testing

/// How a scenario's clients reach `syncml serve`. HTTPS runs are left out,
/// with a loud message, when `openssl` (which makes their certificates) is
/// missing, unless `SYNCML_REQUIRE_PEERS=1`.
enum Transport: String, Sendable, CustomTestStringConvertible {
    case http, https

    /// The transports a scenario that matters on both runs over.
    static let both: [Transport] = TestCertificates.available ? [.http, .https] : [.http]

    var testDescription: String { rawValue.uppercased() }
}

/// A server a client under test syncs with: `syncml serve` or SyncEvolution's own.
protocol InteropServer: Sendable {
    /// The sync URL clients are given.
    var url: String { get }
    /// The end of the server's output, for failure messages.
    var log: String { get }
}

extension SyncMLServerProcess: InteropServer {}
extension SyncEvolutionServer: InteropServer {}

/// Everything one scenario creates — servers, their stores, clients — under one
/// temporary directory. `InteropWorkspace.with` hands one to a scenario, then
/// stops the servers and removes the directory, unless `SYNCML_INTEROP_KEEP=1`
/// (then its path is printed, to look at the client files, stores and session logs).
final class InteropWorkspace: @unchecked Sendable {
    let root: URL
    private var servers: [SyncMLServerProcess] = []
    private var referenceServers: [SyncEvolutionServer] = []
    private var madeCertificates: TestCertificates?

    /// Runs `scenario` in a new workspace and closes it afterwards, also when the
    /// scenario fails: a `defer` cannot await the servers' ends.
    static func with<Result>(_ scenario: (InteropWorkspace) async throws -> Result) async throws -> Result {
        let workspace = try InteropWorkspace()
        do {
            let result = try await scenario(workspace)
            await workspace.close()
            return result
        } catch {
            await workspace.close()
            throw error
        }
    }

    private init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// The path of a store file in the workspace (not created).
    func storePath(_ name: String = "server") -> URL { root.appendingPathComponent("\(name).sqlite") }

    /// Adds `users` to the store `name` (created on first use) and starts `syncml serve` on it.
    func startServer(_ name: String = "server", users: [Account] = [.alice], transport: Transport = .http,
                     options: [String] = []) async throws -> SyncMLServerProcess {
        let store = storePath(name)
        for user in users { try await SyncMLTool.addUser(user, store: store) }
        return try await startServer(on: store, transport: transport, options: options)
    }

    /// Starts `syncml serve` on an existing store (its users and device anchors kept), with further `options`.
    func startServer(on store: URL, transport: Transport = .http, options: [String] = []) async throws -> SyncMLServerProcess {
        let server = try await SyncMLServerProcess(store: store, certificates: transport == .https ? certificates() : nil, options: options)
        servers.append(server)
        return server
    }

    /// Starts `syncml serve` named `name` (its logs) on the store `db` names (a postgres:// URL: one of several nodes).
    func startNode(_ name: String, db: String) async throws -> SyncMLServerProcess {
        let server = try await SyncMLServerProcess(store: storePath(name), db: db)
        servers.append(server)
        return server
    }

    /// The workspace's throwaway CA and server certificate (`tls/`), made on first use.
    func certificates() async throws -> TestCertificates {
        if let madeCertificates { return madeCertificates }
        let made = try await TestCertificates.make(in: root)
        madeCertificates = made
        return made
    }

    /// Starts SyncEvolution's own server under `name/`, configured for these client devices.
    func startReferenceServer(_ name: String = "reference", devices: [(deviceID: String, account: Account)]) async throws -> SyncEvolutionServer {
        let server = try await SyncEvolutionServer(root: root.appendingPathComponent(name), devices: devices)
        referenceServers.append(server)
        return server
    }

    /// A SyncEvolution client configured for `server` as `account`, device ID `syncml-interop-NAME`;
    /// for an HTTPS server it trusts the workspace's CA (and checks the certificate and host name).
    func client(_ name: String, of server: SyncMLServerProcess, as account: Account = .alice) async throws -> SyncEvolutionClient {
        try await client(name, url: server.url, authority: server.authority, as: account)
    }

    /// A SyncEvolution client configured for the server at `url` (a load balancer's, say).
    func client(_ name: String, url: String, authority: String? = nil, as account: Account = .alice) async throws -> SyncEvolutionClient {
        let client = try SyncEvolutionClient(name: name, in: root)
        try await client.configure(url: url, user: account.name, password: account.password, deviceID: "syncml-interop-\(name)",
                                   extra: authority.map { SyncEvolution.trusting($0) } ?? [])
        return client
    }

    private func close() async {
        for server in servers { await server.stop() }
        for server in referenceServers { await server.stop() }
        if ProcessInfo.processInfo.environment["SYNCML_INTEROP_KEEP"] == "1" {
            FileHandle.standardError.write(Data("interop workspace kept: \(root.path)\n".utf8))
        } else {
            try? FileManager.default.removeItem(at: root)
        }
    }
}
