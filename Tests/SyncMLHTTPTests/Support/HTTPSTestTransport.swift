import NIOConcurrencyHelpers
import SyncMLClient

/// A client transport for the HTTPS tests (the client library speaks plain
/// HTTP): each message is one POST on a fresh `RawHTTPConnection` over TLS,
/// trusting only the test CA. It records every URL it was asked to post to,
/// so a test sees where the server's RespURI sent the client.
final class HTTPSTestTransport: SyncTransport {
    private let authority: String
    private let urls = NIOLockedValueBox<[String]>([])

    /// The URLs posted to, in order.
    var postedTo: [String] { urls.withLockedValue { $0 } }

    init(trusting authority: String) {
        self.authority = authority
    }

    func send(_ body: [UInt8], contentType: String, to url: String) async throws -> TransportReply {
        urls.withLockedValue { $0.append(url) }
        // https://127.0.0.1:PORT/TARGET
        guard url.hasPrefix("https://127.0.0.1:") else { throw HTTPSTestFailure(description: "not an https URL on 127.0.0.1: \(url)") }
        let rest = url.dropFirst("https://127.0.0.1:".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let port = Int(rest[..<slash]) else { throw HTTPSTestFailure(description: "no port in \(url)") }
        let target = rest[slash...].isEmpty ? "/" : String(rest[slash...])
        return try await RawHTTPConnection.with(port: port, trusting: authority) { connection in
            try await connection.send("POST", target, host: "127.0.0.1:\(port)", headers: ["Content-Type: \(contentType)"], body: body)
            let response = try await connection.response()
            return TransportReply(body: response.body, contentType: response.headers["content-type"] ?? "", status: response.status)
        }
    }
}

struct HTTPSTestFailure: Error, CustomStringConvertible {
    var description: String
}
