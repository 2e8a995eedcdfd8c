import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A running `syncml serve`, its standard output read line by line.
///
/// Its output goes to files, polled while it runs, and its end is awaited
/// (`ProcessExit`): no thread of the cooperative pool is held while it serves.
final class ServeProcess {
    let process = Process()
    private let exit: ProcessExit
    private let output: OutputFile, error: OutputFile
    /// How many bytes of standard output `line()` has handed out.
    private var consumed = 0

    /// `environment` is added to the test's own.
    init(_ cli: CLI, _ arguments: [String], environment: [String: String] = [:]) throws {
        guard let executable = CLI.executable else { throw CLIError(message: "syncml is not built next to the tests") }
        process.executableURL = executable
        process.arguments = ["serve"] + arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.currentDirectoryURL = cli.directory
        output = try OutputFile()
        error = try OutputFile()
        process.standardOutput = output.handle
        process.standardError = error.handle
        process.standardInput = FileHandle.nullDevice
        exit = try process.start()
    }

    /// The next line of standard output, nil at its end (the process exited).
    func line() async -> String? {
        while true {
            let ended = exit.hasExited
            let bytes = output.data
            if consumed < bytes.count, let newline = bytes[consumed...].firstIndex(of: 0x0A) {
                defer { consumed = newline + 1 }
                return String(decoding: bytes[consumed..<newline], as: UTF8.self)
            }
            if ended { return nil }
            do { try await Task.sleep(for: .milliseconds(10)) } catch { return nil }
        }
    }

    /// The port of the first line, `listening on http://127.0.0.1:PORT/sync` (`https` with TLS).
    func listeningPort(scheme: String = "http") async throws -> Int {
        let first = try #require(await line())
        let prefix = "listening on \(scheme)://127.0.0.1:", suffix = "/sync"
        #expect(first.hasPrefix(prefix) && first.hasSuffix(suffix), "\(first)")
        return try #require(Int(first.dropFirst(prefix.count).dropLast(suffix.count)))
    }

    /// Sends `signal`, waits for the exit; the status and what was written to standard error.
    func stop(_ signal: Int32 = SIGTERM) async -> (status: Int32, error: String) {
        kill(process.processIdentifier, signal)
        return await finish()
    }

    func finish() async -> (status: Int32, error: String) {
        await exit.wait()
        return (process.terminationStatus, error.text)
    }

    /// SIGTERM without waiting for the exit: the clean-up in a `defer`, which cannot await.
    func terminate() {
        if !exit.hasExited { kill(process.processIdentifier, SIGTERM) }
    }
}

