import Foundation
import Logging
import SyncMLServer
import SyncMLHTTP
import SyncMLStore

#if canImport(Glibc)
import Glibc
#endif

/// A loopback HTTP server that misbehaves on purpose: it reads each request
/// and then answers with canned bytes, stays silent, or hangs up. Plain
/// sockets and threads, so the transport meets bytes no NIO encoder chose.
final class CannedHTTPServer: @unchecked Sendable {
    enum Behaviour: Sendable {
        /// Writes these bytes after each request.
        case answer(String)
        /// Writes these bytes after each request, then closes the connection.
        case answerAndClose(String)
        /// Reads requests and never answers.
        case silence
        /// Closes the connection as soon as a request has arrived.
        case hangUp
        /// Answers the first request of each connection with these bytes and keeps
        /// the connection open, then closes it when a second request arrives on it
        /// without answering: a server dropping a kept-alive connection as the
        /// client's next message left.
        case answerOnceThenHangUp(String)
    }

    let port: Int
    private let listener: Int32
    private let behaviour: Behaviour
    private let lock = NSLock()
    private var accepted = 0
    private var open: [Int32] = []

    /// Connections accepted so far.
    var connections: Int { lock.withLock { accepted } }

    init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        (listener, port) = try LoopbackSocket.listen()
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Stops listening and ends every connection. Only the threads that own a
    /// descriptor close it: a descriptor closed here could be reused by another
    /// test's socket before a thread touches it again.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        lock.withLock { open.forEach { shutdown($0, Int32(SHUT_RDWR)) } }
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                close(listener)
                return
            }
            lock.withLock {
                accepted += 1
                open.append(connection)
            }
            Thread.detachNewThread { [self] in serve(connection) }
        }
    }

    private func serve(_ connection: Int32) {
        defer {
            lock.withLock { open.removeAll { $0 == connection } }
            close(connection)
        }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var answered = 0
        while true {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return }
            pending += chunk[..<count]
            while let length = Self.requestLength(pending) {
                pending.removeFirst(length)
                switch behaviour {
                case .answer(let text):
                    _ = send(connection, Array(text.utf8), text.utf8.count, Int32(MSG_NOSIGNAL))
                case .answerAndClose(let text):
                    _ = send(connection, Array(text.utf8), text.utf8.count, Int32(MSG_NOSIGNAL))
                    return
                case .silence:
                    break
                case .hangUp:
                    return
                case .answerOnceThenHangUp(let text):
                    guard answered == 0 else { return }
                    _ = send(connection, Array(text.utf8), text.utf8.count, Int32(MSG_NOSIGNAL))
                }
                answered += 1
            }
        }
    }

    /// The length of the first complete request in `bytes` (head and Content-Length body), nil if incomplete.
    private static func requestLength(_ bytes: [UInt8]) -> Int? {
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        let total = end.upperBound + length
        return bytes.count >= total ? total : nil
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
