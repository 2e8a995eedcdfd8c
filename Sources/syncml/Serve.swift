import ArgumentParser
import Logging
import SyncMLProtocol
import SyncMLServer
import SyncMLHTTP
import SyncMLStore

/// `syncml serve`: the SyncML server over HTTP or HTTPS, run as services
/// (swift-service-lifecycle) until SIGINT or SIGTERM: the listener, the session
/// expiry, the compaction schedule and, with `--metrics-address`, the operations
/// endpoints on their own address. docs/OPERATIONS.md is the operator's guide.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a store to SyncML clients over HTTP or HTTPS.",
        discussion: """
            Prints `listening on http://HOST:PORT/sync` (`https://` with --tls-cert and --tls-key) once the port is open, \
            then serves until SIGINT or SIGTERM, suspends the sessions in progress (their clients resume) and closes its \
            connections before exiting. Every connection is bounded (--max-connections, --request-timeout, --idle-timeout, \
            --max-body-size, --max-body-in-flight); docs/SECURITY.md explains them and running behind a reverse proxy (--public-url). \
            GET /health and GET /metrics (Prometheus) are for operators, --otel-endpoint exports spans to an OpenTelemetry \
            collector; the journal is compacted on a schedule \
            (--keep-history, --compact-every). Every option can also be set in a --config file (docs/OPERATIONS.md); \
            a flag overrides the file.
            """
    )

    @Option(help: ArgumentHelp("Read settings from this file: `name = value` lines, names as the long options (a flat TOML subset, docs/OPERATIONS.md). Flags override it.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("The store file, created when missing (default ./syncml.sqlite), or a postgres:// URL.", valueName: "path|url"))
    var db: String?

    @Option(help: "The address to listen on (0.0.0.0 for every interface; default 127.0.0.1).")
    var host: String?

    @Option(help: "The port (0 picks a free one; default 8080).")
    var port: Int?

    @Option(help: "How conflicts are resolved: \(ConflictPolicy.allCases.map(\.rawValue).joined(separator: ", ")) (default merge).")
    var conflict: String?

    @Option(help: ArgumentHelp("Hold a client's deletes that would remove more than this share of a datastore (at least 10 records): 0.5 by default, 'off' to let every delete through.", valueName: "share"))
    var massDeleteGuard: String?

    @Option(help: ArgumentHelp("Serve HTTPS with this certificate chain (PEM: the server's certificate first, then intermediates); needs --tls-key.", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The private key of --tls-cert (PEM, unencrypted).", valueName: "file"))
    var tlsKey: String?

    @Option(help: ArgumentHelp("The URL clients reach the server at when a reverse proxy is in front (https://sync.example.org/sync): RespURI is built from it.", valueName: "url"))
    var publicURL: String?

    @Option(name: [.customLong("max-body-size"), .customLong("max-body")], help: ArgumentHelp("The largest request body in bytes; a larger one is answered 413 (default 8 MiB). The MaxMsgSize the server announces is at most this.", valueName: "bytes"))
    var maxBodySize: Int?

    @Option(help: ArgumentHelp("The most request body bytes all connections may hold before the server reads them (default 64 MiB, at least twice --max-body-size); anonymous requests get half, and one that does not fit is answered 503 with Retry-After.", valueName: "bytes"))
    var maxBodyInFlight: Int?

    @Option(help: ArgumentHelp("At most this many open connections; more are closed as soon as they are accepted (default 256).", valueName: "n"))
    var maxConnections: Int?

    @Option(help: ArgumentHelp("A request's head and body must arrive within this many seconds, else 408 and the connection closes (default 60).", valueName: "seconds"))
    var requestTimeout: Int?

    @Option(help: ArgumentHelp("A connection silent this many seconds, while no answer is being prepared for it, is closed (default 60).", valueName: "seconds"))
    var idleTimeout: Int?

    @Option(help: ArgumentHelp("A session idle this many seconds is dropped; one mid-sync is kept for a resume (default 300).", valueName: "seconds"))
    var sessionTimeout: Int?

    @Option(help: ArgumentHelp("Sessions one user may run at once; one more is answered 503 (default 16).", valueName: "n"))
    var maxSessionsPerUser: Int?

    @Option(help: ArgumentHelp("Items one message may carry; more is answered 413 (default 20000).", valueName: "n"))
    var maxItemsPerMessage: Int?

    @Option(help: ArgumentHelp(HistoryRetention.help + " Default 90d. Never drops what a device has not acknowledged.", valueName: "age"))
    var keepHistory: String?

    @Option(help: ArgumentHelp("Each record keeps at least its newest N versions, however old (default 1).", valueName: "n"))
    var keepVersions: Int?

    @Option(help: ArgumentHelp("Compact the journal a minute after start and then this often, such as 24h (the default); 'off' never.", valueName: "interval"))
    var compactEvery: String?

    @Option(help: ArgumentHelp("Serve GET /metrics and /health on this address too, and /metrics only there (127.0.0.1:9090): off the public listener.", valueName: "host:port"))
    var metricsAddress: String?

    @Option(help: ArgumentHelp("Export each message's spans over OTLP/HTTP to the collector at this base URL (http://collector:4318; they go to /v1/traces). OTEL_* variables refine it (docs/OPERATIONS.md).", valueName: "url"))
    var otelEndpoint: String?

    @Option(help: "Log level on standard error: \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")) (default info).")
    var logLevel: String?

    @Option(help: "Log format on standard error: text, or json (one object per line: time, level, label, message, metadata).")
    var logFormat: String?

    func validate() throws {
        do {
            _ = try settings()
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let settings = try settings()
        settings.logFormat.bootstrap(level: settings.logLevel)
        try Self.runningStore {
            try await ServeRun(settings: settings).run()
        }
    }

    /// The `listening on` line (tests and scripts read it), then what to do next.
    /// `clientURL` is where clients go: the public URL behind a proxy, else `url`;
    /// `operationsURL` where `/health` and `/metrics` are.
    static func banner(url: String, clientURL: String, host: String, db: String, hasUsers: Bool, operationsURL: String) -> String {
        var lines = ["listening on \(url)"]
        if !hasUsers {
            lines.append("no users yet: add one with `syncml user add --db \(db) NAME` (the password is read from standard input)")
        }
        lines.append("point a SyncML client at \(clientURL) (SyncEvolution: syncURL = \(clientURL), with the user's name and password)")
        if clientURL == url, host == "0.0.0.0" || host == "::" {
            lines.append("(from other machines, use this machine's address in place of \(host))")
        }
        lines.append("for operators: \(operationsURL)/health and \(operationsURL)/metrics (Prometheus)")
        lines.append("stop with Ctrl-C")
        return lines.joined(separator: "\n") + "\n"
    }
}