/// One HTTP/1.0 GET over loopback (the server is another process): the whole response.
func httpGet(port: Int, path: String) async throws -> String {
    try await exchange(port: port, sending: "GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
}

/// Runs blocking socket calls on a thread of their own, so that waiting for the
/// server never holds a thread of the cooperative pool the tests run on.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}

/// A blocking TCP connection to 127.0.0.1:port, closed when the value is dropped.
final class LoopbackSocket: Sendable {
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

    /// Sends `text` and returns what the first read brings (empty when the server closed);
    /// the blocking read runs on a thread of its own.
    func firstAnswer(to text: String) async throws -> String {
        try await onOwnThread { [self] in
            let request = Array(text.utf8)
            guard send(descriptor, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return "" }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = recv(descriptor, &chunk, chunk.count, 0)
            return count > 0 ? String(decoding: chunk[..<count], as: UTF8.self) : ""
        }
    }
}

/// `attempt` until it returns a value, at most 200 times 20 ms apart; nil if it never did.
func retrying<T>(_ attempt: () async throws -> T?) async throws -> T? {
    for _ in 0..<200 {
        if let value = try await attempt() { return value }
        try await Task.sleep(for: .milliseconds(20))
    }
    return nil
}

/// Connects, sends `text` and reads until the server closes: everything it answered
/// (empty when it closed without a word). The blocking calls run on a thread of their own.
func exchange(port: Int, sending text: String) async throws -> String {
    try await onOwnThread {
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
}

@Suite("syncml serve")
struct ServeCommandTests {
    @Test("prints the listening line with the bound port and how to add a user, serves, and exits 0 on SIGTERM")
    func servesUntilTerminated() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let server = try ServeProcess(cli, ["--db", cli.path("serve.sqlite"), "--port", "0"])
        let port = try await server.listeningPort()
        #expect(port > 0)
        let help = try await #require(server.line())
        #expect(help.contains("syncml user add --db \(cli.path("serve.sqlite")) NAME"), "a fresh store has no users")

        let page = try await httpGet(port: port, path: "/sync")
        #expect(page.hasPrefix("HTTP/1.0 200"), "\(page)")
        #expect(page.contains("http://127.0.0.1:\(port)/sync"))

        let stopped = await server.stop()
        #expect(stopped.status == 0, "\(stopped.error)")
        #expect(FileManager.default.fileExists(atPath: cli.path("serve.sqlite")))
    }

    @Test("with a user in the store there is no hint to add one; SIGINT stops it too")
    func knownUsers() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        #expect(try await cli.run(["user", "add", "test"], input: "secret\n").status == 0)
        let server = try ServeProcess(cli, ["--port", "0", "--conflict", "server-wins"])
        _ = try await server.listeningPort()
        let help = try await #require(server.line())
        #expect(!help.contains("user add"))
        #expect(help.contains("point a SyncML client at"))
        #expect(await server.stop(SIGINT).status == 0)
    }

    @Test("a port in use is one line on standard error and exit status 1")
    func portInUse() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let first = try ServeProcess(cli, ["--db", cli.path("a.sqlite"), "--port", "0"])
        let port = try await first.listeningPort()

        let second = try ServeProcess(cli, ["--db", cli.path("b.sqlite"), "--port", "\(port)"])
        #expect(await second.line() == nil)
        let failed = await second.finish()
        #expect(failed.status == 1)
        #expect(failed.error == "syncml: cannot listen on 127.0.0.1:\(port): address already in use\n")

        #expect(await first.stop().status == 0)
    }

    @Test("unknown option values are refused before anything starts")
    func badOptions() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        for arguments in [["--conflict", "coin-toss"], ["--log-level", "loud"], ["--port", "70000"], ["--max-body", "0"]] {
            let result = try await cli.run(["serve", "--port", "0"] + arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.output.isEmpty)
        }
    }

    @Test("zero or negative limits, half a TLS setting and a malformed public URL are refused with a one-line error")
    func badLimits() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let cases: [([String], String)] = [
            (["--max-connections", "0"], "--max-connections must be positive"),
            (["--request-timeout", "0"], "--request-timeout must be positive"),
            (["--idle-timeout=-5"], "--idle-timeout must be positive"),
            (["--max-body-size", "0"], "--max-body-size must be positive"),
            (["--max-body-in-flight", "0"], "--max-body-in-flight must be positive"),
            (["--max-body-size", "40000000"], "--max-body-in-flight (67108864) must be at least twice --max-body-size (40000000)"),
            (["--tls-cert", "cert.pem"], "--tls-cert and --tls-key go together"),
            (["--tls-key", "key.pem"], "--tls-cert and --tls-key go together"),
            (["--public-url", "ftp://sync.example.org/sync"], "--public-url must be an http:// or https:// URL"),
            (["--public-url", "https://sync.example.org/sync?x=1"], "--public-url must be an http:// or https:// URL"),
        ]
        for (arguments, message) in cases {
            let result = try await cli.run(["serve", "--db", cli.path("limits.sqlite"), "--port", "0"] + arguments)
            #expect(result.status == 64, "\(arguments): \(result.status) \(result.error)")
            #expect(result.output.isEmpty)
            #expect(result.error.hasPrefix("Error: \(message)"), "\(arguments): \(result.error)")
        }
    }

    @Test("--request-timeout and --max-connections reach the server: a slow request gets 408, a connection over the cap is closed")
    func limitsApply() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let server = try ServeProcess(cli, ["--db", cli.path("limits.sqlite"), "--port", "0", "--request-timeout", "1", "--max-connections", "1"])
        let port = try await server.listeningPort()

        // A head that never ends: answered 408 once the second has passed.
        let slow = try await exchange(port: port, sending: "POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        #expect(slow.hasPrefix("HTTP/1.1 408 "), "\(slow)")

        // A keep-alive connection the server answered is held open; the next one is refused.
        // (Slots free when the server has closed a connection, just after the client sees it: hence the retries.)
        let held = try await retrying { () -> LoopbackSocket? in
            let socket = try LoopbackSocket(port: port)
            return try await socket.firstAnswer(to: "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").hasPrefix("HTTP/1.1 200") ? socket : nil
        }
        #expect(held != nil, "a connection is served when none is open")
        #expect(try await exchange(port: port, sending: "GET / HTTP/1.0\r\n\r\n").isEmpty, "one connection is open: the next is closed unanswered")
        held?.disconnect()
        let page = try await retrying { () -> String? in
            let page = try await httpGet(port: port, path: "/")
            return page.hasPrefix("HTTP/1.0 200") ? page : nil
        }
        #expect(page != nil, "served again once the held connection closed")
        #expect(await server.stop().status == 0)
    }

    @Test("--public-url is what clients are told to use; the listening line still names the socket")
    func publicURL() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let server = try ServeProcess(cli, ["--db", cli.path("proxy.sqlite"), "--port", "0", "--public-url", "https://sync.example.org/sync"])
        let port = try await server.listeningPort()
        _ = try await #require(server.line())  // no users yet
        let help = try await #require(server.line())
        #expect(help.hasPrefix("point a SyncML client at https://sync.example.org/sync "), "\(help)")
        let page = try await httpGet(port: port, path: "/sync")
        #expect(page.contains("Point a SyncML client at https://sync.example.org/sync"), "\(page)")
        #expect(await server.stop().status == 0)
    }
}

