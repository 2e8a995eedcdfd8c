import ArgumentParser
import Dispatch
import Logging
import SyncMLCore
import SyncMLEngine
import SyncMLServer
import SyncMLStore

#if canImport(Glibc)
import Glibc
#endif

/// `syncml serve`: the SyncML server over HTTP, until SIGINT or SIGTERM.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a store to SyncML clients over HTTP.",
        discussion: "Prints `listening on http://HOST:PORT/sync` once the port is open, then serves until SIGINT or SIGTERM and closes its connections before exiting."
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "The address to listen on (0.0.0.0 for every interface).")
    var host = "127.0.0.1"

    @Option(help: "The port (0 picks a free one).")
    var port = 8080

    @Option(help: "How conflicts are resolved: \(ConflictPolicy.allCases.map(\.rawValue).joined(separator: ", ")).")
    var conflict = ConflictPolicy.merge.rawValue

    @Option(help: ArgumentHelp("Hold a client's deletes that would remove more than this share of a datastore (at least 10 records): 0.5 by default, 'off' to let every delete through.", valueName: "share"))
    var massDeleteGuard = "0.5"

    @Option(help: "The largest request body in bytes.")
    var maxBody = HTTPSyncServer.Configuration().maxBodySize

    @Option(help: "Log level on standard error: \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")).")
    var logLevel = Logger.Level.info.rawValue

    func validate() throws {
        guard ConflictPolicy(rawValue: conflict) != nil else {
            throw ValidationError("unknown conflict policy '\(conflict)': use one of \(ConflictPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("unknown log level '\(logLevel)': use one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard maxBody > 0 else { throw ValidationError("--max-body must be positive") }
        guard massDeleteGuard == "off" || Double(massDeleteGuard).map({ (0...1).contains($0) }) == true else {
            throw ValidationError("--mass-delete-guard must be a share between 0 and 1, or 'off'")
        }
    }

    func run() throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var engineConfiguration = ServerConfiguration()
        engineConfiguration.defaultConflictPolicy = ConflictPolicy(rawValue: conflict) ?? .merge
        engineConfiguration.massDeleteGuard = Double(massDeleteGuard).map { MassDeleteGuard(share: $0) }
        let httpConfiguration = HTTPSyncServer.Configuration(host: host, port: port, maxBodySize: maxBody)
        let (store, engineSettings) = (self.store, engineConfiguration)

        try Self.runningStore {
            let syncStore = try store.open()
            let hasUsers = try await !syncStore.users().isEmpty
            // Before the port opens: a signal that arrives once it listens must not kill the process.
            let signals = TerminationSignals()
            let engine = SyncServer(store: syncStore, configuration: engineSettings)
            let http = try await HTTPSyncServer.start(engine: engine, configuration: httpConfiguration)
            StandardOutput.write(Array(Self.banner(url: http.url, host: http.host, db: store.db, hasUsers: hasUsers).utf8))
            await signals.next()
            await http.shutdown()
            await engine.suspendAll() // sessions cut by the shutdown can be resumed
        }
    }

    /// The `listening on` line (tests and scripts read it), then what to do next.
    static func banner(url: String, host: String, db: String, hasUsers: Bool) -> String {
        var lines = ["listening on \(url)"]
        if !hasUsers {
            lines.append("no users yet: add one with `syncml user add --db \(db) NAME` (the password is read from standard input)")
        }
        lines.append("point a SyncML client at \(url) (SyncEvolution: syncURL = \(url), with the user's name and password)")
        if host == "0.0.0.0" || host == "::" {
            lines.append("(from other machines, use this machine's address in place of \(host))")
        }
        lines.append("stop with Ctrl-C")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// SIGINT and SIGTERM as something to wait for: their default handlers are
/// replaced so the server can close its connections before the process exits.
final class TerminationSignals {
    private let sources: [any DispatchSourceSignal]
    private let received: AsyncStream<Int32>

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        received = stream
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)  // else the default action still ends the process
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }

    /// Returns when the first signal has arrived (at once if one already has).
    func next() async {
        for await _ in received { return }
    }
}
