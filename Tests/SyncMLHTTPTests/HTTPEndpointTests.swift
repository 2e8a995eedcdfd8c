@testable import SyncMLHTTP
import Testing

@Suite("HTTPEndpoint")
struct HTTPEndpointTests {
    @Test("splits a URL into scheme, host, port and the target sent on the request line", arguments: [
        ("http://127.0.0.1:8080/sync", false, "127.0.0.1", 8080, "/sync", "127.0.0.1:8080"),
        ("http://Sync.Example.org/funambol/ds?sessionid=7", false, "Sync.Example.org", 80, "/funambol/ds?sessionid=7", "Sync.Example.org:80"),
        ("HTTP://host", false, "host", 80, "/", "host:80"),
        ("http://host?x=1#frag", false, "host", 80, "/?x=1", "host:80"),
        ("http://user:pw@host:81/a", false, "host", 81, "/a", "host:81"),
        ("http://[::1]:9000/sync", false, "::1", 9000, "/sync", "[::1]:9000"),
        ("  http://host/sync\n", false, "host", 80, "/sync", "host:80"),
        ("https://sync.example.org/sync", true, "sync.example.org", 443, "/sync", "sync.example.org:443"),
        ("HTTPS://127.0.0.1:8443/sync?sessionid=3", true, "127.0.0.1", 8443, "/sync?sessionid=3", "127.0.0.1:8443"),
    ])
    func parses(url: String, secure: Bool, host: String, port: Int, target: String, authority: String) throws {
        let endpoint = try HTTPEndpoint(parsing: url)
        #expect(endpoint.secure == secure)
        #expect(endpoint.host == host)
        #expect(endpoint.port == port)
        #expect(endpoint.target == target)
        #expect(endpoint.authority == authority)
    }

    @Test("the URL handed to the HTTP library keeps only scheme, authority and target (no credentials, no fragment)")
    func libraryURL() throws {
        #expect(try HTTPEndpoint(parsing: "https://user:pw@[::1]:8443/a?b=1#c").url == "https://[::1]:8443/a?b=1")
        #expect(try HTTPEndpoint(parsing: "http://host").url == "http://host:80/")
    }
}
