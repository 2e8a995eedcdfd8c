import Foundation
import TestSupport
import Testing

/// Three small contacts, one per file.
private let threeContacts = ["Alice", "Bob", "Carol"].map { name in
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:\(name) Example\r\nN:Example;\(name);;;\r\nTEL;TYPE=CELL:+1 555 0100\r\nEND:VCARD\r\n"
}

@Suite("syncml sync")
struct SyncCommandTests {
    @Test("without a folder, or with an unknown mode, it refuses before connecting")
    func badArguments() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let base = ["sync", "--url", "http://127.0.0.1:9/sync", "--user", "u", "--device-id", "d"]
        let noFolder = try await cli.run(base, input: "pw\n")
        #expect(noFolder.status != 0)
        #expect(noFolder.error.contains("give at least one folder: --contacts, --calendar, --tasks or --notes"), "\(noFolder.error)")

        try FileManager.default.createDirectory(atPath: cli.path("contacts"), withIntermediateDirectories: false)
        let badMode = try await cli.run(base + ["--contacts", "contacts", "--mode", "sideways"], input: "pw\n")
        #expect(badMode.status != 0)
        #expect(badMode.error.contains("unknown mode 'sideways'"), "\(badMode.error)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("syncml-client.sqlite")), "no state is created")
        let noMessages = try await cli.run(base + ["--contacts", "contacts", "--max-messages", "0"], input: "pw\n")
        #expect(noMessages.status != 0)
        #expect(noMessages.error.contains("--max-messages must be positive"), "\(noMessages.error)")
    }

    @Test("a missing folder, or a server that is not there, is one line on standard error and exit status 1")
    func failures() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let base = ["sync", "--url", "http://127.0.0.1:9/sync", "--user", "u", "--device-id", "d"]
        let missing = try await cli.run(base + ["--contacts", "nowhere"], input: "pw\n")
        #expect(missing.status == 1)
        #expect(missing.error == "syncml: sync failed: no folder at nowhere\n")

        try FileManager.default.createDirectory(atPath: cli.path("contacts"), withIntermediateDirectories: false)
        let unreachable = try await cli.run(base + ["--contacts", "contacts", "--quiet"], input: "pw\n")
        #expect(unreachable.status == 1)
        #expect(unreachable.error.hasPrefix("syncml: cannot reach 127.0.0.1:9: "), "\(unreachable.error)")
        #expect(unreachable.error.split(separator: "\n").count == 1, "\(unreachable.error)")
        #expect(unreachable.output.isEmpty)
    }

    @Test("--log-level debug --log-format json logs the client's session as JSON lines on standard error; standard output is only the --json report")
    func clientLog() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        try await Self.addUserAndBook(in: cli)
        let server = try ServeProcess(cli, ["--db", cli.path("server.sqlite"), "--port", "0", "--log-level", "warning"])
        defer { server.terminate() }
        let url = "http://127.0.0.1:\(try await server.listeningPort())/sync"
        let base = ["sync", "--url", url, "--user", "test", "--password-file", "pw.txt", "--device-id", "logged", "--state", "logged.sqlite",
                    "--contacts", "book", "--quiet", "--json"]

        let result = try await cli.run(base + ["--log-level", "debug", "--log-format", "json"])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.hasSuffix("}\n") && result.lines.count == 1, "one JSON document: \(result.output)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], "\(result.output)")
        let datastore = try #require((report["datastores"] as? [[String: Any]])?.first)
        #expect((datastore["remote"] as? [String: Any])?["added"] as? Int == 3)

        var messages: [String] = []
        for line in result.error.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            #expect(object["label"] as? String == "syncml.client", "\(line)")
            messages.append(object["message"] as? String ?? "")
            if object["message"] as? String == "message sent" {
                let metadata = try #require(object["metadata"] as? [String: Any])
                #expect(metadata["syncml.device"] as? String == "logged", "\(line)")
                #expect(metadata["syncml.msgID"] != nil, "\(line)")
            }
        }
        #expect(messages.first == "sync started", "\(messages)")
        #expect(messages.last == "sync finished", "\(messages)")
        #expect(messages.contains("message sent") && messages.contains("reply received"), "debug shows each message: \(messages)")

        // Without the options nothing is logged, as before; a bad level is refused before anything runs.
        let quiet = try await cli.run(base)
        #expect(quiet.status == 0, "\(quiet.error)")
        #expect(quiet.error.isEmpty, "\(quiet.error)")
        let bad = try await cli.run(base + ["--log-level", "loud"])
        #expect(bad.status == 64)
        #expect(bad.error.contains("'loud' is not a level"), "\(bad.error)")
        #expect(await server.stop().status == 0)
    }

    @Test("a folder of three vCards synced by one client reaches a second client's empty folder")
    func folderToFolder() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        #expect(try await cli.run(["user", "add", "--db", "server.sqlite", "test"], input: "secret\n").status == 0)
        try Data("secret\n".utf8).write(to: cli.directory.appendingPathComponent("pw.txt"))
        let manager = FileManager.default
        for folder in ["first", "second"] { try manager.createDirectory(atPath: cli.path(folder), withIntermediateDirectories: false) }
        for (index, card) in threeContacts.enumerated() {
            try Data(card.utf8).write(to: cli.directory.appendingPathComponent("first/\(index).vcf"))
        }

        let server = try ServeProcess(cli, ["--db", cli.path("server.sqlite"), "--port", "0", "--log-level", "warning"])
        defer { server.terminate() }
        let url = "http://127.0.0.1:\(try await server.listeningPort())/sync"
        func sync(_ folder: String) async throws -> CLI.Result {
            try await cli.run(["sync", "--url", url, "--user", "test", "--password-file", "pw.txt", "--device-id", "device-\(folder)",
                               "--state", "\(folder).sqlite", "--contacts", folder])
        }

        let first = try await sync("first")
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output.contains("contacts: "), "\(first.output)")
        let second = try await sync("second")
        #expect(second.status == 0, "\(second.error)")

        let received = try manager.contentsOfDirectory(atPath: cli.path("second")).filter { $0.hasSuffix(".vcf") }
        #expect(received.count == 3)
        let sent = (0..<3).map { cli.directory.appendingPathComponent("first/\($0).vcf") }
        let arrived = received.map { cli.directory.appendingPathComponent("second/\($0)") }
        #expect(try fingerprints(arrived) == fingerprints(sent))
    }

    @Test("a server that lost its sync state demands a slow sync: one line, exit 1, every file kept; --allow-slow-sync lets it run; --max-messages stops a session")
    func demandedSlowSyncAndMessageCap() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let manager = FileManager.default
        try Data("secret\n".utf8).write(to: cli.directory.appendingPathComponent("pw.txt"))
        try manager.createDirectory(atPath: cli.path("book"), withIntermediateDirectories: false)
        for (index, card) in threeContacts.enumerated() {
            try Data(card.utf8).write(to: cli.directory.appendingPathComponent("book/\(index).vcf"))
        }
        func files() throws -> Int { try manager.contentsOfDirectory(atPath: cli.path("book")).filter { $0.hasSuffix(".vcf") }.count }
        #expect(try await cli.run(["user", "add", "--db", "first.sqlite", "test"], input: "secret\n").status == 0)
        let first = try ServeProcess(cli, ["--db", cli.path("first.sqlite"), "--port", "0", "--log-level", "warning"])
        let port = try await first.listeningPort()
        let arguments = ["sync", "--url", "http://127.0.0.1:\(port)/sync", "--user", "test", "--password-file", "pw.txt",
                         "--device-id", "crm", "--state", "crm.sqlite", "--contacts", "book", "--quiet"]
        let initial = try await cli.run(arguments)
        #expect(initial.status == 0, "\(initial.error)")
        _ = await first.stop()

        // The same address, a server that never saw this device (its database was lost).
        #expect(try await cli.run(["user", "add", "--db", "second.sqlite", "test"], input: "secret\n").status == 0)
        let second = try ServeProcess(cli, ["--db", cli.path("second.sqlite"), "--port", "\(port)", "--log-level", "warning"])
        defer { second.terminate() }
        #expect(try await second.listeningPort() == port)
        let refused = try await cli.run(arguments)
        #expect(refused.status == 1)
        #expect(refused.error.hasPrefix("syncml: sync incomplete: contacts not synced: the server demands a slow sync"), "\(refused.error)")
        #expect(refused.error.contains("--allow-slow-sync"), "\(refused.error)")
        #expect(refused.error.split(separator: "\n").count == 1, "\(refused.error)")
        #expect(try files() == 3)

        let allowed = try await cli.run(arguments + ["--allow-slow-sync"])
        #expect(allowed.status == 0, "\(allowed.error)")
        #expect(allowed.output.contains("contacts: slow"), "\(allowed.output)")
        #expect(try files() == 3)

        try Data(threeContacts[0].replacingOccurrences(of: "Alice", with: "Dora").utf8).write(to: cli.directory.appendingPathComponent("book/3.vcf"))
        let capped = try await cli.run(arguments + ["--max-messages", "1"])
        #expect(capped.status == 1)
        #expect(capped.error.hasPrefix("syncml: sync failed: the session reached 1 messages"), "\(capped.error)")
        #expect(capped.error.split(separator: "\n").count == 1, "\(capped.error)")
        let resumed = try await cli.run(arguments)
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(Self.remoteAdded(resumed.output) == 1, "\(resumed.output)")
    }

    // On a thread of its own: watching the child's output for the moment to press Ctrl-C must not wait for the
    // cooperative pool, which the full suite's other tests keep busy for seconds (the sync would be over by then).
    @Test("Ctrl-C suspends a long sync at the next message (exit 1, one line); the same command then resumes and completes it", .ownThreads)
    func ctrlCSuspendsAndTheNextRunResumes() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        #expect(try await cli.run(["user", "add", "--db", "server.sqlite", "test"], input: "secret\n").status == 0)
        try Data("secret\n".utf8).write(to: cli.directory.appendingPathComponent("pw.txt"))
        let count = 3_000
        #expect(try await cli.run(["generate", "vcards", "--count", "\(count)", "--directory", "book"]).status == 0)
        let server = try ServeProcess(cli, ["--db", cli.path("server.sqlite"), "--port", "0", "--log-level", "warning"])
        defer { server.terminate() }
        let arguments = ["sync", "--url", "http://127.0.0.1:\(try await server.listeningPort())/sync", "--user", "test", "--password-file", "pw.txt",
                         "--device-id", "crm", "--state", "crm.sqlite", "--contacts", "book"]

        let interrupted = try await cli.runInterrupted(arguments, whenErrorContains: "contacts: sending")
        #expect(interrupted.status == 1, "\(interrupted.error)")
        #expect(interrupted.error.contains("suspending at the next message"), "\(interrupted.error)")
        #expect(interrupted.error.contains("sync suspended: run the same command again to resume it"), "\(interrupted.error)")
        let sentBefore = try #require(Self.remoteAdded(interrupted.output), "\(interrupted.output)")
        #expect(sentBefore > 0 && sentBefore < count, "\(interrupted.output)")

        let resumed = try await cli.run(arguments)
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(resumed.output.contains("(resumed)"), "\(resumed.output)")
        #expect(Self.remoteAdded(resumed.output) == count - sentBefore, "\(resumed.output)")
        let again = try await cli.run(arguments)
        #expect(Self.remoteAdded(again.output) == 0, "\(again.output)")
    }

    @Test("--dry-run lists what the next sync would send, connects to nothing and changes nothing")
    func dryRun() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        try await Self.addUserAndBook(in: cli)
        // Nothing listens on port 9: a dry run never connects.
        let offline = ["sync", "--url", "http://127.0.0.1:9/sync", "--user", "test", "--device-id", "crm", "--state", "crm.sqlite",
                       "--contacts", "book", "--dry-run"]
        let first = try await cli.run(offline)
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output.contains("contacts: first sync (slow): would send all 3 records"), "\(first.output)")

        let server = try ServeProcess(cli, ["--db", cli.path("server.sqlite"), "--port", "0", "--log-level", "warning"])
        defer { server.terminate() }
        let online = ["sync", "--url", "http://127.0.0.1:\(try await server.listeningPort())/sync", "--user", "test", "--password-file", "pw.txt",
                      "--device-id", "crm", "--state", "crm.sqlite", "--contacts", "book"]
        #expect(try await cli.run(online).status == 0)
        try FileManager.default.removeItem(atPath: cli.path("book/0.vcf"))
        try Data(threeContacts[1].replacingOccurrences(of: "END:VCARD", with: "NOTE:edited\r\nEND:VCARD").utf8)
            .write(to: cli.directory.appendingPathComponent("book/1.vcf"))
        try Data("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dora Example\r\nN:Example;Dora;;;\r\nEND:VCARD\r\n".utf8)
            .write(to: cli.directory.appendingPathComponent("book/3.vcf"))

        for _ in 0..<2 { // twice: the first dry run changed nothing the second could see
            let dry = try await cli.run(online.filter { $0 != "--password-file" && $0 != "pw.txt" } + ["--dry-run"])
            #expect(dry.status == 0, "\(dry.error)")
            #expect(dry.lines == ["contacts: would send +1 ~1 -1", "  + 3.vcf", "  ~ 1.vcf", "  - 0.vcf", "(dry run: nothing was sent or changed)"],
                    "\(dry.output)")
        }
        let real = try await cli.run(online)
        #expect(real.output.contains("remote +1 ~1 -1"), "\(real.output)")
    }

    /// The `remote +N` of the report's contacts line.
    /// The server's user `test` (password in pw.txt) and a folder `book` of three contacts.
    static func addUserAndBook(in cli: CLI) async throws {
        #expect(try await cli.run(["user", "add", "--db", "server.sqlite", "test"], input: "secret\n").status == 0)
        try Data("secret\n".utf8).write(to: cli.directory.appendingPathComponent("pw.txt"))
        try FileManager.default.createDirectory(atPath: cli.path("book"), withIntermediateDirectories: false)
        for (index, card) in threeContacts.enumerated() {
            try Data(card.utf8).write(to: cli.directory.appendingPathComponent("book/\(index).vcf"))
        }
    }

    static func remoteAdded(_ report: String) -> Int? {
        guard let range = report.range(of: "remote +") else { return nil }
        return Int(report[range.upperBound...].prefix { $0.isNumber })
    }
}

