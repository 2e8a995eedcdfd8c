import NIOHTTP1
import SyncMLServer
/// What the server does with a request, decided from its head alone, before
/// any body byte is read. Pure, so the rules are tested without sockets.
enum RequestTriage: Equatable {
    /// A SyncML message: collect the body and hand it to the engine.
    case sync(contentType: String)
    /// Answered without the engine (the info page, 404, 405, 415); the body is read and dropped.
    case answer(HTTPAnswer)
    /// The announced body is over the limit: 413, and the connection closes.
    case tooLarge
    /// `GET /health` or `GET /metrics`: answered by `OperationsResponder` once the request has ended.
    case operations(OperationsRoute)

    /// `syncURL` is where clients are told to post (in the info page and error texts).
    static func decide(_ head: HTTPRequestHead, maxBodySize: Int, syncURL: String, routes: Routes = .sync) -> RequestTriage {
        if head.method == .GET || head.method == .HEAD {
            switch head.path {
            case "/health": return .operations(.health)
            case "/metrics" where routes.metrics: return .operations(.metrics)
            default: break
            }
        }
        guard routes.sync else {
            return .answer(.plainText(404, "not found: this address serves GET /health\(routes.metrics ? " and GET /metrics" : "")"))
        }
        switch head.method {
        case .POST:
            if let length = head.declaredContentLength, length > maxBodySize { return .tooLarge }
            let contentType = head.headers.first(name: "content-type") ?? ""
            guard SyncMLMediaType.accepts(contentType) else {
                return .answer(.plainText(415, "unsupported content type '\(contentType)': send \(SyncMLMediaType.wbxml) or \(SyncMLMediaType.xml)"))
            }
            // Any path: clients get configured with odd URLs, and the engine reads the URL.
            return .sync(contentType: contentType)
        case .GET, .HEAD:
            switch head.path {
            case "/", "/sync": return .answer(.infoPage(syncURL: syncURL))
            default: return .answer(.plainText(404, "not found: SyncML clients POST to \(syncURL)"))
            }
        default:
            var answer = HTTPAnswer.plainText(405, "method \(head.method.rawValue) not allowed: SyncML clients POST to \(syncURL)")
            answer.extraHeaders = [("Allow", "GET, HEAD, POST")]
            return .answer(answer)
        }
    }

    static func authority(_ head: HTTPRequestHead, fallback: String) -> String {
        guard let host = head.headers.first(name: "host"), isPlausibleAuthority(host) else { return fallback }
        return host
    }

    /// A Host value that cannot change the URL's shape: no path, query, user info or whitespace.
    static func isPlausibleAuthority(_ host: String) -> Bool {
        !host.isEmpty && host.utf8.count <= 255
            && host.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !"/?#@\\".unicodeScalars.contains($0) }
    }
}

/// What a listener serves besides `/health` (which every listener answers).
struct Routes: Equatable {
    /// SyncML posts and the info page: the sync listener.
    var sync: Bool
    /// `GET /metrics`.
    var metrics: Bool

    /// A sync listener without metrics.
    static let sync = Routes(sync: true, metrics: false)
}

/// The endpoints for operators.
enum OperationsRoute: Equatable {
    case health, metrics
}

/// How the server names itself in the URLs it hands out: the URL the engine
/// gets with each request (RespURI is built from it, so it must be one the
/// client can reach) and the sync URL the info page shows.
struct ServerAddressing: Sendable {
    /// `https` on a TLS listener, so a client is never sent back to plain HTTP.
    var scheme: String
    /// Behind a reverse proxy: replaces scheme, host and path.
    var publicURL: PublicURL?

    /// The absolute URL of a request: the public URL plus the request's query,
    /// or scheme + the client's Host header (else the local address) + the request target.
    func requestURL(_ head: HTTPRequestHead, fallbackAuthority: String) -> String {
        guard let publicURL else { return scheme + "://" + RequestTriage.authority(head, fallback: fallbackAuthority) + head.uri }
        let query = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).dropFirst().first
        return publicURL.description + (query.map { "?" + $0 } ?? "")
    }

    /// Where clients should post, as far as this request tells.
    func syncURL(_ head: HTTPRequestHead, fallbackAuthority: String) -> String {
        publicURL?.description ?? scheme + "://" + RequestTriage.authority(head, fallback: fallbackAuthority) + "/sync"
    }
}

/// The two SyncML media types (OMA SyncML HTTP binding 1.2, section 5.2).
enum SyncMLMediaType {
    static let wbxml = "application/vnd.syncml+wbxml"
    static let xml = "application/vnd.syncml+xml"

    /// True for either type, whatever its case and parameters (`; charset=UTF-8`).
    static func accepts(_ contentType: String) -> Bool {
        let essence = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let type = essence.trimmingSpaces.lowercased()
        return type == wbxml || type == xml
    }
}

/// A response the transport writes itself (the engine's replies and its own rejections).
struct HTTPAnswer: Equatable {
    var status: Int
    var contentType: String
    var body: [UInt8]
    var extraHeaders: [(String, String)] = []

    init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    init(_ reply: SyncReply) {
        self.init(status: reply.httpStatus, contentType: reply.contentType, body: reply.body)
    }

    static func plainText(_ status: Int, _ text: String) -> HTTPAnswer {
        HTTPAnswer(SyncReply.plainText(status, text))
    }

    /// What a browser pointed at the server sees.
    static func infoPage(syncURL: String) -> HTTPAnswer {
        plainText(200, """
            This is a SyncML (OMA DS 1.2) server (swift-syncml).
            Point a SyncML client at \(syncURL)
            (SyncEvolution: syncURL = \(syncURL), with a user added by `syncml user add`).
            Messages are POSTed as \(SyncMLMediaType.wbxml) or \(SyncMLMediaType.xml).
            """)
    }

    static func == (lhs: HTTPAnswer, rhs: HTTPAnswer) -> Bool {
        lhs.status == rhs.status && lhs.contentType == rhs.contentType && lhs.body == rhs.body
            && lhs.extraHeaders.elementsEqual(rhs.extraHeaders, by: ==)
    }
}

extension HTTPRequestHead {
    /// The request target without its query.
    var path: Substring {
        uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    }

    /// `Content-Length` when present and a number.
    var declaredContentLength: Int? {
        headers.first(name: "content-length").flatMap { Int($0.trimmingSpaces) }
    }

    /// The client waits for `100 Continue` before sending the body (curl does for large bodies).
    var expectsContinue: Bool {
        headers["expect"].contains { $0.trimmingSpaces.lowercased() == "100-continue" }
    }
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        let view = Substring(self)
        guard let start = view.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let end = view.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return view[start...end]
    }
}
