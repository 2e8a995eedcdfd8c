import ArgumentParser
import Dispatch
import Foundation
import SyncMLCodec
import SyncMLPostgres
import SyncMLStore

#if canImport(Glibc)
import Glibc
#endif

/// `--db PATH|URL`, shared by every store command: a SQLite file, or a
/// PostgreSQL database named by a `postgres://` or `postgresql://` URL.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The store: a file (only `user add`, `import` and `serve` create it), or postgres://USER@HOST[:PORT]/DATABASE[?schema=NAME].",
        valueName: "path|url"))
    var db = "./syncml.sqlite"

    /// Opens (creating and migrating) the store: for the commands that add to it.
    func open() throws -> SyncStore {
        try Self.open(db)
    }

    /// Opens (creating and migrating) the store at `location` (a file or a
    /// PostgreSQL URL), failing with one line.
    static func open(_ location: String, creating: Bool = true) throws -> SyncStore {
        do {
            if PostgresStore.isPostgresURL(location) {
                return try PostgresStore.open(PostgresStore.Settings(url: location), creating: creating)
            }
            return try SyncStore(path: location)
        } catch {
            throw CommandFailure("cannot open store \(displayName(location)): \(error.message)")
        }
    }

    /// Opens a store that must exist: a command that reads or changes what is
    /// there refuses a `--db` with a typo instead of creating an empty store.
    func openExisting() throws -> SyncStore {
        if PostgresStore.isPostgresURL(db) { return try Self.open(db, creating: false) }
        try Self.requireFile(db, "store")
        return try open()
    }

    /// `location` as messages and banners show it: a URL without its password.
    static func displayName(_ location: String) -> String {
        guard PostgresStore.isPostgresURL(location), let settings = try? PostgresStore.Settings(url: location) else { return location }
        return settings.redactedURL
    }

    /// Fails with one line when nothing is at `path`.
    static func requireFile(_ path: String, _ what: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("no \(what) at \(path) (nothing was created; check the path)")
        }
    }
}

extension ParsableCommand {
    /// Runs `body` on the concurrency pool and waits for it: the store is an
    /// actor, and the root command is synchronous. Store errors become one
    /// line on standard error and exit status 1, like every other failure.
    static func runningStore(_ body: @escaping @Sendable () async throws -> Void) throws {
        try reportingFailures {
            let outcome = Outcome()
            let done = DispatchSemaphore(value: 0)
            Task {
                do {
                    try await body()
                } catch {
                    outcome.set(error)
                }
                done.signal()
            }
            done.wait()
            switch outcome.error {
            case nil: return
            case let failure as CommandFailure: throw failure
            case let error as StoreError: throw CommandFailure(error.message)
            case let error as ExitCode: throw error
            case let error?: throw CommandFailure("\(error)")
            }
        }
    }
}

/// The error a bridged task ended with (written once, read after the semaphore).
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?
    func set(_ error: any Error) { lock.withLock { stored = error } }
    var error: (any Error)? { lock.withLock { stored } }
}

/// A single updating line on standard error for long runs, shown only when
/// standard error is a terminal (`isatty(2)`), at most ten times a second.
final class ProgressLine: @unchecked Sendable {
    private let enabled = isatty(2) != 0
    private var lastDraw = DispatchTime(uptimeNanoseconds: 0)
    private var drawn = false

    func update(_ label: String, _ done: Int, of total: Int) {
        let percent = total > 0 ? done * 100 / total : 100
        draw("\(label) \(done)/\(total) (\(percent) %)", final: done == total)
    }

    /// `label N` where the total is not known beforehand.
    func update(_ label: String, _ done: Int) {
        draw("\(label) \(done)", final: false)
    }

    private func draw(_ text: String, final: Bool) {
        guard enabled else { return }
        let now = DispatchTime.now()
        guard final || now.uptimeNanoseconds - lastDraw.uptimeNanoseconds > 100_000_000 else { return }
        lastDraw = now
        StandardOutput.write(Array("\r\u{1B}[K\(text)".utf8), to: 2)
        drawn = true
    }

    /// Clears the line.
    func finish() {
        guard enabled, drawn else { return }
        StandardOutput.write(Array("\r\u{1B}[K".utf8), to: 2)
        drawn = false
    }
}

/// Store-command formatting.
enum StoreText {
    /// `2024-05-01T12:00:00.123Z`.
    static func time(_ date: Date?) -> String {
        guard let date else { return "-" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// The file extension for a stored MIME type.
    static func fileExtension(type: String) -> String {
        switch type.lowercased() {
        case "text/vcard", "text/x-vcard", "text/directory": "vcf"
        case "text/calendar", "text/x-vcalendar": "ics"
        default: "txt"
        }
    }

    /// Left-aligned columns.
    static func table(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: width)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
