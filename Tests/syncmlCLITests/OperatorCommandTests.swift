import Foundation
import TestSupport
import Testing

/// A contact as one file.
private func card(_ name: String, note: String? = nil) -> String {
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:\(name) Example\r\nN:Example;\(name);;;\r\n" + (note.map { "NOTE:\($0)\r\n" } ?? "") + "END:VCARD\r\n"
}

/// The keys of a JSON object.
private func keys(_ object: Any?) -> Set<String> {
    Set((object as? [String: Any])?.keys.map { $0 } ?? [])
}

extension CLI.Result {
    /// Standard output parsed as one JSON document.
    func json(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        #expect(status == 0, "\(error)", sourceLocation: sourceLocation)
        #expect(output.split(separator: "\n").count == 1, "one document, one line: \(output)", sourceLocation: sourceLocation)
        return try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], sourceLocation: sourceLocation)
    }
}

extension CLI {
    /// `syncml serve` on `db` at a free port; its `/sync` URL.
    func serve(_ db: String) async throws -> (server: ServeProcess, url: String) {
        let server = try ServeProcess(self, ["--db", path(db), "--port", "0", "--log-level", "warning"])
        return (server, "http://127.0.0.1:\(try await server.listeningPort())/sync")
    }

    /// `syncml sync` of folder `folder` as device `device-FOLDER`, state `FOLDER.sqlite`.
    func sync(_ url: String, _ folder: String, passwordFile: String = "pw.txt", _ extra: [String] = []) async throws -> Result {
        try await run(["sync", "--url", url, "--user", "test", "--password-file", passwordFile, "--device-id", "device-\(folder)",
                       "--state", "\(folder).sqlite", "--contacts", folder, "--quiet"] + extra)
    }

    /// Writes `text` to the file `name`, folders included.
    func write(_ name: String, _ text: String) throws {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
}

@Suite("syncml for operators and scripts")
struct OperatorCommandTests {
    @Test("--version prints the name and version")
    func version() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let result = try await cli.run(["--version"])
        #expect(result.status == 0)
        #expect(result.output.range(of: #"^swift-syncml \d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil, "\(result.output)")
    }

    @Test("--json: inspect, sessions, history, user list, match and decode --stats print one JSON document each; fingerprint prints JSON Lines")
    func json() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let fixtures = Fixtures.clientDataBefore()
        #expect(try await cli.run(["user", "add", "test"], input: "pw\n").status == 0)
        #expect(try await cli.run(["import"] + fixtures.map(\.path) + ["--user", "test"]).status == 0)

        let inspect = try await cli.run(["inspect", "--json"]).json()
        #expect(keys(inspect) == ["store", "schema_version", "file_bytes", "users", "datastores", "devices", "journal"])
        #expect(inspect["schema_version"] as? Int == 13)
        let datastores = try #require(inspect["datastores"] as? [[String: Any]])
        #expect(keys(datastores.first) == ["user", "name", "items", "deleted_items", "last_sequence"])
        #expect(datastores.first { $0["name"] as? String == "contacts" }?["items"] as? Int == 3)
        #expect(keys(inspect["journal"]) == ["versions", "payload_bytes"])

        let users = try await cli.run(["user", "list", "--json"]).json()
        let user = try #require((users["users"] as? [[String: Any]])?.first)
        #expect(keys(user) == ["name", "created", "has_password", "md5_enabled"])
        #expect(user["has_password"] as? Bool == true)
        #expect((user["created"] as? String)?.hasSuffix("Z") == true, "an ISO 8601 time")

        let sessions = try await cli.run(["sessions", "--json"]).json()
        let session = try #require((sessions["sessions"] as? [[String: Any]])?.first)
        #expect(keys(session) == ["id", "kind", "state", "started", "ended", "user", "device", "adds", "replaces", "deletes", "undoes"])
        #expect(session["adds"] as? Int == 6)
        #expect(session["device"] is NSNull, "an absent value is null, the key is there")

