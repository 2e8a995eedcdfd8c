import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A running `syncml serve`, its standard output read line by line.
final class ServeProcess {
    let process = Process()
    private let output = Pipe(), error = Pipe()
    private var buffered: [UInt8] = []

    init(_ cli: CLI, _ arguments: [String]) throws {
        guard let executable = CLI.executable else { throw CLIError(message: "syncml is not built next to the tests") }
        process.executableURL = executable
        process.arguments = ["serve"] + arguments
        process.currentDirectoryURL = cli.directory
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// The next line of standard output, nil at its end (the process exited).
    func line() -> String? {
        while true {
            if let newline = buffered.firstIndex(of: 0x0A) {
                defer { buffered.removeFirst(newline + 1) }
                return String(decoding: buffered[..<newline], as: UTF8.self)
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffered += chunk
        }
    }

    /// The port of the first line, `listening on http://127.0.0.1:PORT/sync` (`https` with TLS).
    func listeningPort(scheme: String = "http") throws -> Int {
        let first = try #require(line())
        let prefix = "listening on \(scheme)://127.0.0.1:", suffix = "/sync"
        #expect(first.hasPrefix(prefix) && first.hasSuffix(suffix), "\(first)")
        return try #require(Int(first.dropFirst(prefix.count).dropLast(suffix.count)))
    }

    /// Sends `signal`, waits for the exit; the status and what was written to standard error.
    func stop(_ signal: Int32 = SIGTERM) -> (status: Int32, error: String) {
        kill(process.processIdentifier, signal)
        return finish()
    }

    func finish() -> (status: Int32, error: String) {
        let errorText = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, errorText)
    }
}

/// One blocking HTTP/1.0 GET over loopback (the server is another process): the whole response.
func httpGet(port: Int, path: String) throws -> String {
    try exchange(port: port, sending: "GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
}

/// A blocking TCP connection to 127.0.0.1:port, closed when the value is dropped.
final class LoopbackSocket {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw CLIError(message: "socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw CLIError(message: "connect: \(errno)")
        }
    }

    deinit { close(descriptor) }

    /// Ends the connection now (the descriptor is closed when the value goes).
    func disconnect() { shutdown(descriptor, Int32(SHUT_RDWR)) }

    /// Sends `text` and returns what the first read brings (empty when the server closed).
    func firstAnswer(to text: String) throws -> String {
        let request = Array(text.utf8)
        guard send(descriptor, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return "" }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &chunk, chunk.count, 0)
        return count > 0 ? String(decoding: chunk[..<count], as: UTF8.self) : ""
    }
}

/// `attempt` until it returns a value, at most 200 times 20 ms apart; nil if it never did.
func retrying<T>(_ attempt: () throws -> T?) throws -> T? {
    for _ in 0..<200 {
        if let value = try attempt() { return value }
        usleep(20_000)
    }
    return nil
}

/// Connects, sends `text` and reads until the server closes: everything it answered
/// (empty when it closed without a word).
func exchange(port: Int, sending text: String) throws -> String {
    let connection = try LoopbackSocket(port: port)
    let socket = connection.descriptor
    let request = Array(text.utf8)
    guard send(socket, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return "" }
    var response: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = recv(socket, &chunk, chunk.count, 0)
        guard count > 0 else { break }
        response += chunk[..<count]
    }
    return String(decoding: response, as: UTF8.self)
}

@Suite("syncml serve")
struct ServeCommandTests {
    @Test("prints the listening line with the bound port and how to add a user, serves, and exits 0 on SIGTERM")
    func servesUntilTerminated() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let server = try ServeProcess(cli, ["--db", cli.path("serve.sqlite"), "--port", "0"])
        let port = try server.listeningPort()
        #expect(port > 0)
        let help = try #require(server.line())
        #expect(help.contains("syncml user add --db \(cli.path("serve.sqlite")) NAME"), "a fresh store has no users")

        let page = try httpGet(port: port, path: "/sync")
        #expect(page.hasPrefix("HTTP/1.0 200"), "\(page)")
        #expect(page.contains("http://127.0.0.1:\(port)/sync"))