@Suite("syncml serve over HTTPS", .enabled(if: TestCertificates.available))
struct ServeTLSCommandTests {
    @Test("with --tls-cert and --tls-key it listens on https://, and plain HTTP there gets no answer")
    func servesHTTPS() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let server = try ServeProcess(cli, ["--db", cli.path("tls.sqlite"), "--port", "0",
                                            "--tls-cert", certificates.chain, "--tls-key", certificates.privateKey])
        let port = try await server.listeningPort(scheme: "https")
        _ = try await #require(server.line())
        let help = try await #require(server.line())
        #expect(help.contains("syncURL = https://127.0.0.1:\(port)/sync"), "\(help)")
        #expect(!(try await httpGet(port: port, path: "/sync")).contains("HTTP/1."), "no plain-HTTP answer on the TLS port")
        #expect(await server.stop().status == 0)
    }

    @Test("a missing or mismatched key is one line on standard error and exit 1, before listening")
    func badCertificateFiles() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let missing = certificates.directory.appendingPathComponent("missing.key").path
        let cases = [
            (missing, "syncml: TLS private key \(missing): no such file or directory\n"),
            (certificates.unrelatedKey,
             "syncml: TLS private key \(certificates.unrelatedKey): does not match the certificate in \(certificates.chain)\n"),
        ]
        for (key, message) in cases {
            let result = try await cli.run(["serve", "--db", cli.path("tls.sqlite"), "--port", "0", "--tls-cert", certificates.chain, "--tls-key", key])
            #expect(result.status == 1)
            #expect(result.output.isEmpty, "nothing listened")
            #expect(result.error == message)
        }
    }
}
