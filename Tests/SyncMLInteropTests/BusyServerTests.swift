import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension InteropTests {
    @Suite("A busy server: the body budget spent")
    struct BusyServer {
        @Test("a first message answered 503 while anonymous bodies hold their share fails SyncEvolution's sync cleanly: nothing stored, and the next sync succeeds")
        func refusedFirstMessage() async throws {
            try await InteropWorkspace.with { workspace in
                // Anonymous requests may hold half the budget, 64 KiB here: one request announcing 64 KiB takes it whole.
                let server = try await workspace.startServer(options: ["--max-body-size", "65536", "--max-body-in-flight", "131072"])
                let client = try await workspace.client("first", of: server)
                try Samples.fill(client)
                let hog = try HeldRequest(to: server.url, announcing: 65_536)
                defer { hog.close() }
                try await HeldRequest.waitForBodyBytes(65_536, at: server.url)

                let refused = try await client.sync(.slow)
                #expect(refused.exitCode != 0, "\(refused)")
                #expect(refused.exitCode != 139, "\(refused)")
                // SyncEvolution 2.0.0 names no status; it calls the reply "unexpected", "might be a temporary
                // problem, try again later", and does not resend a session's first message.
                #expect(refused.output.contains("temporary problem"), "\(refused)")
                #expect(try await server.records(of: .alice).values.allSatisfy(\.isEmpty), "nothing reached the store")

                hog.close()
                try await requireSuccess(client.sync(.slow), server)
                #expect(try await server.titles(of: .alice, in: .addressbook) == Samples.titles(.addressbook))
            }
        }
    }
}

/// A POST that announces a body and sends one byte of it, then waits: what a slow
/// (or hostile) anonymous sender does, holding the server's first grant for its body.
final class HeldRequest: @unchecked Sendable {
    private var descriptor: Int32

    init(to url: String, announcing length: Int) throws {
        let (descriptor, host, path) = try Self.connected(to: url)
        self.descriptor = descriptor
        try send("POST \(path) HTTP/1.1\r\nHost: \(host)\r\nContent-Type: application/vnd.syncml+xml\r\nContent-Length: \(length)\r\n\r\n<")
    }

    /// Waits until the server's `syncml_http_body_bytes_in_flight` (its `/metrics`, on the
    /// sync listener by default) says at least `bytes`: the held request was granted its room.
    static func waitForBodyBytes(_ bytes: Int, at url: String) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        var last = ""
        while ContinuousClock.now < deadline {
            let metrics = try get(url.replacingOccurrences(of: "/sync", with: "/metrics"))
            last = metrics.split(separator: "\n").first { $0.hasPrefix("syncml_http_body_bytes_in_flight ") }.map(String.init) ?? ""
            if let value = Double(last.split(separator: " ").last ?? ""), value >= Double(bytes) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Subprocess.Failure(description: "the server never held \(bytes) body bytes (last: \(last))")
    }

    /// A GET's whole answer (HTTP/1.0: the server closes after it).
    private static func get(_ url: String) throws -> String {
        let (descriptor, host, path) = try connected(to: url)
        let request = HeldRequest(descriptor: descriptor)
        defer { request.close() }
        try request.send("GET \(path) HTTP/1.0\r\nHost: \(host)\r\n\r\n")
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            answer += chunk[..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    private init(descriptor: Int32) { self.descriptor = descriptor }

    /// A socket connected to `url`'s host and port, with the host and path to ask for.
    private static func connected(to url: String) throws -> (descriptor: Int32, host: String, path: String) {
        guard let components = URLComponents(string: url), let host = components.host, let port = components.port else {
            throw Subprocess.Failure(description: "not a URL with host and port: \(url)")
        }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Subprocess.Failure(description: "socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            _ = Glibc.close(descriptor)
            throw Subprocess.Failure(description: "cannot connect to \(url): errno \(errno)")
        }
        return (descriptor, host, components.path)
    }

    private func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            close()
            throw Subprocess.Failure(description: "cannot send: errno \(errno)")
        }
    }

    /// Drops the connection (the server gives its bytes back); closing twice is harmless.
    func close() {
        guard descriptor >= 0 else { return }
        _ = Glibc.close(descriptor)
        descriptor = -1
    }

    deinit { close() }
}
