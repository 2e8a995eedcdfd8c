import Logging
import SyncMLHTTP
import SyncMLProtocol
import SyncMLServer
import SyncMLStore

/// Everything `syncml serve` runs with, resolved from its flags, then its config
/// file, then the defaults below: a flag overrides the file, the file a default.
struct ServeSettings {
    var db = "./syncml.sqlite"
    var http = HTTPListener.Configuration(sessionExpiryInterval: nil)
    var engine = ServerConfiguration()
    var tlsCert: String?
    var tlsKey: String?
    var history = HistoryRetention.keep(RetentionPolicy.standard.keepHistory)
    var keepVersions = RetentionPolicy.standard.keepVersions
    /// How often `serve` compacts (and once at start); nil never.
    var compactEvery: Duration? = .seconds(86_400)
    /// How often idle sessions are dropped.
    var sessionExpiryInterval = Duration.seconds(30)
    /// `/metrics` (and `/health`) on an address of their own; nil serves them on the sync listener.
    var metricsAddress: (host: String, port: Int)?
    /// The OTLP/HTTP collector the spans go to (a base URL); nil exports nothing.
    var otelEndpoint: String?
    var logLevel = Logger.Level.info
    var logFormat = LogFormat.text

    /// The names a config file may set: the long options of `serve`.
    static let names: Set<String> = [
        "db", "host", "port", "conflict", "mass-delete-guard", "tls-cert", "tls-key", "public-url", "max-body-size",
        "max-body-in-flight", "max-connections", "request-timeout", "idle-timeout", "session-timeout", "max-sessions-per-user",
        "max-items-per-message", "keep-history", "keep-versions", "compact-every", "metrics-address", "otel-endpoint", "log-level",
        "log-format",
    ]

    /// The retention policy, nil for `--keep-history forever`.
    var retention: RetentionPolicy? {
        guard case .keep(let duration) = history else { return nil }
        return RetentionPolicy(keepHistory: duration, keepVersions: keepVersions)
    }
}

/// Picks each setting from a flag or the config file, and words every refusal
/// after where the value came from: `--max-connections must be positive`, or
/// `config file serve.toml, line 3: max-connections must be positive`.
struct SettingResolver {
    let file: ConfigFile?

    /// Where a value came from.
    enum Origin {
        case flag, file(line: Int)
    }

    /// The value of `name`: the flag when given, else the file's (as text).
    func text(_ flag: String?, _ name: String) throws(CommandFailure) -> (value: String, origin: Origin)? {
        if let flag { return (flag, .flag) }
        guard let file, let value = try file.string(name), let line = file.entries[name]?.line else { return nil }
        return (value, .file(line: line))
    }

    /// The whole number `name`: the flag when given, else the file's.
    func integer(_ flag: Int?, _ name: String) throws(CommandFailure) -> (value: Int, origin: Origin)? {
        if let flag { return (flag, .flag) }
        guard let file, let value = try file.integer(name), let line = file.entries[name]?.line else { return nil }
        return (value, .file(line: line))
    }

    /// A positive whole number.
    func positive(_ flag: Int?, _ name: String) throws(CommandFailure) -> Int? {
        guard let (value, origin) = try integer(flag, name) else { return nil }
        guard value > 0 else { throw refusal(name, origin, "must be positive") }
        return value
    }

    func refusal(_ name: String, _ origin: Origin, _ message: String) -> CommandFailure {
        switch origin {
        case .flag: CommandFailure("--\(name) \(message)")
        case .file(let line): file!.failure(line, "\(name) \(message)")
        }
    }
}

