import Foundation
import Testing

/// Three small contacts, one per file.
private let threeContacts = ["Alice", "Bob", "Carol"].map { name in
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:\(name) Example\r\nN:Example;\(name);;;\r\nTEL;TYPE=CELL:+1 555 0100\r\nEND:VCARD\r\n"
}

@Suite("syncml sync")
struct SyncCommandTests {
    @Test("without a folder, or with an unknown mode, it refuses before connecting")
    func badArguments() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let base = ["sync", "--url", "http://127.0.0.1:9/sync", "--user", "u", "--device-id", "d"]
        let noFolder = try cli.run(base, input: "pw\n")
        #expect(noFolder.status != 0)
        #expect(noFolder.error.contains("give at least one folder: --contacts, --calendar, --tasks or --notes"), "\(noFolder.error)")

        try FileManager.default.createDirectory(atPath: cli.path("contacts"), withIntermediateDirectories: false)
        let badMode = try cli.run(base + ["--contacts", "contacts", "--mode", "sideways"], input: "pw\n")
        #expect(badMode.status != 0)
        #expect(badMode.error.contains("unknown mode 'sideways'"), "\(badMode.error)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("syncml-client.sqlite")), "no state is created")
        let noMessages = try cli.run(base + ["--contacts", "contacts", "--max-messages", "0"], input: "pw\n")
        #expect(noMessages.status != 0)
        #expect(noMessages.error.contains("--max-messages must be positive"), "\(noMessages.error)")
    }

    @Test("a missing folder, or a server that is not there, is one line on standard error and exit status 1")
    func failures() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let base = ["sync", "--url", "http://127.0.0.1:9/sync", "--user", "u", "--device-id", "d"]
        let missing = try cli.run(base + ["--contacts", "nowhere"], input: "pw\n")
        #expect(missing.status == 1)
        #expect(missing.error == "syncml: sync failed: no folder at nowhere\n")

        try FileManager.default.createDirectory(atPath: cli.path("contacts"), withIntermediateDirectories: false)
        let unreachable = try cli.run(base + ["--contacts", "contacts", "--quiet"], input: "pw\n")
        #expect(unreachable.status == 1)
        #expect(unreachable.error.hasPrefix("syncml: cannot reach 127.0.0.1:9: "), "\(unreachable.error)")
        #expect(unreachable.error.split(separator: "\n").count == 1, "\(unreachable.error)")
        #expect(unreachable.output.isEmpty)
    }

    @Test("a folder of three vCards synced by one client reaches a second client's empty folder")
    func folderToFolder() throws {
        let cli = try CLI()
        defer { cli.remove() }
        #expect(try cli.run(["user", "add", "--db", "server.sqlite", "test"], input: "secret\n").status == 0)
        try Data("secret\n".utf8).write(to: cli.directory.appendingPathComponent("pw.txt"))
        let manager = FileManager.default
        for folder in ["first", "second"] { try manager.createDirectory(atPath: cli.path(folder), withIntermediateDirectories: false) }
        for (index, card) in threeContacts.enumerated() {
            try Data(card.utf8).write(to: cli.directory.appendingPathComponent("first/\(index).vcf"))
        }

        let server = try ServeProcess(cli, ["--db", cli.path("server.sqlite"), "--port", "0", "--log-level", "warning"])
        defer { _ = server.stop() }
        let url = "http://127.0.0.1:\(try server.listeningPort())/sync"
        func sync(_ folder: String) throws -> CLI.Result {
            try cli.run(["sync", "--url", url, "--user", "test", "--password-file", "pw.txt", "--device-id", "device-\(folder)",
                         "--state", "\(folder).sqlite", "--contacts", folder])
        }

        let first = try sync("first")
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output.contains("contacts: "), "\(first.output)")
        let second = try sync("second")
        #expect(second.status == 0, "\(second.error)")

        let received = try manager.contentsOfDirectory(atPath: cli.path("second")).filter { $0.hasSuffix(".vcf") }
        #expect(received.count == 3)
        let sent = (0..<3).map { cli.directory.appendingPathComponent("first/\($0).vcf") }
        let arrived = received.map { cli.directory.appendingPathComponent("second/\($0)") }
        #expect(try fingerprints(arrived) == fingerprints(sent))
    }

    @Test("a server that lost its sync state demands a slow sync: one line, exit 1, every file kept; --allow-slow-sync lets it run; --max-messages stops a session")
    func demandedSlowSyncAndMessageCap() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let manager = FileManager.default
        try Data("secret\n".utf8).write(to: cli.directory.appendingPathComponent("pw.txt"))
        try manager.createDirectory(atPath: cli.path("book"), withIntermediateDirectories: false)
        for (index, card) in threeContacts.enumerated() {
            try Data(card.utf8).write(to: cli.directory.appendingPathComponent("book/\(index).vcf"))
        }
        func files() throws -> Int { try manager.contentsOfDirectory(atPath: cli.path("book")).filter { $0.hasSuffix(".vcf") }.count }
        #expect(try cli.run(["user", "add", "--db", "first.sqlite", "test"], input: "secret\n").status == 0)
        let first = try ServeProcess(cli, ["--db", cli.path("first.sqlite"), "--port", "0", "--log-level", "warning"])
        let port = try first.listeningPort()
        let arguments = ["sync", "--url", "http://127.0.0.1:\(port)/sync", "--user", "test", "--password-file", "pw.txt",
                         "--device-id", "crm", "--state", "crm.sqlite", "--contacts", "book", "--quiet"]
        let initial = try cli.run(arguments)
        #expect(initial.status == 0, "\(initial.error)")
        _ = first.stop()

        // The same address, a server that never saw this device (its database was lost).
        #expect(try cli.run(["user", "add", "--db", "second.sqlite", "test"], input: "secret\n").status == 0)
        let second = try ServeProcess(cli, ["--db", cli.path("second.sqlite"), "--port", "\(port)", "--log-level", "warning"])
        defer { _ = second.stop() }
        #expect(try second.listeningPort() == port)
        let refused = try cli.run(arguments)
        #expect(refused.status == 1)
        #expect(refused.error.hasPrefix("syncml: sync incomplete: contacts not synced: the server demands a slow sync"), "\(refused.error)")
        #expect(refused.error.contains("--allow-slow-sync"), "\(refused.error)")
        #expect(refused.error.split(separator: "\n").count == 1, "\(refused.error)")
        #expect(try files() == 3)

        let allowed = try cli.run(arguments + ["--allow-slow-sync"])
        #expect(allowed.status == 0, "\(allowed.error)")
        #expect(allowed.output.contains("contacts: slow"), "\(allowed.output)")
        #expect(try files() == 3)

        try Data(threeContacts[0].replacingOccurrences(of: "Alice", with: "Dora").utf8).write(to: cli.directory.appendingPathComponent("book/3.vcf"))
        let capped = try cli.run(arguments + ["--max-messages", "1"])
        #expect(capped.status == 1)
        #expect(capped.error.hasPrefix("syncml: sync failed: the session reached 1 messages"), "\(capped.error)")
        #expect(capped.error.split(separator: "\n").count == 1, "\(capped.error)")
        let resumed = try cli.run(arguments)
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(Self.remoteAdded(resumed.output) == 1, "\(resumed.output)")
    }

    @Test("Ctrl-C suspends a long sync at the next message (exit 1, one line); the same command then resumes and completes it")
    func ctrlCSuspendsAndTheNextRunResumes() throws {
        let cli = try CLI()
        defer { cli.remove() }
        #expect(try cli.run(["user", "add", "--db", "server.sqlite", "test"], input: "secret\n").status == 0)
        try Data("secret\n".utf8).write(to: cli.directory.appendingPathComponent("pw.txt"))
        let count = 3_000
        #expect(try cli.run(["generate", "vcards", "--count", "\(count)", "--directory", "book"]).status == 0)
        let server = try ServeProcess(cli, ["--db", cli.path("server.sqlite"), "--port", "0", "--log-level", "warning"])
        defer { _ = server.stop() }
        let arguments = ["sync", "--url", "http://127.0.0.1:\(try server.listeningPort())/sync", "--user", "test", "--password-file", "pw.txt",
                         "--device-id", "crm", "--state", "crm.sqlite", "--contacts", "book"]

        let interrupted = try cli.runInterrupted(arguments, whenErrorContains: "contacts: sending")
        #expect(interrupted.status == 1, "\(interrupted.error)")
        #expect(interrupted.error.contains("suspending at the next message"), "\(interrupted.error)")
        #expect(interrupted.error.contains("sync suspended: run the same command again to resume it"), "\(interrupted.error)")
        let sentBefore = try #require(Self.remoteAdded(interrupted.output), "\(interrupted.output)")
        #expect(sentBefore > 0 && sentBefore < count, "\(interrupted.output)")

        let resumed = try cli.run(arguments)
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(resumed.output.contains("(resumed)"), "\(resumed.output)")
        #expect(Self.remoteAdded(resumed.output) == count - sentBefore, "\(resumed.output)")
        let again = try cli.run(arguments)
        #expect(Self.remoteAdded(again.output) == 0, "\(again.output)")
    }

    @Test("--dry-run lists what the next sync would send, connects to nothing and changes nothing")
    func dryRun() throws {
        let cli = try CLI()
        defer { cli.remove() }
        #expect(try cli.run(["user", "add", "--db", "server.sqlite", "test"], input: "secret\n").status == 0)
        try Data("secret\n".utf8).write(to: cli.directory.appendingPathComponent("pw.txt"))
        try FileManager.default.createDirectory(atPath: cli.path("book"), withIntermediateDirectories: false)
        for (index, card) in threeContacts.enumerated() {
            try Data(card.utf8).write(to: cli.directory.appendingPathComponent("book/\(index).vcf"))
        }
        // Nothing listens on port 9: a dry run never connects.
        let offline = ["sync", "--url", "http://127.0.0.1:9/sync", "--user", "test", "--device-id", "crm", "--state", "crm.sqlite",
                       "--contacts", "book", "--dry-run"]
        let first = try cli.run(offline)
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output.contains("contacts: first sync (slow): would send all 3 records"), "\(first.output)")

        let server = try ServeProcess(cli, ["--db", cli.path("server.sqlite"), "--port", "0", "--log-level", "warning"])
        defer { _ = server.stop() }
        let online = ["sync", "--url", "http://127.0.0.1:\(try server.listeningPort())/sync", "--user", "test", "--password-file", "pw.txt",
                      "--device-id", "crm", "--state", "crm.sqlite", "--contacts", "book"]
        #expect(try cli.run(online).status == 0)
        try FileManager.default.removeItem(atPath: cli.path("book/0.vcf"))
        try Data(threeContacts[1].replacingOccurrences(of: "END:VCARD", with: "NOTE:edited\r\nEND:VCARD").utf8)
            .write(to: cli.directory.appendingPathComponent("book/1.vcf"))
        try Data("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dora Example\r\nN:Example;Dora;;;\r\nEND:VCARD\r\n".utf8)
            .write(to: cli.directory.appendingPathComponent("book/3.vcf"))

        for _ in 0..<2 { // twice: the first dry run changed nothing the second could see
            let dry = try cli.run(online.filter { $0 != "--password-file" && $0 != "pw.txt" } + ["--dry-run"])
            #expect(dry.status == 0, "\(dry.error)")
            #expect(dry.lines == ["contacts: would send +1 ~1 -1", "  + 3.vcf", "  ~ 1.vcf", "  - 0.vcf", "(dry run: nothing was sent or changed)"],
                    "\(dry.output)")
        }
        let real = try cli.run(online)
        #expect(real.output.contains("remote +1 ~1 -1"), "\(real.output)")
    }

    /// The `remote +N` of the report's contacts line.
    static func remoteAdded(_ report: String) -> Int? {
        guard let range = report.range(of: "remote +") else { return nil }
        return Int(report[range.upperBound...].prefix { $0.isNumber })
    }
}

extension CLI {
    /// Runs `syncml ARGUMENTS` and sends it one SIGINT (Ctrl-C) once its standard error contains `trigger`.
    func runInterrupted(_ arguments: [String], whenErrorContains trigger: String) throws -> Result {
        let process = Process()
        guard let executable = Self.executable else { throw CLIError(message: "syncml is not built next to the tests") }
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        // The child inherits this thread's signal mask, and test threads block SIGINT.
        var interrupt = sigset_t(), previous = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &interrupt, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
        var errorBytes = Data()
        var interrupted = false
        while true {
            let chunk = error.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            errorBytes += chunk
            if !interrupted, String(decoding: errorBytes, as: UTF8.self).contains(trigger) {
                interrupted = true
                kill(process.processIdentifier, SIGINT)
            }
        }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
                      error: String(decoding: errorBytes, as: UTF8.self))
    }
}
