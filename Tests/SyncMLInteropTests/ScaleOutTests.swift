import Foundation
import TestSupport
import Testing

extension InteropTests {
    /// SyncEvolution through two `syncml serve --db postgres://…` nodes on one
    /// database behind HAProxy without stickiness (issue #18): the messages of
    /// each sync alternate between the nodes. Skipped loudly without PostgreSQL
    /// or HAProxy; a failure under `SYNCML_REQUIRE_PEERS=1`.
    @Suite("Two nodes behind a load balancer")
    struct ScaleOut {
        @Test("a slow sync up, a slow sync down to an empty client, and a two-way change, each message to the next node: everything arrives once")
        func syncsThroughTwoNodes() async throws {
            guard let cluster = try await PostgresCluster.shared() else { return }
            try await InteropWorkspace.with { workspace in
                let db = cluster.url + "?schema=interop_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                try await SyncMLTool.addUser(.alice, db: db, passwordDirectory: workspace.root)
                let nodes = [try await workspace.startNode("node0", db: db), try await workspace.startNode("node1", db: db)]
                let ports = nodes.compactMap { URLComponents(string: $0.url)?.port }
                guard let balancer = try await LoadBalancer.start(backends: ports) else { return }
                do {
                    let first = try await workspace.client("first", url: balancer.syncURL)
                    let second = try await workspace.client("second", url: balancer.syncURL)
                    try Samples.fill(first)

                    try await requireSuccess(first.sync(.slow, wbxml: true), nodes[0])
                    try await requireSuccess(second.sync(.slow, wbxml: true), nodes[1])
                    for datastore in Datastore.allCases {
                        #expect(try await nodes[0].titles(of: .alice, in: datastore) == Samples.titles(datastore))
                        #expect(try second.titles(in: datastore) == Samples.titles(datastore), "each record once on the receiver")
                    }

                    try first.write(Samples.contact("Alan Turing", "EMAIL;TYPE=INTERNET:alan@example.org"), as: "alan.vcf", in: .addressbook)
                    try first.delete(titled: "Ada Lovelace", in: .addressbook)
                    try await requireSuccess(first.sync(.twoWay), nodes[0])
                    let received = try await requireSuccess(second.sync(.twoWay), nodes[1])
                    #expect(received.report?[.addressbook].count(.local, .added) == 1, "\(received)")
                    #expect(received.report?[.addressbook].count(.local, .removed) == 1, "\(received)")
                    let expected = try first.titles(in: .addressbook)
                    #expect(try second.titles(in: .addressbook) == expected)
                    #expect(try await nodes[1].titles(of: .alice, in: .addressbook) == expected)

                    let counts = try await balancer.requestsPerBackend()
                    #expect(counts.allSatisfy { $0 >= 4 }, "both nodes answered messages of the syncs: \(counts)")
                } catch {
                    await balancer.stop()
                    throw error
                }
                await balancer.stop()
            }
        }
    }
}
