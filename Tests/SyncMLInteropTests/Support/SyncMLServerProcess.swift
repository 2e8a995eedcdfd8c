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
    /// The sync URL the server announced.
    let url: String
    /// Serving HTTPS: the CA certificate (PEM) a client must trust.
    let authority: String?
    private let process: Process
    private let standardOutput: URL
    private let standardError: URL

    /// How long the server may take to announce its URL, and to exit after SIGTERM.
    static let startTimeout = Duration.seconds(30)
    static let stopTimeout = Duration.seconds(10)

    /// Starts a server on `store` (created if missing); its output goes to files beside the store.
    /// With `certificates`, it serves HTTPS with their server certificate.
    init(store: URL, certificates: TestCertificates? = nil) throws {
        self.store = store
        authority = certificates?.authority
        let directory = store.deletingLastPathComponent()
        let name = store.deletingPathExtension().lastPathComponent
        standardOutput = directory.appendingPathComponent("\(name)-serve.out")
        standardError = directory.appendingPathComponent("\(name)-serve.err")
        for file in [standardOutput, standardError] {
            guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
                throw Subprocess.Failure(description: "cannot create \(file.path)")
            }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try SyncMLTool.requireExecutable())
        process.arguments = ["serve", "--db", store.path, "--host", "127.0.0.1", "--port", "0"]
            + (certificates.map { ["--tls-cert", $0.chain, "--tls-key", $0.privateKey] } ?? [])
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: standardOutput)
        process.standardError = try FileHandle(forWritingTo: standardError)
        try process.run()
        do {
            url = try Self.announcedURL(in: standardOutput, of: process, errors: standardError)
            let scheme = certificates == nil ? "http://" : "https://"
            guard url.hasPrefix(scheme) else { throw Subprocess.Failure(description: "syncml serve announced \(url), not \(scheme)") }
        } catch {
            Self.terminate(process)
            throw error
        }
        self.process = process
    }

    /// Waits for the `listening on URL` line; fails if the server exits or stays silent.
    private static func announcedURL(in output: URL, of process: Process, errors: URL) throws -> String {
        let deadline = ContinuousClock.now + startTimeout
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.hasPrefix("listening on ") {
                return String(line.dropFirst("listening on ".count)).trimmingCharacters(in: .whitespaces)
            }
            if !process.isRunning {
                let log = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
                throw Subprocess.Failure(description: "syncml serve exited with \(Subprocess.shellStatus(of: process)) before listening:\n\(text)\(log)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw Subprocess.Failure(description: "syncml serve printed no `listening on` line within \(startTimeout)")
    }

    /// SIGTERM, then SIGKILL if the server has not exited within `stopTimeout`.
    /// Returns the exit status (0 expected); stopping twice is harmless.
    @discardableResult
    func stop() -> Int32 { Self.terminate(process) }

    @discardableResult
    private static func terminate(_ process: Process) -> Int32 {
        if process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + stopTimeout
            while process.isRunning, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return Subprocess.shellStatus(of: process)
    }

    /// The end of what the server wrote to standard output and standard error, for failure messages.
    var log: String {
        let text = [standardOutput, standardError].map { (try? String(contentsOf: $0, encoding: .utf8)) ?? "" }.joined()
        return String(text.suffix(6_000))
    }

    // MARK: The store as the CLI shows it

    /// The user's live records per server datastore (`contacts`, `calendar`, `tasks`).
    func records(of account: Account) throws -> [String: [String]] {
        try SyncMLTool.export(user: account.name, store: store)
    }

    /// The sorted titles (FN or SUMMARY) of the user's records in one datastore: a duplicate shows up twice.
    func titles(of account: Account, in datastore: Datastore) throws -> [String] {
        try (records(of: account)[datastore.serverName] ?? []).map { record in
            ItemText.value(of: "FN", in: record) ?? ItemText.value(of: "SUMMARY", in: record) ?? "<no title>"
        }.sorted()
    }
}
