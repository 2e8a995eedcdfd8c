import Foundation
import Testing
import TestSupport

/// The PostgreSQL server the scale-out tests will run against (issue #18): a
/// cluster of the test's own, started in a temporary directory and gone after.
/// Skipped loudly without Debian's `postgresql`; a failure under `SYNCML_REQUIRE_PEERS=1`.
@Suite("A PostgreSQL cluster of the test's own")
struct PostgresClusterTests {
    @Test("starts in a temporary directory, answers on 127.0.0.1 with a database for the store, and is gone after stop")
    func startsAnswersAndStops() async throws {
        guard let cluster = try await PostgresCluster.start() else { return }
        let directory = cluster.directory
        let answer = try await cluster.psql("SELECT current_user || ' ' || current_database() || ' ' || current_setting('server_version_num')::int / 10000")
        await cluster.stop()
        let words = answer.split(separator: " ")
        #expect(words.prefix(2) == ["syncml", "syncml"])
        #expect((Int(words.last ?? "") ?? 0) >= 13, "PostgreSQL 13 or newer: \(answer)")
        #expect(!FileManager.default.fileExists(atPath: directory.path))
        #expect(cluster.url.hasPrefix("postgres://syncml@127.0.0.1:"))
    }
}
