/// Where an `http://` URL points: the server to connect to and the target to request.
///
/// Only what the transport needs: no user info, no fragments, no percent-decoding
/// (the target goes on the request line exactly as the server wrote it in RespURI).
struct HTTPEndpoint: Hashable, Sendable {
    /// The host without IPv6 brackets (`127.0.0.1`, `::1`, `sync.example.org`).
    var host: String
    var port: Int
    /// Path and query (`/sync?sessionid=12`); `/` when the URL has none.
    var target: String

    /// `host:port` for messages and the Host header, with IPv6 brackets.
    var authority: String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// Parses `http://host[:port][/path][?query]`.
    init(parsing url: String) throws(SyncClientError) {
        let trimmed = url.trimmingWhitespace
        guard let schemeEnd = trimmed.firstRange(of: "://") else {
            throw SyncClientError(.transport, "invalid URL '\(url)': expected http://host[:port]/path")
        }
        let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" else {
            if scheme == "https" { throw SyncClientError(.transport, "https is not supported: use an http:// URL") }
            throw SyncClientError(.transport, "unsupported URL scheme '\(scheme)' in '\(url)': use http://")
        }
        let rest = trimmed[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if let fragment = target.firstIndex(of: "#") { target = String(target[..<fragment]) }
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }

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
        var port = 80
        if let portText, !portText.isEmpty {
            guard let parsed = Int(portText), (1...65535).contains(parsed) else {
                throw SyncClientError(.transport, "invalid URL '\(url)': port '\(portText)' is not between 1 and 65535")
            }
            port = parsed
        }
        self.host = String(host)
        self.port = port
        self.target = target
    }
}

extension String {
    /// Without leading and trailing white space (no Foundation here).
    var trimmingWhitespace: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