        #expect(try await cli.run(["export", "--user", "test", "--datastore", "contacts", "--output", "out"]).status == 0)
        let guid = try #require(try FileManager.default.contentsOfDirectory(atPath: cli.path("out")).first).replacingOccurrences(of: ".vcf", with: "")
        let history = try await cli.run(["history", guid, "--json"]).json()
        #expect(keys(history) == ["item", "user", "datastore", "luid", "device", "state", "versions"])
        let version = try #require((history["versions"] as? [[String: Any]])?.first)
        #expect(keys(version) == ["sequence", "time", "operation", "device", "session", "fingerprint", "stored_bytes"])
        #expect(version["operation"] as? String == "add")
        #expect(version["sequence"] is Int)

        let alice = try #require(fixtures.first { $0.lastPathComponent == "alice.vcf" })
        let vcards = fixtures.filter { $0.pathExtension == "vcf" }
        let other = try #require(vcards.first { $0 != alice })
        let match = try await cli.run(["match", alice.path, other.path, "--json"]).json()
        #expect(keys(match) == ["first", "second", "pairs", "only_first", "only_second"])
        #expect((match["only_first"] as? [String]) == ["\(alice.path)#1"])

        let stats = try await cli.run(["decode", "--stats", "--json", Fixtures.packageRoot.appendingPathComponent("Examples/client-init.wbxml").path]).json()
        #expect(keys(stats) == ["messages", "bytes", "commands"])
        let row = try #require((stats["commands"] as? [[String: Any]])?.first)
        #expect(keys(row) == ["command", "count", "bytes", "average_bytes", "item_bytes", "share"])
        #expect(row["share"] is Double || row["share"] is Int)

