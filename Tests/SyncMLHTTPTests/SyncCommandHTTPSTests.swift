import Foundation
import Logging
import SyncMLServer
import SyncMLStore
import TestSupport
import Testing

/// `syncml sync` over https against a `SyncServer` behind the HTTPS test server.
@Suite("syncml sync over https", .enabled(if: TestCertificates.available))
struct SyncCommandHTTPSTests {
    @Test("--ca-file makes a sync over https work; without it the certificate is refused in one line and nothing reaches the server; --proxy tunnels")
    func syncOverHTTPS() async throws {
        let certificates = try await TransportCertificates()
        defer { certificates.remove() }
        let directory = certificates.directory
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("contacts"), withIntermediateDirectories: false)
        for name in ["Alice", "Bob"] {
            let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:\(name) Example\r\nN:Example;\(name);;;\r\nEND:VCARD\r\n"
            try Data(card.utf8).write(to: directory.appendingPathComponent("contacts/\(name).vcf"))
        }
        try Data("secret\n".utf8).write(to: directory.appendingPathComponent("pw.txt"))
        let store = try SyncStore(path: ":memory:")
        _ = try await store.addUser(name: "test", password: "secret")
        let engine = SyncServer(store: store, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let proxy = try ConnectProxy()
        defer { proxy.stop() }

        try await HTTPSTestServer.with(certificates.server, respond: { await engine.handle($0) }) { server in
            func sync(_ extra: [String], state: String) async throws -> SyncMLProcess.Outcome {
                try await SyncMLProcess.run(["sync", "--url", server.url, "--user", "test", "--password-file", "pw.txt", "--device-id", "cli-\(state)",
                                             "--state", "\(state).sqlite", "--contacts", "contacts", "--quiet"] + extra, in: directory)
            }

            let untrusted = try await sync([], state: "untrusted")
            #expect(untrusted.status == 1)
            #expect(untrusted.error == "syncml: sync failed: TLS handshake with 127.0.0.1:\(server.port) failed: its certificate is not trusted "
                        + "(certificate verify failed: an unknown CA, expired or otherwise invalid)\n")
            #expect(server.requests == 0, "nothing was sent")

            let trusted = try await sync(["--ca-file", certificates.caFile], state: "trusted")
            #expect(trusted.status == 0, "\(trusted.error)")
            #expect(trusted.output.contains("remote +2"), "\(trusted.output)")
            #expect(server.requests > 0)

            let requestsBefore = server.requests
            let proxied = try await sync(["--ca-file", certificates.caFile, "--proxy", proxy.url], state: "trusted")
            #expect(proxied.status == 0, "\(proxied.error)")
            #expect(proxy.requestLines.first == "CONNECT 127.0.0.1:\(server.port) HTTP/1.1")
            #expect(server.requests > requestsBefore)

            let missingCA = try await sync(["--ca-file", "nowhere.pem"], state: "missing")
            #expect(missingCA.status == 1)
            #expect(missingCA.error == "syncml: sync failed: cannot use the CA file nowhere.pem: no such file\n")
        }
    }
}

/// Runs the built `syncml` executable, with no proxy variables in its environment,
/// on a thread of its own (the HTTPS test server answers it from this process):
/// its blocking reads and `waitUntilExit()` never hold a thread of the cooperative pool.
enum SyncMLProcess {
    struct Outcome: Sendable {
        var status: Int32
        var output: String
        var error: String
    }

    /// `syncml` next to the test bundle (`.build/<triple>/debug/`).
    static let executable: URL? = {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("syncml")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    static func run(_ arguments: [String], in directory: URL) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runBlocking(arguments, in: directory) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String], in directory: URL) throws -> Outcome {
        guard let executable else { throw TestFailure("syncml is not built next to the tests") }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        for name in ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY"] { environment[name] = nil }
        process.environment = environment
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self), error: String(decoding: err, as: UTF8.self))
    }
}