        let stopped = server.stop()
        #expect(stopped.status == 0, "\(stopped.error)")
        #expect(FileManager.default.fileExists(atPath: cli.path("serve.sqlite")))
    }

    @Test("with a user in the store there is no hint to add one; SIGINT stops it too")
    func knownUsers() throws {
        let cli = try CLI()
        defer { cli.remove() }
        #expect(try cli.run(["user", "add", "test"], input: "secret\n").status == 0)
        let server = try ServeProcess(cli, ["--port", "0", "--conflict", "server-wins"])
        _ = try server.listeningPort()
        let help = try #require(server.line())
        #expect(!help.contains("user add"))
        #expect(help.contains("point a SyncML client at"))
        #expect(server.stop(SIGINT).status == 0)
    }

    @Test("a port in use is one line on standard error and exit status 1")
    func portInUse() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let first = try ServeProcess(cli, ["--db", cli.path("a.sqlite"), "--port", "0"])
        let port = try first.listeningPort()

        let second = try ServeProcess(cli, ["--db", cli.path("b.sqlite"), "--port", "\(port)"])
        #expect(second.line() == nil)
        let failed = second.finish()
        #expect(failed.status == 1)
        #expect(failed.error == "syncml: cannot listen on 127.0.0.1:\(port): address already in use\n")

        #expect(first.stop().status == 0)
    }

    @Test("unknown option values are refused before anything starts")
    func badOptions() throws {
        let cli = try CLI()
        defer { cli.remove() }
        for arguments in [["--conflict", "coin-toss"], ["--log-level", "loud"], ["--port", "70000"], ["--max-body", "0"]] {
            let result = try cli.run(["serve", "--port", "0"] + arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.output.isEmpty)
        }
    }

    @Test("zero or negative limits, half a TLS setting and a malformed public URL are refused with a one-line error")
    func badLimits() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let cases: [([String], String)] = [
            (["--max-connections", "0"], "--max-connections must be positive"),
            (["--request-timeout", "0"], "--request-timeout must be positive"),
            (["--idle-timeout=-5"], "--idle-timeout must be positive"),
            (["--max-body-size", "0"], "--max-body-size must be positive"),
            (["--tls-cert", "cert.pem"], "--tls-cert and --tls-key go together"),
            (["--tls-key", "key.pem"], "--tls-cert and --tls-key go together"),
            (["--public-url", "ftp://sync.example.org/sync"], "--public-url must be an http:// or https:// URL"),
            (["--public-url", "https://sync.example.org/sync?x=1"], "--public-url must be an http:// or https:// URL"),
        ]
        for (arguments, message) in cases {
            let result = try cli.run(["serve", "--db", cli.path("limits.sqlite"), "--port", "0"] + arguments)
            #expect(result.status == 64, "\(arguments): \(result.status) \(result.error)")
            #expect(result.output.isEmpty)
            #expect(result.error.hasPrefix("Error: \(message)"), "\(arguments): \(result.error)")
        }
    }

    @Test("--request-timeout and --max-connections reach the server: a slow request gets 408, a connection over the cap is closed")
    func limitsApply() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let server = try ServeProcess(cli, ["--db", cli.path("limits.sqlite"), "--port", "0", "--request-timeout", "1", "--max-connections", "1"])
        let port = try server.listeningPort()

        // A head that never ends: answered 408 once the second has passed.
        let slow = try exchange(port: port, sending: "POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        #expect(slow.hasPrefix("HTTP/1.1 408 "), "\(slow)")

        // A keep-alive connection the server answered is held open; the next one is refused.
        // (Slots free when the server has closed a connection, just after the client sees it: hence the retries.)
        let held = try retrying { () -> LoopbackSocket? in
            let socket = try LoopbackSocket(port: port)
            return try socket.firstAnswer(to: "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").hasPrefix("HTTP/1.1 200") ? socket : nil
        }
        #expect(held != nil, "a connection is served when none is open")
        #expect(try exchange(port: port, sending: "GET / HTTP/1.0\r\n\r\n").isEmpty, "one connection is open: the next is closed unanswered")
        held?.disconnect()
        let page = try retrying { () -> String? in
            let page = try httpGet(port: port, path: "/")
            return page.hasPrefix("HTTP/1.0 200") ? page : nil
        }
        #expect(page != nil, "served again once the held connection closed")
        #expect(server.stop().status == 0)
    }

    @Test("--public-url is what clients are told to use; the listening line still names the socket")
    func publicURL() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let server = try ServeProcess(cli, ["--db", cli.path("proxy.sqlite"), "--port", "0", "--public-url", "https://sync.example.org/sync"])
        let port = try server.listeningPort()
        _ = try #require(server.line())  // no users yet
        let help = try #require(server.line())
        #expect(help.hasPrefix("point a SyncML client at https://sync.example.org/sync "), "\(help)")
        let page = try httpGet(port: port, path: "/sync")
        #expect(page.contains("Point a SyncML client at https://sync.example.org/sync"), "\(page)")
        #expect(server.stop().status == 0)
    }
}

@Suite("syncml serve over HTTPS", .enabled(if: TestCertificates.available))
struct ServeTLSCommandTests {
    @Test("with --tls-cert and --tls-key it listens on https://, and plain HTTP there gets no answer")
    func servesHTTPS() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try ServeProcess(cli, ["--db", cli.path("tls.sqlite"), "--port", "0",
                                            "--tls-cert", certificates.chain, "--tls-key", certificates.privateKey])
        let port = try server.listeningPort(scheme: "https")
        _ = try #require(server.line())
        let help = try #require(server.line())
        #expect(help.contains("syncURL = https://127.0.0.1:\(port)/sync"), "\(help)")
        #expect(!(try httpGet(port: port, path: "/sync")).contains("HTTP/1."), "no plain-HTTP answer on the TLS port")
        #expect(server.stop().status == 0)
    }

    @Test("a missing or mismatched key is one line on standard error and exit 1, before listening")
    func badCertificateFiles() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let missing = certificates.directory.appendingPathComponent("missing.key").path
        let cases = [
            (missing, "syncml: TLS private key \(missing): no such file or directory\n"),
            (certificates.unrelatedKey,
             "syncml: TLS private key \(certificates.unrelatedKey): does not match the certificate in \(certificates.chain)\n"),
        ]
        for (key, message) in cases {
            let result = try cli.run(["serve", "--db", cli.path("tls.sqlite"), "--port", "0", "--tls-cert", certificates.chain, "--tls-key", key])
            #expect(result.status == 1)
            #expect(result.output.isEmpty, "nothing listened")
            #expect(result.error == message)
        }
    }
}
