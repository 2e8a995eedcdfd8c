import NIOHTTP1
@testable import SyncMLServer
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
            #expect(RequestTriage.decide(head(.POST, path, [("Content-Type", type)]), maxBodySize: 100, authority: "h") == .sync(contentType: type))
        }
    }

    @Test("an announced length over the limit is refused before the content type is looked at")
    func tooLarge() {
        #expect(RequestTriage.decide(head(.POST, "/sync", [("Content-Length", "101")]), maxBodySize: 100, authority: "h") == .tooLarge)
        #expect(RequestTriage.decide(head(.POST, "/sync", [("Content-Type", "application/vnd.syncml+xml"), ("Content-Length", "100")]), maxBodySize: 100, authority: "h")
            == .sync(contentType: "application/vnd.syncml+xml"))
    }

    @Test("GET and HEAD on / and /sync are the info page naming the authority; other GETs 404; other methods 405")
    func otherMethods() {
        #expect(RequestTriage.decide(head(.GET, "/sync?x"), maxBodySize: 100, authority: "example.org:80") == .answer(.infoPage(authority: "example.org:80")))
        #expect(RequestTriage.decide(head(.HEAD, "/"), maxBodySize: 100, authority: "h") == .answer(.infoPage(authority: "h")))
        guard case .answer(let missing) = RequestTriage.decide(head(.GET, "/other"), maxBodySize: 100, authority: "h") else { Issue.record(); return }
        #expect(missing.status == 404)
        guard case .answer(let put) = RequestTriage.decide(head(.PUT, "/sync"), maxBodySize: 100, authority: "h") else { Issue.record(); return }
        #expect(put.status == 405)
    }

    @Test("the engine's URL is http:// + Host + request target; a missing or malformed Host falls back to the local address")
    func requestURL() {
        #expect(RequestTriage.requestURL(head(.POST, "/sync?sessionid=7", [("Host", "phone.example:8080")]), fallbackAuthority: "127.0.0.1:1")
            == "http://phone.example:8080/sync?sessionid=7")
        #expect(RequestTriage.requestURL(head(.POST, "/sync"), fallbackAuthority: "127.0.0.1:1") == "http://127.0.0.1:1/sync")
        for host in ["", "evil/path", "a b", "user@host", "x?y"] {
            #expect(RequestTriage.requestURL(head(.POST, "/s", [("Host", host)]), fallbackAuthority: "[::1]:9") == "http://[::1]:9/s", "\(host)")
        }
    }
}
