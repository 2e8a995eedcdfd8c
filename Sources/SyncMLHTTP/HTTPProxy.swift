public import SyncMLClient

/// An HTTP proxy the transport goes through. Every message, `http://` or
/// `https://`, is sent in a `CONNECT` tunnel (AsyncHTTPClient's way), so an
/// `https://` server's certificate is still verified end to end.
public struct HTTPProxy: Sendable, Hashable, CustomStringConvertible {
    /// The proxy's host name or address.
    public var host: String
    /// The proxy's port.
    public var port: Int
    /// Basic credentials for the proxy (`Proxy-Authorization`), if it wants them.
    public var username: String?
    /// The password that goes with `username`.
    public var password: String?

    /// A proxy; credentials only when it asks for them.
    public init(host: String, port: Int, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }

    /// Parses `http://[user:password@]host[:port]`, or `host:port` as proxy
    /// variables often hold; the port defaults to 80. A TLS (`https://`) or SOCKS
    /// proxy is refused: the connection to the proxy itself is plain HTTP.
    public init(parsing url: String) throws(SyncClientError) {
        let trimmed = url.trimmingWhitespace
        var rest = Substring(trimmed)
        if let schemeEnd = trimmed.firstRange(of: "://") {
            let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
            guard scheme == "http" else {
                throw SyncClientError(.transport, "unsupported proxy '\(url)': only http:// proxies are supported")
            }
            rest = trimmed[schemeEnd.upperBound...]
        }
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            guard rest[end...].allSatisfy({ $0 == "/" }) else {
                throw SyncClientError(.transport, "invalid proxy '\(url)': expected http://[user:password@]host[:port]")
            }
            rest = rest[..<end]
        }
        var username: String?, password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            if let colon = credentials.firstIndex(of: ":") {
                username = Self.percentDecoded(credentials[..<colon])
                password = Self.percentDecoded(credentials[credentials.index(after: colon)...])
            } else {
                username = Self.percentDecoded(credentials)
                password = ""
            }
            rest = rest[rest.index(after: at)...]
        }
        let (host, port) = try HTTPEndpoint.hostAndPort(rest, defaultPort: 80, in: url)
        self.init(host: host, port: port, username: username, password: password)
    }

    /// `http://host:port`, without the credentials (for messages).
    public var description: String {
        "http://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// `%40` → `@` in user names and passwords; text that is not valid escaping stays as it is.
    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Which proxy, if any, the transport uses.
public enum ProxyChoice: Sendable, Hashable {
    /// Connect to every server directly.
    case direct
    /// Send every message through this proxy.
    case server(HTTPProxy)
    /// What the process environment says, read once when the transport is made:
    /// `https_proxy` for `https://` URLs, `http_proxy` for `http://` ones
    /// (lower case first, then upper case), none for the hosts in `no_proxy`
    /// and never for loopback addresses (`localhost`, `127.x`, `::1`).
    case environment
}

/// The proxy rules the transport applies per URL (an explicit proxy, or the environment's).
struct ProxyRules: Sendable {
    var https: HTTPProxy?
    var http: HTTPProxy?
    /// `no_proxy` entries, lower case: `*`, host names, domains (`.example.org`), each optionally with `:port`.
    var exceptions: [String] = []
    /// An explicit proxy applies to every host, loopback included (the user asked for it).
    var appliesToLoopback = false

    static let direct = ProxyRules()

    init() {}

    init(_ choice: ProxyChoice, environment: @autoclosure () -> [String: String]) throws(SyncClientError) {
        switch choice {
        case .direct:
            self.init()
        case .server(let proxy):
            self.init()
            (https, http, appliesToLoopback) = (proxy, proxy, true)
        case .environment:
            try self.init(environment: environment())
        }
    }

    /// The rules `https_proxy`, `http_proxy` and `no_proxy` (or their upper-case forms) give.
    init(environment: [String: String]) throws(SyncClientError) {
        func value(_ name: String) -> (name: String, value: String)? {
            for key in [name, name.uppercased()] {
                if let value = environment[key]?.trimmingWhitespace, !value.isEmpty { return (key, value) }
            }
            return nil
        }
        func proxy(_ name: String) throws(SyncClientError) -> HTTPProxy? {
            guard let (key, text) = value(name) else { return nil }
            do {
                return try HTTPProxy(parsing: text)
            } catch {
                throw SyncClientError(.transport, "\(key): \(error.message)")
            }
        }
        self.init()
        https = try proxy("https_proxy")
        http = try proxy("http_proxy")
        exceptions = (value("no_proxy")?.value ?? "")
            .split(whereSeparator: { $0 == "," || $0 == " " })
            .map { $0.lowercased() }
    }

    /// The proxy for `endpoint`, nil to connect directly.
    func proxy(for endpoint: HTTPEndpoint) -> HTTPProxy? {
        guard let proxy = endpoint.secure ? https : http else { return nil }
        if appliesToLoopback { return proxy }
        if endpoint.isLoopback || isException(endpoint) { return nil }
        return proxy
    }

    private func isException(_ endpoint: HTTPEndpoint) -> Bool {
        let host = endpoint.host.lowercased()
        for entry in exceptions {
            if entry == "*" { return true }
            var name = Substring(entry)
            // `host:port` or `[v6]:port`; a bare IPv6 address has several colons and no port.
            let hasPort = name.hasPrefix("[") ? name.contains("]:") : name.filter({ $0 == ":" }).count == 1
            if hasPort, let colon = name.lastIndex(of: ":") {
                guard Int(name[name.index(after: colon)...]) == endpoint.port else { continue }
                name = name[..<colon]
            }
            if name.hasPrefix("[") && name.hasSuffix("]") { name = name.dropFirst().dropLast() }
            if name.hasPrefix("*.") { name = name.dropFirst() }
            if name.hasPrefix(".") { name = name.dropFirst() }
            guard !name.isEmpty else { continue }
            if host == name || host.hasSuffix("." + name) { return true }
        }
        return false
    }
}
