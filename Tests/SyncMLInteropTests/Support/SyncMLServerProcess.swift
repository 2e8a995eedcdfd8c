import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `syncml serve` on a free loopback port, run as a subprocess on a store of its own.
///
/// The contract: `syncml serve --db PATH --host 127.0.0.1 --port 0` prints
/// `listening on http://HOST:PORT/sync` as its first line on standard output,
/// serves until SIGTERM and then exits 0. With `--tls-cert` and `--tls-key`
/// the line says `https://`.
final class SyncMLServerProcess: @unchecked Sendable {
    let store: URL
    /// What `--db` names: `store`'s path, or a postgres:// URL (then `store` only names the log files).
    let db: String
    /// The sync URL the server announced.
    let url: String
    /// Serving HTTPS: the CA certificate (PEM) a client must trust.
    let authority: String?
    private let process: Process
    private let exit: ProcessExit
    private let standardOutput: OutputFile
    private let standardError: OutputFile

    /// How long the server may take to announce its URL, and to exit after SIGTERM.
    static let startTimeout = Duration.seconds(30)
    static let stopTimeout = Duration.seconds(10)

    /// Starts a server on `store` (created if missing); its output goes to files beside the store.
    /// With `certificates`, it serves HTTPS with their server certificate.
    /// With `db`, the server runs on that store instead (a postgres:// URL, for several nodes on one database).
    /// `options` are further `serve` options (limits).
    init(store: URL, db: String? = nil, certificates: TestCertificates? = nil, options: [String] = []) async throws {
        self.store = store
        self.db = db ?? store.path
        authority = certificates?.authority
        let directory = store.deletingLastPathComponent()
        let name = store.deletingPathExtension().lastPathComponent
        standardOutput = try OutputFile(keeping: directory.appendingPathComponent("\(name)-serve.out"))
        standardError = try OutputFile(keeping: directory.appendingPathComponent("\(name)-serve.err"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try SyncMLTool.requireExecutable())
        process.arguments = ["serve", "--db", self.db, "--host", "127.0.0.1", "--port", "0"]
            + (certificates.map { ["--tls-cert", $0.chain, "--tls-key", $0.privateKey] } ?? []) + options
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = standardOutput.handle
        process.standardError = standardError.handle
        let exit = try process.start()
        do {
            url = try await Self.announcedURL(in: standardOutput, of: process, exit: exit, errors: standardError)
            let scheme = certificates == nil ? "http://" : "https://"
            guard url.hasPrefix(scheme) else { throw Subprocess.Failure(description: "syncml serve announced \(url), not \(scheme)") }
        } catch {
            await Self.terminate(process, exit)
            throw error
        }
        self.process = process
        self.exit = exit
    }

    /// Waits for the `listening on URL` line; fails if the server exits or stays silent.
    private static func announcedURL(in output: OutputFile, of process: Process, exit: ProcessExit, errors: OutputFile) async throws -> String {
        let deadline = ContinuousClock.now + startTimeout
        let prefix = "listening on "
        func announced(_ text: String) -> String? {
            text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { $0.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces) }
        }
        let text = try await output.text(satisfying: { announced($0) != nil || ContinuousClock.now >= deadline }, orOnceEnded: exit)
        if let url = announced(text) { return url }
        if exit.hasExited {
            throw Subprocess.Failure(description: "syncml serve exited with \(Subprocess.shellStatus(of: process)) before listening:\n\(text)\(errors.text)")
        }
        throw Subprocess.Failure(description: "syncml serve printed no `listening on` line within \(startTimeout)")
    }

    /// SIGTERM, then SIGKILL if the server has not exited within `stopTimeout`.
    /// Returns the exit status (0 expected); stopping twice is harmless.
    @discardableResult
    func stop() async -> Int32 { await Self.terminate(process, exit) }

    @discardableResult
    private static func terminate(_ process: Process, _ exit: ProcessExit) async -> Int32 {
        if !exit.hasExited {
            process.terminate()
            if await !exit.wait(atMost: stopTimeout) { kill(process.processIdentifier, SIGKILL) }
        }
        await exit.wait()
        return Subprocess.shellStatus(of: process)
    }

    /// The end of what the server wrote to standard output and standard error, for failure messages.
    var log: String {
        let text = standardOutput.text + standardError.text
        return String(text.suffix(6_000))
    }

    // MARK: The store as the CLI shows it

    /// The user's live records per server datastore (`contacts`, `calendar`, `tasks`).
    func records(of account: Account) async throws -> [String: [String]] {
        try await SyncMLTool.export(user: account.name, db: db, scratch: store.deletingLastPathComponent())
    }

    /// The sorted titles (FN or SUMMARY) of the user's records in one datastore: a duplicate shows up twice.
    func titles(of account: Account, in datastore: Datastore) async throws -> [String] {
        try await (records(of: account)[datastore.serverName] ?? []).map { record in
            ItemText.value(of: "FN", in: record) ?? ItemText.value(of: "SUMMARY", in: record) ?? "<no title>"
        }.sorted()
    }
}
