import SyncMLClient

/// Where an `http://` or `https://` URL points: the scheme, the server to
/// connect to and the target to request.
///
/// Only what the transport needs: user info and fragments are dropped, nothing is
/// percent-decoded (the target goes on the request line as the server wrote it in
/// RespURI). Parsed before anything is sent, so a bad URL is a clear
/// `.transport` error rather than whatever the HTTP library makes of it.
struct HTTPEndpoint: Hashable, Sendable {
    /// True for `https://`: TLS, with the certificate and host name verified.
    var secure: Bool
    /// The host without IPv6 brackets (`127.0.0.1`, `::1`, `sync.example.org`).
    var host: String
    var port: Int
    /// Path and query (`/sync?sessionid=12`); `/` when the URL has none.
    var target: String

    /// `host:port` for messages, with IPv6 brackets.
    var authority: String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// The URL handed to the HTTP library: scheme, authority and target, nothing else.
    var url: String {
        (secure ? "https://" : "http://") + authority + target
    }

    /// True for `localhost` and loopback addresses, which an environment proxy never serves.
    var isLoopback: Bool {
        let name = host.lowercased()
        return name == "localhost" || name.hasSuffix(".localhost") || name == "::1" || name.hasPrefix("127.")
    }

    /// Parses `http[s]://host[:port][/path][?query]`.
    init(parsing url: String) throws(SyncClientError) {
        let trimmed = url.trimmingWhitespace
        guard let schemeEnd = trimmed.firstRange(of: "://") else {
            throw SyncClientError(.transport, "invalid URL '\(url)': expected http[s]://host[:port]/path")
        }
        let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw SyncClientError(.transport, "unsupported URL scheme '\(scheme)' in '\(url)': use http:// or https://")
        }
        let rest = trimmed[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if let fragment = target.firstIndex(of: "#") { target = String(target[..<fragment]) }
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let (host, port) = try Self.hostAndPort(authority, defaultPort: scheme == "https" ? 443 : 80, in: url)
        self.secure = scheme == "https"
        self.host = host
        self.port = port
        self.target = target
    }

    /// Splits `host[:port]` or `[v6]:port`; shared with proxy URLs.
    static func hostAndPort(_ authority: Substring, defaultPort: Int, in url: String) throws(SyncClientError) -> (String, Int) {
        let host: Substring, portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw SyncClientError(.transport, "invalid URL '\(url)': unclosed [ in the host")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else {
                throw SyncClientError(.transport, "invalid URL '\(url)': unexpected text after the host")
            }
            portText = after.isEmpty ? nil : after.dropFirst()
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
            portText = nil
        }
        guard !host.isEmpty else { throw SyncClientError(.transport, "invalid URL '\(url)': no host") }
        var port = defaultPort
        if let portText, !portText.isEmpty {
            guard let parsed = Int(portText), (1...65535).contains(parsed) else {
                throw SyncClientError(.transport, "invalid URL '\(url)': port '\(portText)' is not between 1 and 65535")
            }
            port = parsed
        }
        return (String(host), port)
    }
}

extension String {
    /// Without leading and trailing white space (no Foundation here).
    var trimmingWhitespace: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
