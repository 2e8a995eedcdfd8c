import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A stand-in for an OpenTelemetry collector on 127.0.0.1: it takes HTTP POSTs
/// (one per connection, answered `200` with an empty protobuf body, as a real
/// collector answers a full success) and keeps each one's path and body.
///
/// It serves on a thread of its own, so no thread of the cooperative pool waits
/// on a socket; the test polls `requests`.
final class FakeCollector: @unchecked Sendable {
    struct Request {
        var path: String
        var body: [UInt8]

        /// Whether `text` occurs in the body as plain bytes (OTLP protobuf keeps strings as UTF-8).
        func contains(_ text: String) -> Bool {
            let needle = Array(text.utf8)
            guard needle.count <= body.count else { return false }
            return (0...(body.count - needle.count)).contains { body[$0..<($0 + needle.count)].elementsEqual(needle) }
        }
    }

    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var received: [Request] = []
    private var stopping = false

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw CLIError(message: "socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw CLIError(message: "cannot listen on 127.0.0.1: \(errno)")
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in serve() }
    }

    /// The POSTs received so far.
    var requests: [Request] { lock.withLock { received } }

    /// Stops serving within a poll interval; the socket is closed by the serving thread.
    func stop() { lock.withLock { stopping = true } }

    private func serve() {
        while !lock.withLock({ stopping }) {
            var ready = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 50) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            if let request = Self.readRequest(connection) {
                lock.withLock { received.append(request) }
                let answer = Array("HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
                _ = send(connection, answer, answer.count, Int32(MSG_NOSIGNAL))
            }
            close(connection)
        }
        close(listener)
    }

    /// One request with a `Content-Length` body; nil when the client goes silent (5 s) or sends something else.
    private static func readRequest(_ connection: Int32) -> Request? {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        func more() -> Bool {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return false }
            bytes += chunk[..<count]
            return true
        }
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            guard more() else { return nil }
            headEnd = bytes.indices.dropLast(3).first { bytes[$0..<($0 + 4)].elementsEqual(separator) }
        }
        let head = String(decoding: bytes[..<headEnd!], as: UTF8.self).split(separator: "\r\n")
        let requestLine = head.first?.split(separator: " ") ?? []
        guard requestLine.count >= 2, requestLine[0] == "POST" else { return nil }
        let length = head.dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first
        guard let length else { return nil }
        let bodyStart = headEnd! + 4
        while bytes.count < bodyStart + length {
            guard more() else { return nil }
        }
        return Request(path: String(requestLine[1]), body: Array(bytes[bodyStart..<(bodyStart + length)]))
    }
}
