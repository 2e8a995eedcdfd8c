import Foundation

/// A user of the server under test, and how the client logs in.
struct Account: Sendable {
    var name: String
    var password: String
    /// False: `syncml user add --no-md5`, the user can log in with basic auth only.
    var md5 = true

    static let alice = Account(name: "alice", password: "alice-secret")
    static let basicOnly = Account(name: "bob", password: "bob-secret", md5: false)
}

/// The built `syncml` executable: store set-up before a server starts, and the
/// server's store as the CLI shows it (`export`, `inspect`).
enum SyncMLTool {
    /// `syncml` next to the test bundle (`.build/<triple>/debug/`), else under the package's `.build/debug`.
    static let executable: URL? = {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("syncml")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let fallback = packageRoot.appendingPathComponent(".build/debug/syncml")
        return FileManager.default.isExecutableFile(atPath: fallback.path) ? fallback : nil
    }()

    /// The package directory (this file is Tests/SyncMLInteropTests/Support/SyncMLTool.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func requireExecutable() throws -> String {
        guard let executable else { throw Subprocess.Failure(description: "syncml is not built next to the tests") }
        return executable.path
    }

    /// Runs `syncml ARGUMENTS`; a non-zero exit is an error.
    @discardableResult
    static func run(_ arguments: [String]) async throws -> String {
        let result = try await Subprocess.run(requireExecutable(), arguments, timeout: .seconds(60))
        guard result.status == 0 else { throw Subprocess.Failure(description: "syncml \(arguments.joined(separator: " ")): \(result)") }
        return result.output
    }

    /// `syncml user add --db STORE NAME --password-file FILE [--no-md5]`.
    static func addUser(_ account: Account, store: URL) async throws {
        try await addUser(account, db: store.path, passwordDirectory: store.deletingLastPathComponent())
    }

    /// The same on the store `db` names (a file or a postgres:// URL); the password file goes in `passwordDirectory`.
    static func addUser(_ account: Account, db: String, passwordDirectory: URL) async throws {
        let passwordFile = passwordDirectory.appendingPathComponent("password-\(account.name).txt")
        try Data((account.password + "\n").utf8).write(to: passwordFile)
        defer { try? FileManager.default.removeItem(at: passwordFile) }
        try await run(["user", "add", "--db", db, account.name, "--password-file", passwordFile.path] + (account.md5 ? [] : ["--no-md5"]))
    }

    /// `syncml import --db STORE --user NAME FILES…`: records put into the store directly, as a server-side change.
    static func importRecords(_ files: [URL], user: String, store: URL) async throws {
        try await run(["import", "--db", store.path, "--user", user] + files.map(\.path))
    }

    /// `syncml inspect --db STORE`: users, datastores with item counts, devices and anchors.
    static func inspect(store: URL) async throws -> String {
        try await run(["inspect", "--db", store.path])
    }

    /// The user's live records per datastore (`syncml export --output DIR` writes DIR/DATASTORE/GUID.ext).
    static func export(user: String, store: URL) async throws -> [String: [String]] {
        try await export(user: user, db: store.path, scratch: store.deletingLastPathComponent())
    }

    /// The same from the store `db` names (a file or a postgres:// URL), exported under `scratch`.
    static func export(user: String, db: String, scratch: URL) async throws -> [String: [String]] {
        try await exportByGUID(user: user, db: db, scratch: scratch).mapValues { records in records.sorted { $0.key < $1.key }.map(\.value) }
    }

    /// The user's live records per datastore, by GUID.
    static func exportByGUID(user: String, store: URL) async throws -> [String: [String: String]] {
        try await exportByGUID(user: user, db: store.path, scratch: store.deletingLastPathComponent())
    }

    private static func exportByGUID(user: String, db: String, scratch: URL) async throws -> [String: [String: String]] {
        let output = scratch.appendingPathComponent("export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        try await run(["export", "--db", db, "--user", user, "--output", output.path])
        var records: [String: [String: String]] = [:]
        let manager = FileManager.default
        for datastore in (try? manager.contentsOfDirectory(atPath: output.path)) ?? [] {
            let directory = output.appendingPathComponent(datastore)
            for file in try manager.contentsOfDirectory(atPath: directory.path) {
                let guid = (file as NSString).deletingPathExtension
                records[datastore, default: [:]][guid] = String(decoding: try Data(contentsOf: directory.appendingPathComponent(file)), as: UTF8.self)
            }
        }
        return records
    }

    /// `syncml history GUID`: the item's versions in the journal, one table row each
    /// (`SEQ TIME OP DEVICE SESSION FINGERPRINT BYTES`, DEVICE `-` for the server's own changes).
    static func history(guid: String, user: String, datastore: String, store: URL) async throws -> [[String]] {
        let table = try await run(["history", "--db", store.path, guid, "--user", user, "--datastore", datastore])
        // The first line names the item, the second is the header.
        return table.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ").map(String.init) }
    }
}
