import NIOHTTP1
@testable import SyncMLHTTP
import Testing

private func head(_ method: HTTPMethod, _ uri: String, _ headers: [(String, String)] = []) -> HTTPRequestHead {
    HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: HTTPHeaders(headers))
}

@Suite("Request triage: what the server does with a request head")
struct RequestTriageTests {
    @Test("both SyncML media types are accepted in any case, with parameters; nothing else is")
    func mediaTypes() {
        for type in ["application/vnd.syncml+wbxml", "application/vnd.syncml+xml", "APPLICATION/VND.SYNCML+WBXML",
                     "application/vnd.syncml+xml; charset=UTF-8", " application/vnd.syncml+xml ;charset=utf-8"] {
            #expect(SyncMLMediaType.accepts(type), "\(type)")
        }
        for type in ["", "text/plain", "application/vnd.syncml", "application/vnd.syncml+wbxml2", "application/xml; x=application/vnd.syncml+xml"] {
            #expect(!SyncMLMediaType.accepts(type), "\(type)")
        }
    }

    @Test("a POST with a SyncML type goes to the engine whatever its path; its content type is passed on as sent")
    func postGoesToTheEngine() {
        let type = "application/vnd.syncml+xml; charset=UTF-8"
        for path in ["/sync", "/", "/funambol/ds", "/sync?sessionid=42"] {
            #expect(RequestTriage.decide(head(.POST, path, [("Content-Type", type)]), maxBodySize: 100, syncURL: "http://h/sync") == .sync(contentType: type))
        }
    }

    @Test("an announced length over the limit is refused before the content type is looked at")
    func tooLarge() {
        #expect(RequestTriage.decide(head(.POST, "/sync", [("Content-Length", "101")]), maxBodySize: 100, syncURL: "http://h/sync") == .tooLarge)
        #expect(RequestTriage.decide(head(.POST, "/sync", [("Content-Type", "application/vnd.syncml+xml"), ("Content-Length", "100")]), maxBodySize: 100, syncURL: "http://h/sync")
            == .sync(contentType: "application/vnd.syncml+xml"))
    }

    @Test("GET and HEAD on / and /sync are the info page naming the sync URL; other GETs 404; other methods 405")
    func otherMethods() {
        #expect(RequestTriage.decide(head(.GET, "/sync?x"), maxBodySize: 100, syncURL: "https://example.org/sync")
            == .answer(.infoPage(syncURL: "https://example.org/sync")))
        #expect(RequestTriage.decide(head(.HEAD, "/"), maxBodySize: 100, syncURL: "http://h/sync") == .answer(.infoPage(syncURL: "http://h/sync")))
        guard case .answer(let missing) = RequestTriage.decide(head(.GET, "/other"), maxBodySize: 100, syncURL: "http://h/sync") else { Issue.record(); return }
        #expect(missing.status == 404)
        guard case .answer(let put) = RequestTriage.decide(head(.PUT, "/sync"), maxBodySize: 100, syncURL: "http://h/sync") else { Issue.record(); return }
        #expect(put.status == 405)
    }

    @Test("the engine's URL is the listener's scheme + Host + request target; a missing or malformed Host falls back to the local address")
    func requestURL() {
        let plain = ServerAddressing(scheme: "http"), tls = ServerAddressing(scheme: "https")
        #expect(plain.requestURL(head(.POST, "/sync?sessionid=7", [("Host", "phone.example:8080")]), fallbackAuthority: "127.0.0.1:1")
            == "http://phone.example:8080/sync?sessionid=7")
        #expect(tls.requestURL(head(.POST, "/sync?sessionid=7", [("Host", "phone.example:8443")]), fallbackAuthority: "127.0.0.1:1")
            == "https://phone.example:8443/sync?sessionid=7", "a TLS listener never sends a client back to plain HTTP")
        #expect(plain.requestURL(head(.POST, "/sync"), fallbackAuthority: "127.0.0.1:1") == "http://127.0.0.1:1/sync")
        for host in ["", "evil/path", "a b", "user@host", "x?y"] {
            #expect(plain.requestURL(head(.POST, "/s", [("Host", host)]), fallbackAuthority: "[::1]:9") == "http://[::1]:9/s", "\(host)")
        }
    }

    @Test("behind a proxy the public URL replaces scheme, host and path; the query (the session token) is kept; forwarded headers are ignored")
    func publicURL() throws {
        guard let parsed = PublicURL("https://sync.example.org/syncml/") else {
            Issue.record("a valid public URL was refused")
            return
        }
        let addressing = ServerAddressing(scheme: "http", publicURL: parsed)
        let forwarded: [(String, String)] = [("Host", "127.0.0.1:8080"), ("X-Forwarded-Proto", "http"), ("X-Forwarded-Host", "evil.example")]
        #expect(addressing.requestURL(head(.POST, "/sync?sessionid=ab12", forwarded), fallbackAuthority: "127.0.0.1:8080")
            == "https://sync.example.org/syncml/?sessionid=ab12")
        #expect(addressing.requestURL(head(.POST, "/anything", forwarded), fallbackAuthority: "127.0.0.1:8080")
            == "https://sync.example.org/syncml/")
        #expect(addressing.syncURL(head(.GET, "/", forwarded), fallbackAuthority: "127.0.0.1:8080") == "https://sync.example.org/syncml/")
    }

    @Test("a public URL is an absolute http or https URL with a host and without user info, query or fragment")
    func publicURLParsing() {
        #expect(PublicURL("https://sync.example.org/sync")?.description == "https://sync.example.org/sync")
        #expect(PublicURL("HTTPS://sync.example.org:8443")?.description == "https://sync.example.org:8443/", "no path is /")
        #expect(PublicURL("http://[2001:db8::1]:8080/sync")?.authority == "[2001:db8::1]:8080")
        for text in ["sync.example.org/sync", "ftp://sync.example.org/", "https:///sync", "https://user@host/sync",
                     "https://host/sync?x=1", "https://host/sync#top", "https://host/a b", "https://ho st/", ""] {
            #expect(PublicURL(text) == nil, "\(text)")
        }
    }
}
