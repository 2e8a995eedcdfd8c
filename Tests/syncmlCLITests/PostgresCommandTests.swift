import Foundation
import SyncMLRecords
import TestSupport
import Testing

/// `--db postgres://…`: the store commands and `syncml serve` on a PostgreSQL
/// store in this process's cluster (a schema of the test's own). Skipped loudly
/// without PostgreSQL; a failure under `SYNCML_REQUIRE_PEERS=1`.
@Suite("syncml on a PostgreSQL store")
struct PostgresCommandTests {
    @Test("user add and import into PostgreSQL, serve --db postgres:// answers a sync, export gives every record back, inspect and sessions read it")
    func postgresStore() async throws {
        guard let cluster = try await PostgresCluster.shared() else { return }
        let db = cluster.url + "?schema=cli_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let cli = try CLI()
        defer { cli.remove() }
        let fixtures = Fixtures.clientDataBefore()

        // Reading a store that is not there creates nothing.
        let missing = try await cli.run(["inspect", "--db", db])
        #expect(missing.status == 1 && missing.error.contains("no store at"), "\(missing.error)")

        let added = try await cli.run(["user", "add", "--db", db, "test"], input: "secret\n")
        #expect(added.status == 0, "\(added.error)")
        let imported = try await cli.run(["import"] + fixtures.map(\.path) + ["--user", "test", "--db", db])
        #expect(imported.status == 0, "\(imported.error)")
        #expect(imported.lines.last == "total: 6 added, 0 unchanged, 0 duplicates (session 1)")

        // A device with one contact of its own syncs with the server on that store.
        try cli.write("pw.txt", "secret\n")
        let zed = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zed Example\r\nN:Example;Zed;;;\r\nEMAIL:zed@example.com\r\nEND:VCARD\r\n"
        try cli.write("book/zed.vcf", zed)
        let server = try ServeProcess(cli, ["--db", db, "--port", "0", "--log-level", "warning"])
        defer { server.terminate() }
        let url = "http://127.0.0.1:\(try await server.listeningPort())/sync"
        let synced = try await cli.sync(url, "book")
        #expect(synced.status == 0, "\(synced.output)\(synced.error)")
        let book = try FileManager.default.contentsOfDirectory(atPath: cli.path("book"))
        #expect(book.count == 4, "the three imported contacts came to the device: \(book)")
        let stopped = await server.stop()
        #expect(stopped.status == 0, "\(stopped.error)")
        #expect(!stopped.error.contains("secret"))

        // Export gives the imported contacts and the device's back, by fingerprint.
        let exported = try await cli.run(["export", "--user", "test", "--datastore", "contacts", "--db", db])
        #expect(exported.status == 0, "\(exported.error)")
        let records = try VObjectParser.parse(Array(exported.output.utf8)).map { "\(RecordSignature($0).fingerprint)" }.sorted()
        let expected = try (fingerprints(fixtures.filter { $0.pathExtension == "vcf" })
            + VObjectParser.parse(Array(zed.utf8)).map { "\(RecordSignature($0).fingerprint)" }).sorted()
        #expect(records == expected)

        let inspect = try await cli.run(["inspect", "--db", db])
        #expect(inspect.status == 0, "\(inspect.error)")
        #expect(inspect.output.contains("schema version 13"))
        #expect(inspect.lines.contains { $0.hasPrefix("test") && $0.contains("contacts") && $0.contains(" 4 ") }, "\(inspect.output)")
        let sessions = try await cli.run(["sessions", "--user", "test", "--db", db])
        #expect(sessions.lines.contains { $0.contains("import") } && sessions.lines.contains { $0.contains("sync") }, "\(sessions.output)")
    }

    @Test("migrate: a SQLite store to PostgreSQL and back keeps every record and the device's sync state (its next sync is two-way); a full destination is one line")
    func migrate() async throws {
        guard let cluster = try await PostgresCluster.shared() else { return }
        let postgres = cluster.url + "?schema=mig_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let cli = try CLI()
        defer { cli.remove() }
        let sqlite = cli.path("first.sqlite")
        #expect(try await cli.run(["user", "add", "--db", sqlite, "test"], input: "secret\n").status == 0)
        #expect(try await cli.run(["import"] + Fixtures.clientDataBefore().map(\.path) + ["--user", "test", "--db", sqlite]).status == 0)
        try cli.write("pw.txt", "secret\n")
        try cli.write("book/zed.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zed Example\r\nN:Example;Zed;;;\r\nEND:VCARD\r\n")
        let first = try ServeProcess(cli, ["--db", sqlite, "--port", "0", "--log-level", "warning"])
        let synced = try await cli.sync("http://127.0.0.1:\(try await first.listeningPort())/sync", "book")
        #expect(synced.status == 0, "\(synced.output)\(synced.error)")
        #expect(await first.stop().status == 0)
        let exportArguments = ["export", "--user", "test", "--datastore", "contacts", "--db"]
        let original = try await cli.run(exportArguments + [sqlite]).output

        let there = try await cli.run(["migrate", "--from", sqlite, "--to", postgres, "--batch-size", "3"])
        #expect(there.status == 0, "\(there.error)")
        #expect(there.lines.last?.contains("1 user, 1 device, 7 records, 7 versions") == true, "\(there.output)")
        #expect(there.lines.last?.contains("every row read back equal") == true)
        #expect(try await cli.run(exportArguments + [postgres]).output == original)

        let back = cli.path("back.sqlite")
        let again = try await cli.run(["migrate", "--from", postgres, "--to", back, "--json"])
        #expect(again.status == 0, "\(again.error)")
        #expect(again.output.contains("\"fingerprints_compared\""), "\(again.output)")
        #expect(try await cli.run(exportArguments + [back]).output == original)

        // The device syncs on against the PostgreSQL copy without a slow sync (which `syncml sync` would refuse).
        try cli.write("book/amy.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Amy Example\r\nN:Example;Amy;;;\r\nEND:VCARD\r\n")
        let moved = try ServeProcess(cli, ["--db", postgres, "--port", "0", "--log-level", "warning"])
        let next = try await cli.sync("http://127.0.0.1:\(try await moved.listeningPort())/sync", "book")
        #expect(next.status == 0, "\(next.output)\(next.error)")
        #expect(await moved.stop().status == 0)
        #expect(try await cli.run(exportArguments + [postgres]).output.contains("FN:Amy Example"))

        // Into a store that holds something: one line, exit 1, and it is unchanged.
        let full = try await cli.run(["migrate", "--from", sqlite, "--to", back])
        #expect(full.status == 1 && full.error.contains("not empty") && full.error.split(separator: "\n").count == 1, "\(full.error)")
        #expect(try await cli.run(exportArguments + [back]).output == original)
        let nowhere = try await cli.run(["migrate", "--from", cli.path("missing.sqlite"), "--to", cli.path("new.sqlite")])
        #expect(nowhere.status == 1 && !FileManager.default.fileExists(atPath: cli.path("new.sqlite")), "\(nowhere.error)")
    }
}
