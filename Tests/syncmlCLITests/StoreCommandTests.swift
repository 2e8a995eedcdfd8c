import Foundation
import SyncMLRecords
import TestSupport
import Testing

/// Runs the built `syncml` executable (or another of the package's, such as
/// `syncml-bench`) in a temporary directory.
struct CLI {
    let directory: URL
    var program = "syncml"

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// `syncml` next to the test bundle (`.build/<triple>/debug/`), else under the package's `.build/debug`.
    static let executable: URL? = locate("syncml")

    /// The package's executable `name`, found as `syncml` is.
    static func locate(_ name: String) -> URL? { BuiltExecutable.url(named: name) }

    struct Result {
        var status: Int32
        var output: String
        var error: String
        var lines: [String] { output.split(separator: "\n").map(String.init) }
    }

    /// Runs the program to its end; waiting holds no thread (`ProcessExit`), and
    /// its output goes to files, so nothing has to drain a pipe meanwhile.
    @discardableResult
    func run(_ arguments: [String], input: String? = nil) async throws -> Result {
        let process = Process()
        guard let executable = program == "syncml" ? Self.executable : Self.locate(program) else {
            throw CLIError(message: "\(program) is not built next to the tests")
        }
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = try OutputFile(), error = try OutputFile(), stdin = Pipe()
        process.standardOutput = output.handle
        process.standardError = error.handle
        process.standardInput = stdin
        let exit = try process.start()
        // A few bytes: the pipe's buffer takes them at once, whether or not the program reads them. A program
        // that has already exited (a bad argument) closed the pipe: EPIPE then, which is no failure of the test.
        if let input { try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        await exit.wait()
        return Result(status: process.terminationStatus, output: output.text, error: error.text)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}

struct CLIError: Error { var message: String }

/// The fingerprints of every record in `files`, sorted.
func fingerprints(_ files: [URL]) throws -> [String] {
    try files.flatMap { file in
        try VObjectParser.parse([UInt8](Data(contentsOf: file))).map { "\(RecordSignature($0).fingerprint)" }
    }.sorted()
}

@Suite("syncml store commands")
struct StoreCommandTests {
    let fixtures = Fixtures.clientDataBefore()

    @Test("user add reads the password from standard input or a file; user list shows it; an empty password is refused")
    func users() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let added = try await cli.run(["user", "add", "test"], input: "test\n")
        #expect(added.status == 0, "\(added.error)")
        #expect(added.output.contains("added user test (MD5 auth on)"))
        try Data("pw\n".utf8).write(to: cli.directory.appendingPathComponent("pw.txt"))
        #expect(try await cli.run(["user", "add", "basic", "--password-file", "pw.txt", "--no-md5"]).status == 0)
        let list = try await cli.run(["user", "list"]).lines
        #expect(list.count == 3)
        #expect(list[1].split(separator: " ", omittingEmptySubsequences: true).map(String.init).suffix(2) == ["yes", "no"])
        #expect(list[2].hasPrefix("test") && list[2].hasSuffix("yes"))
        #expect(FileManager.default.fileExists(atPath: cli.path("syncml.sqlite")))

        let empty = try await cli.run(["user", "add", "nobody"], input: "\n")
        #expect(empty.status == 1)
        #expect(empty.error == "syncml: empty password\n")
        let again = try await cli.run(["user", "add", "test"], input: "other")
        #expect(again.status == 1)
        #expect(again.error == "syncml: user test already exists\n")
    }

    @Test("import the fixture records; a second import adds nothing; export round-trips; history; undo of the import deletes them")
    func importExportUndo() async throws {
        #expect(fixtures.count == 6)
        let cli = try CLI()
        defer { cli.remove() }
        let db = ["--db", cli.path("store.sqlite")]
        let first = try await cli.run(["import"] + fixtures.map(\.path) + ["--user", "test"] + db)
        #expect(first.status == 0, "\(first.error)")
        #expect(first.lines.last == "total: 6 added, 0 unchanged, 0 duplicates (session 1)")
        #expect(first.lines.contains("contacts: 3 added, 0 unchanged, 0 duplicates"))
        #expect(first.lines.contains("calendar: 2 added, 0 unchanged, 0 duplicates"))
        #expect(first.lines.contains("tasks: 1 added, 0 unchanged, 0 duplicates"))
        #expect(first.error.isEmpty)

        // The directory form, the second time: everything is already there.
        let directory = fixtures[0].deletingLastPathComponent().deletingLastPathComponent().path
        let second = try await cli.run(["import", directory, "--user", "test"] + db)
        #expect(second.status == 0, "\(second.error)")
        #expect(second.lines.last == "total: 0 added, 6 unchanged, 0 duplicates")

        // The same record twice in one import of a new datastore: one added, one duplicate.
        let alice = try #require(fixtures.first { $0.lastPathComponent == "alice.vcf" })
        let twice = try await cli.run(["import", alice.path, alice.path, "--user", "test", "--datastore", "friends"] + db)
        #expect(twice.lines.last == "total: 1 added, 0 unchanged, 1 duplicates (session 2)")

        // Export: one file per record, same fingerprints as the originals.
        let export = try await cli.run(["export", "--user", "test", "--output", "out"] + db)
        #expect(export.status == 0, "\(export.error)")
        #expect(export.output == "exported 7 records to out\n")
        let manager = FileManager.default
        var exported: [URL] = []
        for store in ["calendar", "contacts", "tasks"] {
            let folder = cli.directory.appendingPathComponent("out/\(store)")
            exported += try manager.contentsOfDirectory(atPath: folder.path).map { folder.appendingPathComponent($0) }
        }
        #expect(exported.count == 6)
        #expect(Set(exported.map(\.pathExtension)) == ["vcf", "ics"])
        #expect(try fingerprints(exported) == fingerprints(fixtures))
        // To standard output: all records of one datastore.
        let stdout = try await cli.run(["export", "--user", "test", "--datastore", "contacts"] + db)
        let records = try VObjectParser.parse(Array(stdout.output.utf8))
        #expect(records.map { "\(RecordSignature($0).fingerprint)" }.sorted()
            == (try fingerprints(fixtures.filter { $0.pathExtension == "vcf" })))

        // Inspect and sessions.
        let inspect = try await cli.run(["inspect"] + db)
        #expect(inspect.status == 0)
        #expect(inspect.output.contains("schema version 13"))
        #expect(inspect.lines.contains { $0.hasPrefix("test") && $0.contains("contacts") && $0.contains(" 3 ") })
        #expect(inspect.output.contains("journal: 7 versions"))
        let sessions = try await cli.run(["sessions", "--user", "test"] + db)
        #expect(sessions.lines.count == 3)
        #expect(sessions.lines[1].hasPrefix("1") && sessions.lines[1].contains("import") && sessions.lines[1].contains("completed"))

        // Undo of the first import deletes its six items; history shows both versions.
        let undo = try await cli.run(["undo", "1"] + db)
        #expect(undo.status == 0, "\(undo.error)")
        #expect(undo.lines.last == "session 1 undone by session 3: 6 reverted, 0 skipped")
        #expect(undo.lines.filter { $0.hasPrefix("reverted ") && $0.contains("delete") }.count == 6)
        let after = try await cli.run(["export", "--user", "test", "--datastore", "contacts"] + db)
        #expect(after.status == 0 && after.output.isEmpty)
        let guid = try #require(exported.first { $0.pathExtension == "vcf" }?.deletingPathExtension().lastPathComponent)
        let history = try await cli.run(["history", guid] + db)
        #expect(history.status == 0, "\(history.error)")
        #expect(history.lines.count == 4) // title, header, add, delete
        #expect(history.lines[2].contains(" add ") && history.lines[2].contains(" 1 "))
        #expect(history.lines[3].contains(" delete ") && history.lines[3].contains(" 3 "))
        let undoAgain = try await cli.run(["undo", "1"] + db)
        #expect(undoAgain.status == 1)
        #expect(undoAgain.error == "syncml: session 1 is already undone\n")
    }

