public import Foundation

/// A throwaway certificate authority and a server certificate it signed, made
/// with `openssl` in a temporary directory for one test: HTTPS tests need a
/// chain a client can be told to trust, and nothing real belongs in the repository.
///
/// The server certificate names `127.0.0.1`, `::1` and `localhost`. Without
/// `openssl` the tests that need it are skipped with a loud message, or fail
/// under `SYNCML_REQUIRE_PEERS=1` (CI), as every test with an external program does.
public struct TestCertificates: Sendable {
    public let directory: URL
    /// The CA's certificate (PEM): what a client trusts.
    public let authority: String
    /// The server's certificate (PEM), signed by the CA.
    public let chain: String
    /// The server's private key (PEM).
    public let privateKey: String
    /// A private key of its own: it matches no certificate here.
    public let unrelatedKey: String
    /// A second CA's certificate: a client trusting only it does not trust the server.
    public let otherAuthority: String

    /// True if the tests needing `openssl` should run (it exists, or peers are required).
    public static let available: Bool = {
        if openssl != nil || peersRequired { return true }
        let banner = String(repeating: "!", count: 78)
        FileHandle.standardError.write(Data("""
            \(banner)
            !! SKIPPING the HTTPS tests: `openssl` is not installed to make their certificates.
            !! Install it with: apt-get install openssl   (CI sets SYNCML_REQUIRE_PEERS=1 to fail instead)
            \(banner)\n
            """.utf8))
        return false
    }()

    /// Makes the CAs, the server key and certificate, and an unrelated key in
    /// `parent/tls` (created), or in a new temporary directory. Each `openssl`
    /// run is awaited without holding a thread (`ProcessExit`).
    public static func make(in parent: URL? = nil) async throws -> TestCertificates {
        guard let openssl else { throw Failure(description: "openssl is not installed (apt-get install openssl)") }
        let directory = parent?.appendingPathComponent("tls")
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("syncml-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func run(_ arguments: [String]) async throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: openssl)
            process.arguments = arguments
            process.currentDirectoryURL = directory
            let output = try OutputFile()
            process.standardOutput = output.handle
            process.standardError = output.handle
            process.standardInput = FileHandle.nullDevice
            try await process.start().wait()
            guard process.terminationStatus == 0 else {
                throw Failure(description: "openssl \(arguments.first ?? "") failed with status \(process.terminationStatus): \(output.text)")
            }
        }
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        for name in ["ca", "other-ca"] {
            try await run(["req", "-x509"] + curve + ["-keyout", path("\(name).key"), "-out", path("\(name).pem"), "-days", "2",
                           "-subj", "/CN=swift-syncml test \(name)",
                           "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        }
        try await run(["req"] + curve + ["-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=localhost"])
        try Data("""
            subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth
            """.utf8).write(to: directory.appendingPathComponent("server.ext"))
        try await run(["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
                       "-out", path("server.pem"), "-days", "2", "-extfile", path("server.ext")])
        try await run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path("unrelated.key")])
        return TestCertificates(directory: directory, authority: path("ca.pem"), chain: path("server.pem"),
                                privateKey: path("server.key"), unrelatedKey: path("unrelated.key"),
                                otherAuthority: path("other-ca.pem"))
    }

    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private static let peersRequired = ProcessInfo.processInfo.environment["SYNCML_REQUIRE_PEERS"] == "1"

    private static let openssl: String? = {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return (paths + ["/usr/bin", "/usr/local/bin"]).map { "\($0)/openssl" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
}
