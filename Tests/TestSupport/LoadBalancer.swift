import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An HAProxy of a test's own in front of several `syncml serve` nodes: HTTP
/// mode, round robin, no stickiness of any kind (no cookie, no
/// `prefer-last-server`), so consecutive requests, even on one kept-alive
/// client connection, go to different nodes, as issue #18 asks of the
/// scale-out tests. Its statistics page tells how many requests each node got.
///
/// It needs Debian's `haproxy`; when it is missing, `start` returns nil after a
/// loud skip message, unless `SYNCML_REQUIRE_PEERS=1`, when it throws. HAProxy
/// runs in the foreground (`-db`) as the test's child and is stopped by `stop()`.
public final class LoadBalancer: Sendable {
    /// The port clients connect to, on 127.0.0.1.
    public let port: Int
    /// The port of the statistics page (`/stats;csv`).
    public let statsPort: Int
    /// The backends' ports, in the order of their names `node0`, `node1`, ….
    public let backends: [Int]
    private let directory: URL
    private let process: Process
    private let exit: ProcessExit

    private init(port: Int, statsPort: Int, backends: [Int], directory: URL, process: Process, exit: ProcessExit) {
        (self.port, self.statsPort, self.backends, self.directory, self.process, self.exit) = (port, statsPort, backends, directory, process, exit)
    }

    /// The `/sync` URL clients use.
    public var syncURL: String { "http://127.0.0.1:\(port)/sync" }

    /// Starts HAProxy balancing over the nodes listening on `backends` (127.0.0.1),
    /// or returns nil (after the loud skip message) when it is not installed and
    /// peers are not required.
    public static func start(backends: [Int]) async throws -> LoadBalancer? {
        guard let haproxy = Peers.path(of: "haproxy") ?? ["/usr/sbin/haproxy"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            guard Peers.available("haproxy", package: "haproxy") else { return nil }
            throw Peers.Failure(description: "HAProxy is not installed: apt-get install haproxy")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-lb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // A port another program holds makes HAProxy exit at once: try a few.
        for _ in 0..<5 {
            let port = Int.random(in: 20_000..<60_000), statsPort = Int.random(in: 20_000..<60_000)
            guard port != statsPort, !backends.contains(port), !backends.contains(statsPort) else { continue }
            if let balancer = try await start(haproxy, port: port, statsPort: statsPort, backends: backends, in: directory) {
                return balancer
            }
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("log"), encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: directory)
        throw Peers.Failure(description: "HAProxy did not start: \(log.suffix(400))")
    }

    private static func start(_ haproxy: String, port: Int, statsPort: Int, backends: [Int], in directory: URL) async throws -> LoadBalancer? {
        let configuration = directory.appendingPathComponent("haproxy.cfg")
        try Data(Self.configuration(port: port, statsPort: statsPort, backends: backends).utf8).write(to: configuration)
        let log = try OutputFile(keeping: directory.appendingPathComponent("log"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: haproxy)
        process.arguments = ["-db", "-f", configuration.path]
        process.currentDirectoryURL = directory
        process.standardOutput = log.handle
        process.standardError = log.handle
        process.standardInput = FileHandle.nullDevice
        let exit = try process.start()
        let balancer = LoadBalancer(port: port, statsPort: statsPort, backends: backends, directory: directory, process: process, exit: exit)
        for _ in 0..<100 {
            if exit.hasExited { return nil }
            if (try? await balancer.requestsPerBackend()) != nil { return balancer }
            try await Task.sleep(for: .milliseconds(50))
        }
        await balancer.stop()
        throw Peers.Failure(description: "HAProxy did not answer within 5 s: \(log.text.suffix(400))")
    }

    /// HTTP mode, round robin per request: HAProxy balances each request of a
    /// kept-alive connection on its own unless told to prefer the last server.
    /// A request whose node refuses the connection is sent to another node
    /// (`option redispatch`), as a deployment would have it; a request a node
    /// took and died on is not repeated (the client retries it).
    static func configuration(port: Int, statsPort: Int, backends: [Int]) -> String {
        let servers = backends.enumerated().map { "    server node\($0.offset) 127.0.0.1:\($0.element)" }.joined(separator: "\n")
        return """
            global
                maxconn 512
            defaults
                mode http
                timeout connect 5s
                timeout client 120s
                timeout server 120s
            frontend sync
                bind 127.0.0.1:\(port)
                default_backend nodes
            backend nodes
                balance roundrobin
                # A node that refuses the connection (stopped, killed) is skipped: the request goes to another.
                retries 3
                option redispatch 1
            \(servers)
            frontend stats
                bind 127.0.0.1:\(statsPort)
                stats enable
                stats uri /stats

            """
    }

    /// Requests each backend has answered so far (`stot` of the statistics CSV), in `backends` order.
    public func requestsPerBackend() async throws -> [Int] {
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(statsPort)/stats;csv")!)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard let header = lines.first?.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false),
              let name = header.firstIndex(of: "svname"), let total = header.firstIndex(of: "stot") else {
            throw Peers.Failure(description: "HAProxy's statistics have no svname/stot columns")
        }
        var counts: [String: Int] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count > max(name, total), fields[0] == "nodes" else { continue }
            counts[String(fields[name])] = Int(fields[total])
        }
        return backends.indices.map { counts["node\($0)"] ?? 0 }
    }

    /// Stops HAProxy (SIGTERM; SIGKILL after 10 s) and deletes its directory.
    public func stop() async {
        if !exit.hasExited {
            kill(process.processIdentifier, SIGTERM)
            if await !exit.wait(atMost: .seconds(10)) {
                kill(process.processIdentifier, SIGKILL)
                await exit.wait()
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