extension Serve {
    /// The settings this invocation asks for, or a one-line refusal.
    func settings() throws(CommandFailure) -> ServeSettings {
        let file = try config.map { path throws(CommandFailure) in try ConfigFile.load(path) }
        if let file, let unknown = file.unknownNames(ServeSettings.names).first {
            throw file.failure(unknown.line, "unknown setting '\(unknown.name)' (the names are serve's long options: \(ServeSettings.names.sorted().joined(separator: ", ")))")
        }
        let pick = SettingResolver(file: file)
        var settings = ServeSettings()
        if let (db, _) = try pick.text(db, "db") { settings.db = db }
        if let (host, _) = try pick.text(host, "host") { settings.http.host = host }
        if let (port, origin) = try pick.integer(port, "port") {
            guard (0...65535).contains(port) else { throw pick.refusal("port", origin, "must be between 0 and 65535") }
            settings.http.port = port
        }
        if let (text, origin) = try pick.text(conflict, "conflict") {
            guard let policy = ConflictPolicy(rawValue: text) else {
                throw pick.refusal("conflict", origin, "'\(text)' is not a policy: use one of \(ConflictPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            settings.engine.defaultConflictPolicy = policy
        }
        if let (text, origin) = try pick.text(massDeleteGuard, "mass-delete-guard") {
            if text == "off" {
                settings.engine.massDeleteGuard = nil
            } else if let share = Double(text), (0...1).contains(share) {
                settings.engine.massDeleteGuard = MassDeleteGuard(share: share)
            } else {
                throw pick.refusal("mass-delete-guard", origin, "must be a share between 0 and 1, or 'off'")
            }
        }
        try resolveHTTP(pick, into: &settings)
        try resolveLimits(pick, into: &settings)
        try resolveOperations(pick, into: &settings)
        return settings
    }

    private func resolveHTTP(_ pick: SettingResolver, into settings: inout ServeSettings) throws(CommandFailure) {
        if let size = try pick.positive(maxBodySize, "max-body-size") {
            settings.http.maxBodySize = size
            // The MaxMsgSize the server announces must fit the body limit, or a client that follows it gets 413.
            settings.engine.maxMessageSize = min(settings.engine.maxMessageSize, size)
        }
        if let bytes = try pick.positive(maxBodyInFlight, "max-body-in-flight") { settings.http.maxBodyBytesInFlight = bytes }
        guard settings.http.budgetHoldsAnAnonymousBody else {
            throw CommandFailure("--max-body-in-flight (\(settings.http.maxBodyBytesInFlight)) must be at least twice --max-body-size (\(settings.http.maxBodySize)): anonymous requests get half of it")
        }
        if let count = try pick.positive(maxConnections, "max-connections") { settings.http.maxConnections = count }
        if let seconds = try pick.positive(requestTimeout, "request-timeout") { settings.http.requestTimeout = .seconds(seconds) }
        if let seconds = try pick.positive(idleTimeout, "idle-timeout") { settings.http.connectionIdleTimeout = .seconds(seconds) }
        let cert = try pick.text(tlsCert, "tls-cert"), key = try pick.text(tlsKey, "tls-key")
        guard (cert == nil) == (key == nil) else {
            throw CommandFailure("--tls-cert and --tls-key go together: give both, or neither for plain HTTP")
        }
        (settings.tlsCert, settings.tlsKey) = (cert?.value, key?.value)
        if let (text, origin) = try pick.text(publicURL, "public-url") {
            guard let url = PublicURL(text) else {
                throw pick.refusal("public-url", origin, "must be an http:// or https:// URL with a host and no query, such as https://sync.example.org/sync")
            }
            settings.http.publicURL = url
        }
    }

    private func resolveLimits(_ pick: SettingResolver, into settings: inout ServeSettings) throws(CommandFailure) {
        if let seconds = try pick.positive(sessionTimeout, "session-timeout") { settings.engine.sessionTimeout = .seconds(seconds) }
        if let count = try pick.positive(maxSessionsPerUser, "max-sessions-per-user") { settings.engine.maxSessionsPerUser = count }
        if let count = try pick.positive(maxItemsPerMessage, "max-items-per-message") { settings.engine.maxItemsPerMessage = count }
        if let (text, origin) = try pick.text(keepHistory, "keep-history") {
            guard let history = HistoryRetention(text) else {
                throw pick.refusal("keep-history", origin, "must be a number and a unit (s, m, h, d, w), such as 90d, or 'forever'")
            }
            settings.history = history
        }
        if let count = try pick.positive(keepVersions, "keep-versions") { settings.keepVersions = count }
        if let (text, origin) = try pick.text(compactEvery, "compact-every") {
            if text == "off" {
                settings.compactEvery = nil
            } else if let interval = DurationText.parse(text), interval >= .seconds(60) {
                settings.compactEvery = interval
            } else {
                throw pick.refusal("compact-every", origin, "must be a number and a unit (m, h, d, w) of at least a minute, such as 24h, or 'off'")
            }
        }
    }

    private func resolveOperations(_ pick: SettingResolver, into settings: inout ServeSettings) throws(CommandFailure) {
        if let (text, origin) = try pick.text(metricsAddress, "metrics-address") {
            guard let address = Self.hostAndPort(text) else {
                throw pick.refusal("metrics-address", origin, "must be HOST:PORT, such as 127.0.0.1:9090 or [::1]:9090")
            }
            settings.metricsAddress = address
        }
        if let (text, origin) = try pick.text(otelEndpoint, "otel-endpoint") {
            guard let url = PublicURL(text) else {
                throw pick.refusal("otel-endpoint", origin, "must be an http:// or https:// URL with a host, such as http://collector:4318")
            }
            settings.otelEndpoint = url.description
        }
        if let (text, origin) = try pick.text(logLevel, "log-level") {
            guard let level = Logger.Level(rawValue: text) else {
                throw pick.refusal("log-level", origin, "'\(text)' is not a level: use one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            settings.logLevel = level
        }
        if let (text, origin) = try pick.text(logFormat, "log-format") {
            guard let format = LogFormat(rawValue: text) else {
                throw pick.refusal("log-format", origin, "'\(text)' is not a format: use text or json")
            }
            settings.logFormat = format
        }
    }

    /// `127.0.0.1:9090`, `[::1]:9090`, `:9090` (loopback).
    static func hostAndPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "127.0.0.1" }
        guard !host.contains(":") || text.hasPrefix("[") else { return nil }
        return (host, port)
    }
}
