import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport
import Testing

/// The load balancer the scale-out tests (issue #18) put in front of several
/// `syncml serve` nodes: a real HAProxy, round robin, no stickiness. Skipped
/// loudly without Debian's `haproxy`; a failure under `SYNCML_REQUIRE_PEERS=1`.
@Suite("Two syncml serve nodes behind HAProxy")
struct LoadBalancerTests {
    @Test("round robin without stickiness: consecutive requests on one kept-alive connection alternate between the nodes")
    func alternates() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let nodes = try [ServeProcess(cli, ["--db", cli.path("node0.sqlite"), "--port", "0", "--log-level", "warning"]),
                         ServeProcess(cli, ["--db", cli.path("node1.sqlite"), "--port", "0", "--log-level", "warning"])]
        var ports: [Int] = []
        for node in nodes { ports.append(try await node.listeningPort()) }
        guard let balancer = try await LoadBalancer.start(backends: ports) else {
            for node in nodes { _ = await node.stop() }
            return
        }
        let session = URLSession(configuration: .ephemeral)
        var statuses: [Int] = []
        for _ in 0..<6 {
            let (_, response) = try await session.data(from: URL(string: balancer.syncURL)!)
            statuses.append((response as? HTTPURLResponse)?.statusCode ?? 0)
        }
        let counts = try await balancer.requestsPerBackend()
        await balancer.stop()
        for node in nodes { #expect(await node.stop().status == 0) }

        #expect(statuses == Array(repeating: 200, count: 6))
        #expect(counts == [3, 3], "requests per node: \(counts)")
    }
}