        let lines = try await cli.run(["fingerprint", "--json"] + vcards.map(\.path)).lines
        #expect(lines.count == 3)
        for line in lines {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(keys(record) == ["file", "record", "fingerprint", "kind", "match_key", "canonical"])
            #expect((record["fingerprint"] as? String)?.count == 32)
            #expect(record["kind"] as? String == "contact")
        }
        #expect(try await cli.run(["decode", "--json", "x.wbxml"]).status != 0, "--json goes with --stats")
    }

    @Test("Commands that only read refuse a missing store with one line and exit 1, creating nothing; user add creates it")
    func missingStore() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        try FileManager.default.createDirectory(atPath: cli.path("phone"), withIntermediateDirectories: false)
        let db = ["--db", "typo.sqlite"]
        for (arguments, input) in [
            (["inspect"], nil), (["sessions"], nil), (["history", "1"], nil), (["history", "x.vcf", "--device", "phone"], nil),
            (["export", "--user", "test"], nil), (["user", "list"], nil), (["user", "passwd", "test"], "pw\n"),
            (["user", "remove", "test"], nil), (["undo", "1"], nil), (["preview", "--user", "test", "--contacts", "phone"], nil),
        ] as [([String], String?)] {
            let result = try await cli.run(arguments + db, input: input)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.error == "syncml: no store at typo.sqlite (nothing was created; check the path)\n", "\(arguments): \(result.error)")
            #expect(result.output.isEmpty)
        }
        let state = try await cli.run(["history", "x.vcf", "--state", "typo-state.sqlite"])
        #expect(state.error == "syncml: no state file at typo-state.sqlite (nothing was created; check the path)\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.path(".")) == ["phone"], "no store, no -wal or -shm file")

        #expect(try await cli.run(["user", "add", "test"] + db, input: "pw\n").status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.path("typo.sqlite")))
    }

    @Test("user passwd: the new password syncs, the old one is refused; durations are printed readably")
    func passwd() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        #expect(try await cli.run(["user", "add", "--db", "server.sqlite", "test"], input: "old\n").status == 0)
        try cli.write("pw.txt", "old\n")
        try cli.write("new.txt", "new\n")
        try cli.write("book/1.vcf", card("Alice"))
        let (server, url) = try await cli.serve("server.sqlite")
        defer { server.terminate() }

        let before = try await cli.sync(url, "book")
        #expect(before.status == 0, "\(before.error)")
        let duration = try #require(before.lines.last)
        #expect(duration.range(of: #"^duration (<1 ms|\d{1,3} ms|\d{1,2}\.\d\d s|\d+ min( \d{1,2} s)?)$"#, options: .regularExpression) != nil,
                "\(duration)")

        let changed = try await cli.run(["user", "passwd", "--db", "server.sqlite", "test", "--password-file", "new.txt"])
        #expect(changed.status == 0, "\(changed.error)")
        #expect(changed.output == "changed the password of user test (MD5 auth on)\n")
        let old = try await cli.sync(url, "book")
        #expect(old.status == 1)
        #expect(old.error.contains("401"), "\(old.error)")
        #expect(try await cli.sync(url, "book", passwordFile: "new.txt").status == 0)
        let basic = try await cli.sync(url, "book", passwordFile: "new.txt", ["--basic-auth"])
        #expect(basic.status == 0, "basic auth checks the new hash too: \(basic.error)")

        #expect(try await cli.run(["user", "passwd", "--db", "server.sqlite", "nobody"], input: "x\n").error == "syncml: no user nobody\n")
        #expect(try await cli.run(["user", "passwd", "--db", "server.sqlite", "test"], input: "\n").error == "syncml: empty password\n")
    }

    @Test("user remove refuses a user who has records, deletes them with --delete-data, and removes a user without records at once")
    func remove() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        for name in ["alice", "bob", "carol"] {
            #expect(try await cli.run(["user", "add", name], input: "pw\n").status == 0)
        }
        let fixtures = Fixtures.clientDataBefore()
        #expect(try await cli.run(["import"] + fixtures.map(\.path) + ["--user", "alice"]).status == 0)
        #expect(try await cli.run(["import", fixtures[0].path, "--user", "bob"]).status == 0)

        let refused = try await cli.run(["user", "remove", "alice"])
        #expect(refused.status == 1)
        #expect(refused.error == "syncml: user alice still has 6 record(s) in calendar, contacts, tasks (with their history): nothing removed; --delete-data deletes them with the user\n",
                "\(refused.error)")
        #expect(try await cli.run(["user", "list"]).lines.count == 4)

        let removed = try await cli.run(["user", "remove", "alice", "--delete-data"])
        #expect(removed.status == 0, "\(removed.error)")
        #expect(removed.output == "removed user alice and 6 record(s) (6 version(s)) in 3 datastore(s), 0 device(s), 1 session(s)\n")
        #expect(try await cli.run(["user", "remove", "carol"]).output == "removed user carol, 0 device(s), 0 session(s)\n")
        let inspect = try await cli.run(["inspect", "--json"]).json()
        #expect((inspect["users"] as? [[String: Any]])?.map { $0["name"] as? String } == ["bob"])
        #expect((inspect["datastores"] as? [[String: Any]])?.count == 1, "bob's data is untouched")
        #expect((try await cli.run(["sessions", "--json"]).json()["sessions"] as? [Any])?.count == 1, "bob's import")
        #expect(try await cli.run(["user", "remove", "alice"]).error == "syncml: no user alice\n")
    }

    @Test("history finds a record by GUID, by a device's LUID, and by file name with the client's state; ambiguity lists the candidates")
    func historyByWhatTheUserKnows() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        #expect(try await cli.run(["user", "add", "--db", "server.sqlite", "test"], input: "pw\n").status == 0)
        try cli.write("pw.txt", "pw\n")
        try cli.write("book/alice.vcf", card("Alice"))
        try cli.write("book/bob.vcf", card("Bob"))
        let (server, url) = try await cli.serve("server.sqlite")
        defer { server.terminate() }
        let first = try await cli.sync(url, "book", ["--json"])
        let report = try first.json()
        #expect(keys(report) == ["datastores", "duration_seconds", "suspended", "complete"])
        #expect(report["duration_seconds"] is Double)
        let contacts = try #require((report["datastores"] as? [[String: Any]])?.first)
        #expect(keys(contacts) == ["name", "requested_mode", "performed_mode", "resumed", "local", "remote", "conflicts", "rejected",
                                   "held_deletes", "refused_with_status"])
        #expect(keys(contacts["remote"]) == ["added", "updated", "deleted"])
        #expect((contacts["remote"] as? [String: Any])?["added"] as? Int == 2)

        try cli.write("book/alice.vcf", card("Alice", note: "edited"))
        #expect(try await cli.sync(url, "book").status == 0)

        // The file, through the client's state: the folder's versions.
        let byFile = try await cli.run(["history", "book/alice.vcf", "--state", "book.sqlite"])
        #expect(byFile.status == 0, "\(byFile.error)")
        #expect(byFile.lines.first == "record alice.vcf in contacts (state book.sqlite)")
        #expect(byFile.lines.count == 4) // title, header, add, replace
        #expect(byFile.lines[2].contains(" add ") && byFile.lines[2].contains(" local "), "\(byFile.output)")
        #expect(byFile.lines[3].contains(" replace "), "\(byFile.output)")

        // The device's LUID is the file name: the server's versions, with its GUID.
        let byLUID = try await cli.run(["history", "alice.vcf", "--device", "device-book", "--db", "server.sqlite", "--json"]).json()
        #expect(byLUID["luid"] as? String == "alice.vcf")
        #expect((byLUID["versions"] as? [[String: Any]])?.map { $0["operation"] as? String } == ["add", "replace"])
        let guid = try #require(byLUID["item"] as? String)
        let byGUID = try await cli.run(["history", guid, "--db", "server.sqlite"])
        #expect(byGUID.lines.first == "item \(guid) in test/contacts", "\(byGUID.output)")
        #expect(byGUID.lines.count == 4)

        // The same LUID in two users' datastores of one DevID: both are named.
        #expect(try await cli.run(["user", "add", "--db", "server.sqlite", "other"], input: "pw\n").status == 0)
        try cli.write("other/alice.vcf", card("Alice"))
        let other = try await cli.run(["sync", "--url", url, "--user", "other", "--password-file", "pw.txt", "--device-id", "device-book",
                                       "--state", "other.sqlite", "--contacts", "other", "--quiet"])
        #expect(other.status == 0, "\(other.error)")
        let ambiguous = try await cli.run(["history", "alice.vcf", "--device", "device-book", "--db", "server.sqlite"])
        #expect(ambiguous.status == 1)
        #expect(ambiguous.error.hasPrefix("syncml: LUID alice.vcf of device device-book is in several places: other/contacts (GUID "),
                "\(ambiguous.error)")
        #expect(ambiguous.error.contains("test/contacts (GUID \(guid))") && ambiguous.error.hasSuffix("; give --user or --datastore\n"))
        #expect(try await cli.run(["history", "alice.vcf", "--device", "device-book", "--db", "server.sqlite", "--user", "test"]).status == 0)
        #expect(try await cli.run(["history", "nobody.vcf", "--state", "book.sqlite"]).error == "syncml: no record file nobody.vcf in state book.sqlite\n")
    }

    @Test("A server that cannot be reached is one line: an unknown host, a closed port")
    func unreachable() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        try cli.write("pw.txt", "pw\n")
        try FileManager.default.createDirectory(atPath: cli.path("book"), withIntermediateDirectories: false)
        // An empty label: the resolver refuses the name without asking any DNS server.
        let unknown = try await cli.sync("http://no..such.host:8080/sync", "book")
        #expect(unknown.status == 1)
        #expect(unknown.error == "syncml: cannot reach no..such.host:8080: unknown host\n")
        let closed = try await cli.sync("http://127.0.0.1:9/sync", "book")
        #expect(closed.error == "syncml: cannot reach 127.0.0.1:9: connection refused\n")
        #expect(unknown.output.isEmpty && closed.output.isEmpty)
    }

    @Test("A vCard without END:VCARD is refused the same way by import and by sync, naming the file; nothing is imported or sent")
    func malformedRecord() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let reason = "bad.vcf: line 1: BEGIN:VCARD has no END:VCARD\n"
        try cli.write("book/good.vcf", card("Alice"))
        try cli.write("book/bad.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Half\r\nN:;Half;;;\r\n")

        let imported = try await cli.run(["import", "book", "--user", "test", "--db", "server.sqlite"])
        #expect(imported.status == 1)
        #expect(imported.error == "syncml: book/" + reason, "\(imported.error)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("server.sqlite")), "the files are read before the store is opened")

        try cli.write("pw.txt", "pw\n")
        let synced = try await cli.sync("http://127.0.0.1:9/sync", "book")
        #expect(synced.status == 1)
        #expect(synced.error.hasPrefix("syncml: sync failed: reading contacts: /"), "\(synced.error)")
        #expect(synced.error.hasSuffix("/book/" + reason), "\(synced.error)")
        #expect(synced.error.split(separator: "\n").count == 1)
        let dryRun = try await cli.sync("http://127.0.0.1:9/sync", "book", ["--dry-run"])
        #expect(dryRun.status == 1 && dryRun.error.hasSuffix("/book/" + reason), "\(dryRun.error)")
    }
}
