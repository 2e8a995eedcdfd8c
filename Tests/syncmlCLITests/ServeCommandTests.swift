import Foundation
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

    /// The port of the first line, `listening on http://127.0.0.1:PORT/sync`.
    func listeningPort() throws -> Int {
        let first = try #require(line())
        let prefix = "listening on http://127.0.0.1:", suffix = "/sync"
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
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw CLIError(message: "socket: \(errno)") }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw CLIError(message: "connect: \(errno)") }
    let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8)
    guard send(socket, request, request.count, 0) == request.count else { throw CLIError(message: "send: \(errno)") }
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
}