    @Test("Bad input: a missing file, a malformed vCard, a wrong --db path, an unknown user or item: one line on standard error, exit 1")
    func badInput() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        func expectFailure(_ arguments: [String], _ message: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let result = try await cli.run(arguments)
            #expect(result.status == 1, sourceLocation: sourceLocation)
            #expect(result.error.hasPrefix("syncml: ") && result.error.hasSuffix("\n"), sourceLocation: sourceLocation)
            #expect(result.error.split(separator: "\n").count == 1, "\(result.error)", sourceLocation: sourceLocation)
            #expect(result.error.contains(message), "\(result.error)", sourceLocation: sourceLocation)
            #expect(result.output.isEmpty, sourceLocation: sourceLocation)
        }
        try await expectFailure(["import", "missing.vcf", "--user", "test"], "cannot open missing.vcf")
        try Data("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Half\r\n".utf8).write(to: cli.directory.appendingPathComponent("bad.vcf"))
        // A good file before the bad one: nothing of it is written either.
        try await expectFailure(["import", fixtures[3].path, "bad.vcf", "--user", "test"], "bad.vcf: line 1")
        try await expectFailure(["inspect", "--db", cli.path("no/such/dir/store.sqlite")], "no store at \(cli.path("no/such/dir/store.sqlite"))")
        try await expectFailure(["export", "--user", "test"], "no store at ./syncml.sqlite (nothing was created; check the path)")
        #expect(try await cli.run(["user", "add", "other"], input: "pw\n").status == 0)
        #expect(try await cli.run(["export", "--user", "test"]).error == "syncml: no user test\n")
        try Data("not a database, just text that is long enough to fill a header of a hundred bytes or so, really".utf8)
            .write(to: cli.directory.appendingPathComponent("text.sqlite"))
        try await expectFailure(["sessions", "--db", "text.sqlite"], "cannot open store text.sqlite")
        try await expectFailure(["history", "12345"], "no item 12345")
        try await expectFailure(["undo", "42"], "no session 42")
        try await expectFailure(["user", "add", "x", "--password-file", "missing.txt"], "cannot open missing.txt")
    }
}
