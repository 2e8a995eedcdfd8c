@testable import SyncMLClient
import Testing

@Suite("HTTPEndpoint")
struct HTTPEndpointTests {
    @Test("splits a URL into host, port and the target sent on the request line", arguments: [
        ("http://127.0.0.1:8080/sync", "127.0.0.1", 8080, "/sync", "127.0.0.1:8080"),
        ("http://Sync.Example.org/funambol/ds?sessionid=7", "Sync.Example.org", 80, "/funambol/ds?sessionid=7", "Sync.Example.org:80"),
        ("HTTP://host", "host", 80, "/", "host:80"),
        ("http://host?x=1#frag", "host", 80, "/?x=1", "host:80"),
        ("http://user:pw@host:81/a", "host", 81, "/a", "host:81"),
        ("http://[::1]:9000/sync", "::1", 9000, "/sync", "[::1]:9000"),
        ("  http://host/sync\n", "host", 80, "/sync", "host:80"),
    ])
    func parses(url: String, host: String, port: Int, target: String, authority: String) throws {
        let endpoint = try HTTPEndpoint(parsing: url)
        #expect(endpoint.host == host)
        #expect(endpoint.port == port)
        #expect(endpoint.target == target)
        #expect(endpoint.authority == authority)
    }
}
