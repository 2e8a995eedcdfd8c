import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP `CONNECT` proxy on 127.0.0.1 (plain sockets and threads): it
/// reads the request head, records its first line, and either refuses with
/// 403 or connects to the target (loopback only) and relays bytes both ways
/// until one side closes. It never sees inside a TLS tunnel.
final class ConnectProxy: @unchecked Sendable {
    enum Behaviour: Sendable {
        case tunnel
        /// Answers `403 Forbidden` to every CONNECT.
        case refuse
    }

    let port: Int
    private let listener: Int32
    private let behaviour: Behaviour
    private let lock = NSLock()
    private var lines: [String] = []
    private var open: [Int32] = []

    /// The request lines received (`CONNECT 127.0.0.1:8443 HTTP/1.1`), in order.
    var requestLines: [String] { lock.withLock { lines } }
    var url: String { "http://127.0.0.1:\(port)" }

    init(_ behaviour: Behaviour = .tunnel) throws {
        self.behaviour = behaviour
        let (listener, port) = try LoopbackSocket.listen()
        self.listener = listener
        self.port = port
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Stops listening and ends every tunnel (each thread closes its own descriptors).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        lock.withLock { open.forEach { shutdown($0, Int32(SHUT_RDWR)) } }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                close(listener)
                return
            }
            track(client)
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    private func track(_ socket: Int32) { lock.withLock { open.append(socket) } }

    private func untrackAndClose(_ socket: Int32) {
        lock.withLock { open.removeAll { $0 == socket } }
        close(socket)
    }

    private func serve(_ client: Int32) {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while pending.firstRange(of: Array("\r\n\r\n".utf8)) == nil {
            let count = recv(client, &chunk, chunk.count, 0)
            guard count > 0 else { return untrackAndClose(client) }
            pending += chunk[..<count]
        }
        let end = pending.firstRange(of: Array("\r\n\r\n".utf8))!
        let head = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
        let line = String(head.split(separator: "\r\n").first ?? "")
        lock.withLock { lines.append(line) }
        let leftover = Array(pending[end.upperBound...])

        let parts = line.split(separator: " ")
        guard behaviour == .tunnel, parts.count == 3, parts[0] == "CONNECT", let target = Self.loopbackPort(parts[1]),
              let server = try? LoopbackSocket.connect(port: target) else {
            LoopbackSocket.write(client, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return untrackAndClose(client)
        }
        track(server)
        LoopbackSocket.write(client, "HTTP/1.1 200 Connection established\r\n\r\n")
        if !leftover.isEmpty { _ = send(server, leftover, leftover.count, Int32(MSG_NOSIGNAL)) }
        // This runs on the connection's own thread (never the cooperative pool the
        // tests run on), so blocking it until the other direction ends is harmless.
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            LoopbackSocket.pump(from: server, to: client)
            done.signal()
        }
        LoopbackSocket.pump(from: client, to: server)
        done.wait()
        untrackAndClose(server)
        untrackAndClose(client)
    }

    /// The port of `127.0.0.1:PORT` or `localhost:PORT`; nil for any other host (this proxy never leaves loopback).
    private static func loopbackPort(_ authority: Substring) -> Int? {
        guard let colon = authority.lastIndex(of: ":") else { return nil }
        let host = authority[..<colon]
        guard host == "127.0.0.1" || host == "localhost" else { return nil }
        return Int(authority[authority.index(after: colon)...])
    }
}

/// Blocking IPv4 loopback sockets for the test servers.
enum LoopbackSocket {
    /// A listening socket on 127.0.0.1 and its ephemeral port.
    static func listen() throws -> (socket: Int32, port: Int) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard listener >= 0, bound == 0, Glibc.listen(listener, 16) == 0 else { throw TestFailure("cannot listen: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        return (listener, Int(UInt16(bigEndian: address.sin_port)))
    }

    static func connect(port: Int) throws -> Int32 {
        let connection = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(connection, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connection >= 0, connected == 0 else {
            if connection >= 0 { close(connection) }
            throw TestFailure("cannot connect to 127.0.0.1:\(port): errno \(errno)")
        }
        return connection
    }

    static func write(_ socket: Int32, _ text: String) {
        _ = send(socket, Array(text.utf8), text.utf8.count, Int32(MSG_NOSIGNAL))
    }

    /// Copies bytes until `source` ends, then ends the writing half of `destination`.
    static func pump(from source: Int32, to destination: Int32) {
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = recv(source, &chunk, chunk.count, 0)
            guard count > 0, send(destination, chunk, count, Int32(MSG_NOSIGNAL)) == count else { break }
        }
        shutdown(destination, Int32(SHUT_WR))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