extension CLI {
    /// Runs `syncml ARGUMENTS` and sends it one SIGINT (Ctrl-C) once its standard error contains `trigger`.
    /// Standard error is polled from a file while it runs; no thread is held meanwhile.
    func runInterrupted(_ arguments: [String], whenErrorContains trigger: String) async throws -> Result {
        let process = Process()
        guard let executable = Self.executable else { throw CLIError(message: "syncml is not built next to the tests") }
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = try OutputFile(), error = try OutputFile()
        process.standardOutput = output.handle
        process.standardError = error.handle
        process.standardInput = FileHandle.nullDevice
        let exit = try Self.startWithInterruptUnblocked(process)
        // The watcher is a thread of its own, not a task: a task's sleep wakes through the
        // cooperative pool even on a task executor of its own, and under the full suite the
        // pool was busy until the sync had ended (it then ran to the end, exit 0).
        let pid = process.processIdentifier
        let watcher = Thread {
            while !exit.hasExited {
                if error.text.contains(trigger) {
                    if !exit.hasExited { kill(pid, SIGINT) }
                    return
                }
                usleep(5_000)
            }
        }
        watcher.start()
        await exit.wait()
        return Result(status: process.terminationStatus, output: output.text, error: error.text)
    }

    /// Starts `process` with SIGINT unblocked: the child inherits this thread's signal mask, and test threads block SIGINT.
    private static func startWithInterruptUnblocked(_ process: Process) throws -> ProcessExit {
        var interrupt = sigset_t(), previous = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &interrupt, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try process.start()
    }
}
