/// The URL clients reach the server at when a reverse proxy stands in front of
/// it (nginx or HAProxy terminating TLS, perhaps under another path): the
/// engine then builds RespURI from this, not from what the proxy forwarded, so
/// a client is never sent to the proxy's internal address or back to plain HTTP.
///
/// It replaces the scheme, host and path of every request; the request's query
/// (the `sessionid` of a RespURI) is kept. The server accepts a POST on any
/// path, so whatever path the proxy forwards to serves.
///
/// Forwarded headers (`X-Forwarded-Proto`, `X-Forwarded-Host`) are not read:
/// any client can send them, and the operator knows this URL anyway.
public struct PublicURL: Sendable, Equatable, CustomStringConvertible {
    /// `http` or `https`.
    public let scheme: String
    /// `host` or `host:port`, as given.
    public let authority: String
    /// The path, `/` when none was given.
    public let path: String

    /// `scheme://authority/path`.
    public var description: String { "\(scheme)://\(authority)\(path)" }

    /// Parses an absolute `http` or `https` URL with a host, without user info,
    /// query or fragment; nil for anything else.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), text[colon...].hasPrefix("://") else { return nil }
        let scheme = text[..<colon].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = text[text.index(colon, offsetBy: 3)...]
        let pathStart = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<pathStart])
        let path = rest[pathStart...].isEmpty ? "/" : String(rest[pathStart...])
        guard RequestTriage.isPlausibleAuthority(authority),
              path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "?" && $0 != "#" && $0 != "\\" })
        else { return nil }
        self.scheme = scheme
        self.authority = authority
        self.path = path
    }
}
