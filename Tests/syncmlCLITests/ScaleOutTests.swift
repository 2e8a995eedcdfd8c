import Foundation
import SyncMLClient
import SyncMLHTTP
import SyncMLRecords
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Any node takes any message (issue #18, step 4): two `syncml serve --db
/// postgres://…` nodes on one store behind HAProxy with no stickiness, so the
/// messages of one sync alternate between them. Each test uses a schema of its
/// own in the shared cluster. Skipped loudly without PostgreSQL or HAProxy; a
/// failure under `SYNCML_REQUIRE_PEERS=1`.
@Suite("Two syncml serve nodes on one PostgreSQL store behind HAProxy take turns in one sync")
struct ScaleOutTests {
    @Test("A slow sync and two-way syncs of 300 contacts in 20 kB messages through both nodes: every record arrives exactly once")
    func syncsThroughBothNodes() async throws {
        guard let deployment = try await Deployment.start() else { return }
        let cli = deployment.cli
        defer { cli.remove() }
        #expect(try await cli.run(["generate", "vcards", "--count", "300", "--directory", "a"]).status == 0)
        try FileManager.default.createDirectory(atPath: cli.path("b"), withIntermediateDirectories: true)

        // a's first sync is slow and sends its 300 contacts over several messages; b's brings them all to b.
        let first = try await cli.sync(deployment.url, "a", ["--json"])
        #expect(first.status == 0, "\(first.output)\(first.error)")
        let second = try await cli.sync(deployment.url, "b", ["--json"])
        #expect(second.status == 0, "\(second.output)\(second.error)")
        #expect(try files("b", in: cli).count == 300)

        // Two-way: a changes 5, deletes 5 and adds 10 people; b gets exactly that.
        let names = try files("a", in: cli).map(\.lastPathComponent)
        for name in names.prefix(5) {
            let text = try String(contentsOfFile: cli.path("a/" + name), encoding: .utf8)
            try cli.write("a/" + name, text.replacingOccurrences(of: "END:VCARD", with: "NOTE:changed through the balancer\r\nEND:VCARD"))
        }
        for name in names.dropFirst(5).prefix(5) { try FileManager.default.removeItem(atPath: cli.path("a/" + name)) }
        for index in 0..<10 {
            try cli.write("a/new-\(index).vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Scaleout Newcomer\(index)\r\nN:Newcomer\(index);Scaleout;;;\r\n"
                          + "EMAIL:newcomer\(index)@scaleout.example\r\nEND:VCARD\r\n")
        }
        let third = try await cli.sync(deployment.url, "a", ["--json"])
        #expect(third.status == 0, "\(third.output)\(third.error)")
        let fourth = try await cli.sync(deployment.url, "b", ["--json"])
        #expect(fourth.status == 0, "\(fourth.output)\(fourth.error)")

        let exported = try await cli.run(["export", "--user", "test", "--datastore", "contacts", "--db", deployment.db])
        #expect(exported.status == 0, "\(exported.error)")
        let stored = try VObjectParser.parse(Array(exported.output.utf8)).map { "\(RecordSignature($0).fingerprint)" }.sorted()
        let onA = try fingerprints(files("a", in: cli)), onB = try fingerprints(files("b", in: cli))
        #expect(stored.count == 305 && Set(stored).count == 305, "every record once in the store: \(stored.count)")
        let (aAgrees, bAgrees) = (onA == stored, onB == stored) // (the lists themselves are too long for a failure message)
        #expect(aAgrees, "a holds what the store holds: \(onA.count) records, \(Set(onA).subtracting(stored).count) not in the store")
        #expect(bAgrees, "b holds what the store holds, each once: \(onB.count) records, \(Set(onB).subtracting(stored).count) not in the store")
        let counts = try await deployment.balancer.requestsPerBackend()
        #expect(counts.allSatisfy { $0 >= 8 }, "both nodes served messages of the syncs: \(counts)")
        await deployment.stop()
    }

    @Test("A node killed (SIGKILL) between two messages of a sync (in the client's package, in the server's): the next message goes to the other node, and the sync completes with nothing lost or doubled",
          arguments: [4, 7])
    func nodeKilledMidSync(killBefore message: Int) async throws {
        guard let deployment = try await Deployment.start() else { return }
        let cli = deployment.cli
        defer { cli.remove() }
        // The server holds 200 contacts; the client 100 of its own: messages both ways, several per package.
        #expect(try await cli.run(["generate", "vcards", "--count", "200", "--directory", "server"]).status == 0)
        let serverFiles = try files("server", in: cli)
        let imported = try await cli.run(["import"] + serverFiles.map(\.path) + ["--user", "test", "--db", deployment.db])
        #expect(imported.status == 0, "\(imported.error)")
        let before = try await exportedFingerprints(deployment).count
        let book = ClientBook(count: 100)

        let victim = deployment.nodes[0].process.processIdentifier
        // Messages 1 and 2: the challenge and the init package; 3 and 4 the client's 100 contacts; from 5 the server's 200.
        let transport = KillingTransport(try HTTPClientTransport(), killBefore: message) {
            // The message before was answered; this one is not sent yet: node 0 dies now, whichever held the session.
            kill(victim, SIGKILL)
            try? await Task.sleep(for: .milliseconds(200)) // its sockets are closed once it is gone
        }
        var configuration = ClientConfiguration(serverURL: deployment.url, user: "test", password: "secret", deviceID: "killed-node-device")
        configuration.maxMessageSize = 20_000
        let client = SyncClient(configuration: configuration,
                                datastores: [ClientDatastore(name: "contacts", kind: .contacts, type: "text/vcard", source: book)],
                                transport: transport, state: try ClientState.inMemory())
        let report = try await client.sync()
        #expect(await transport.sent > message + 2, "the sync went on for several messages after the kill")
        #expect(report.datastores.first?.refusal == nil)

        let stored = try await exportedFingerprints(deployment)
        let held = try await book.fingerprints()
        #expect(Set(stored).count == stored.count, "nothing doubled in the store")
        #expect(stored.count == before + 100, "the server's \(before) and the client's 100: \(stored.count)")
        let agrees = held == stored // (the lists themselves are too long for a failure message)
        #expect(agrees, "the client holds what the store holds, each once: \(held.count) against \(stored.count)")
        await deployment.stop()
    }

    @Test("A node killed (SIGKILL) and restarted at every message boundary of a sync, the first two included, the two nodes in turn: the sync completes with nothing lost or doubled")
    func nodeKilledAtEveryBoundary() async throws {
        guard let deployment = try await Deployment.start() else { return }
        let cli = deployment.cli
        defer { cli.remove() }
        #expect(try await cli.run(["generate", "vcards", "--count", "120", "--directory", "server"]).status == 0)
        let imported = try await cli.run(["import"] + (try files("server", in: cli)).map(\.path) + ["--user", "test", "--db", deployment.db])
        #expect(imported.status == 0, "\(imported.error)")
        let before = try await exportedFingerprints(deployment).count
        let book = ClientBook(count: 60)
        let keeper = NodeKeeper(deployment)
        // Before every message from the second on (after the challenge; the session exists from the second): the node
        // that answered the message before is killed and started again on its port, empty-handed.
        let transport = KillingTransport(try HTTPClientTransport(), killFrom: 2) { message in
            await keeper.restart(node: message % 2)
        }
        var configuration = ClientConfiguration(serverURL: deployment.url, user: "test", password: "secret", deviceID: "every-boundary")
        configuration.maxMessageSize = 20_000
        let client = SyncClient(configuration: configuration,
                                datastores: [ClientDatastore(name: "contacts", kind: .contacts, type: "text/vcard", source: book)],
                                transport: transport, state: try ClientState.inMemory())
        let report = try await client.sync()
        #expect(report.datastores.first?.refusal == nil)
        let (restarts, sent) = (keeper.restarts, await transport.sent)
        #expect(restarts >= 6 && restarts == sent - 1, "a restart before every message from the second: \(restarts) of \(sent) messages")

        let stored = try await exportedFingerprints(deployment)
        let held = try await book.fingerprints()
        #expect(Set(stored).count == stored.count, "nothing doubled in the store")
        #expect(stored.count == before + 60, "the server's \(before) and the client's 60: \(stored.count)")
        let agrees = held == stored // (the lists themselves are too long for a failure message)
        #expect(agrees, "the client holds what the store holds, each once: \(held.count) against \(stored.count)")
        await keeper.stop()
        await deployment.balancer.stop()
        cli.remove()
    }

    /// The fingerprints of the contacts `syncml export` gives from the deployment's store, sorted.
    private func exportedFingerprints(_ deployment: Deployment) async throws -> [String] {
        let exported = try await deployment.cli.run(["export", "--user", "test", "--datastore", "contacts", "--db", deployment.db])
        #expect(exported.status == 0, "\(exported.error)")
        return try VObjectParser.parse(Array(exported.output.utf8)).map { "\(RecordSignature($0).fingerprint)" }.sorted()
    }

    private func files(_ folder: String, in cli: CLI) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: URL(fileURLWithPath: cli.path(folder)), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "vcf" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}

/// Two `syncml serve` nodes on a PostgreSQL schema of their own (user `test`,
/// password `secret`, 20 kB messages) behind a `LoadBalancer`.
private struct Deployment {
    let cli: CLI
    let db: String
    let nodes: [ServeProcess]
    let balancer: LoadBalancer
    /// What each node runs with, but its port.
    var arguments: [String] { ["--db", db, "--log-level", "warning", "--max-body-size", "20000"] }

    var url: String { balancer.syncURL }

    /// Nil (after the loud skip) without PostgreSQL or HAProxy.
    static func start() async throws -> Deployment? {
        guard let cluster = try await PostgresCluster.shared() else { return nil }
        let db = cluster.url + "?schema=scale_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let cli = try CLI()
        let added = try await cli.run(["user", "add", "--db", db, "test"], input: "secret\n")
        #expect(added.status == 0, "\(added.error)")
        try cli.write("pw.txt", "secret\n")
        let nodes = try (0..<2).map { _ in
            try ServeProcess(cli, ["--db", db, "--log-level", "warning", "--max-body-size", "20000", "--port", "0"])
        }
        var ports: [Int] = []
        for node in nodes { ports.append(try await node.listeningPort()) }
        guard let balancer = try await LoadBalancer.start(backends: ports) else {
            for node in nodes { _ = await node.stop() }
            cli.remove()
            return nil
        }
        return Deployment(cli: cli, db: db, nodes: nodes, balancer: balancer)
    }

    func stop() async {
        await balancer.stop()
        for node in nodes { node.terminate() }
        for node in nodes { _ = await node.finish() }
    }
}

/// Carries messages like the transport it wraps, and runs `kill` between two
/// messages: once, just before sending message number `killBefore` (1-based),
/// or before every message from `killFrom` on (with the message's number).
private actor KillingTransport: SyncTransport {
    private let inner: HTTPClientTransport
    private let first: Int, last: Int
    private let kill: @Sendable (Int) async -> Void
    private(set) var sent = 0

    init(_ inner: HTTPClientTransport, killBefore: Int, kill: @escaping @Sendable () async -> Void) {
        (self.inner, first, last, self.kill) = (inner, killBefore, killBefore, { _ in await kill() })
    }

    init(_ inner: HTTPClientTransport, killFrom: Int, kill: @escaping @Sendable (Int) async -> Void) {
        (self.inner, first, last, self.kill) = (inner, killFrom, .max, kill)
    }

    func send(_ body: [UInt8], contentType: String, to url: String) async throws -> TransportReply {
        sent += 1
        if (first...last).contains(sent) { await kill(sent) }
        return try await inner.send(body, contentType: contentType, to: url)
    }
}

/// The deployment's nodes, each killed and started again on its port on demand.
/// Used by one task at a time (the client's transport between two messages, then
/// the test): unchecked, as `ServeProcess` is not `Sendable`.
private final class NodeKeeper: @unchecked Sendable {
    private let cli: CLI
    private let arguments: [String]
    private let ports: [Int]
    private var nodes: [ServeProcess]
    private(set) var restarts = 0

    init(_ deployment: Deployment) {
        (cli, arguments, ports, nodes) = (deployment.cli, deployment.arguments, deployment.balancer.backends, deployment.nodes)
    }

    /// SIGKILL to node `index`, then the same node again on the same port, once it listens.
    func restart(node index: Int) async {
        _ = await nodes[index].stop(SIGKILL)
        do {
            let node = try ServeProcess(cli, arguments + ["--port", "\(ports[index])"])
            _ = try await node.listeningPort()
            nodes[index] = node
            restarts += 1
        } catch {
            Issue.record("node \(index) did not start again: \(error)")
        }
    }

    func stop() async {
        for node in nodes { node.terminate() }
        for node in nodes { _ = await node.finish() }
    }
}

/// A client's contacts in memory: `count` generated ones to begin with.
private actor ClientBook: SyncDataSource {
    private var records: [String: [UInt8]] = [:]
    private var received = 0

    init(count: Int) {
        for index in 0..<count {
            records["own-\(index)"] = Array(("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Killtest Person\(index)\r\nN:Person\(index);Killtest;;;\r\n"
                + "TEL;TYPE=CELL:+44 20 7946 \(1000 + index)\r\nNOTE:\(String(repeating: "kept on the client ", count: 6))\r\nEND:VCARD\r\n").utf8)
        }
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

    func fingerprints() throws -> [String] {
        try records.values.flatMap { try VObjectParser.parse($0).map { "\(RecordSignature($0).fingerprint)" } }.sorted()
    }
}
