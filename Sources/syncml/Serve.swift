import ArgumentParser
import Dispatch
import Logging
import SyncMLProtocol
import SyncMLServer
import SyncMLHTTP
import SyncMLStore

#if canImport(Glibc)
import Glibc
#endif

/// `syncml serve`: the SyncML server over HTTP or HTTPS, until SIGINT or SIGTERM.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a store to SyncML clients over HTTP or HTTPS.",
        discussion: """
            Prints `listening on http://HOST:PORT/sync` (`https://` with --tls-cert and --tls-key) once the port is open, \
            then serves until SIGINT or SIGTERM and closes its connections before exiting. \
            Every connection is bounded (--max-connections, --request-timeout, --idle-timeout, --max-body-size); \
            docs/SECURITY.md explains them and running behind a reverse proxy (--public-url).
            """
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

    @Option(help: ArgumentHelp("Serve HTTPS with this certificate chain (PEM: the server's certificate first, then intermediates); needs --tls-key.", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The private key of --tls-cert (PEM, unencrypted).", valueName: "file"))
    var tlsKey: String?

    @Option(help: ArgumentHelp("The URL clients reach the server at when a reverse proxy is in front (https://sync.example.org/sync): RespURI is built from it.", valueName: "url"))
    var publicURL: String?

    @Option(name: [.customLong("max-body-size"), .customLong("max-body")], help: ArgumentHelp("The largest request body in bytes; a larger one is answered 413.", valueName: "bytes"))
    var maxBodySize = Self.defaults.maxBodySize

    @Option(help: ArgumentHelp("At most this many open connections; more are closed as soon as they are accepted.", valueName: "n"))
    var maxConnections = Self.defaults.maxConnections

    @Option(help: ArgumentHelp("A request's head and body must arrive within this many seconds, else 408 and the connection closes.", valueName: "seconds"))
    var requestTimeout = Int(Self.defaults.requestTimeout.components.seconds)

    @Option(help: ArgumentHelp("A connection silent this many seconds, while no answer is being prepared for it, is closed.", valueName: "seconds"))
    var idleTimeout = Int(Self.defaults.connectionIdleTimeout.components.seconds)

    private static let defaults = HTTPListener.Configuration()

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
        for (flag, value) in [("--max-body-size", maxBodySize), ("--max-connections", maxConnections),
                              ("--request-timeout", requestTimeout), ("--idle-timeout", idleTimeout)] where value <= 0 {
            throw ValidationError("\(flag) must be positive")
        }
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together: give both, or neither for plain HTTP")
        }
        if let publicURL, PublicURL(publicURL) == nil {
            throw ValidationError("--public-url must be an http:// or https:// URL with a host and no query, such as https://sync.example.org/sync")
        }
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
        let httpSettings = HTTPListener.Configuration(
            host: host, port: port, publicURL: publicURL.flatMap(PublicURL.init), maxBodySize: maxBodySize,
            connectionIdleTimeout: .seconds(idleTimeout), requestTimeout: .seconds(requestTimeout), maxConnections: maxConnections)
        let (store, engineSettings, tlsFiles) = (self.store, engineConfiguration, tlsCert.flatMap { cert in tlsKey.map { (cert, $0) } })

        try Self.runningStore {
            var httpConfiguration = httpSettings
            if let (chain, key) = tlsFiles {
                do {
                    httpConfiguration.tls = try ServerCertificate.load(chain: chain, privateKey: key)
                } catch {
                    throw CommandFailure("\(error)")
                }
            }
            let syncStore = try store.open()
            let hasUsers = try await !syncStore.users().isEmpty
            // Before the port opens: a signal that arrives once it listens must not kill the process.
            let signals = TerminationSignals()
            let engine = SyncServer(store: syncStore, configuration: engineSettings)
            let http = try await HTTPListener.start(engine: engine, configuration: httpConfiguration)
            let clientURL = httpConfiguration.publicURL?.description ?? http.url
            StandardOutput.write(Array(Self.banner(url: http.url, clientURL: clientURL, host: http.host, db: store.db, hasUsers: hasUsers).utf8))
            await signals.next()
            await http.shutdown()
            await engine.suspendAll() // sessions cut by the shutdown can be resumed
        }
    }

    /// The `listening on` line (tests and scripts read it), then what to do next.
    /// `clientURL` is where clients go: the public URL behind a proxy, else `url`.
    static func banner(url: String, clientURL: String, host: String, db: String, hasUsers: Bool) -> String {
        var lines = ["listening on \(url)"]
        if !hasUsers {
            lines.append("no users yet: add one with `syncml user add --db \(db) NAME` (the password is read from standard input)")
        }
        lines.append("point a SyncML client at \(clientURL) (SyncEvolution: syncURL = \(clientURL), with the user's name and password)")
        if clientURL == url, host == "0.0.0.0" || host == "::" {
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
