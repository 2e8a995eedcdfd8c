import Foundation
import TestSupport

/// A throwaway CA and two server certificates it signed, made by the `openssl`
/// command in a temporary directory (EC P-256, valid for two days):
/// `server` names `localhost` and `127.0.0.1`; `otherHost` names only
/// `sync.example.org`, so it is the wrong certificate for a loopback URL.
struct TransportCertificates {
    struct Identity {
        /// The certificate (PEM) and its private key (PEM).
        var certificate: String
        var key: String
    }

    let directory: URL
    /// The CA's certificate (PEM): what a client is told to trust.
    var caFile: String { directory.appendingPathComponent("ca.pem").path }
    var server: Identity { identity("server") }
    var otherHost: Identity { identity("other") }

    /// Each `openssl` run is awaited without holding a thread (`ProcessExit`).
    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try await openssl(["req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                           "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=swift-syncml test CA",
                           "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try await issue("server", commonName: "localhost", names: "DNS:localhost,IP:127.0.0.1", serial: 2)
        try await issue("other", commonName: "sync.example.org", names: "DNS:sync.example.org", serial: 3)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    private func identity(_ name: String) -> Identity {
        Identity(certificate: directory.appendingPathComponent("\(name).pem").path,
                 key: directory.appendingPathComponent("\(name).key").path)
    }

    /// A server certificate for `names` (subjectAltName), signed by the CA.
    private func issue(_ name: String, commonName: String, names: String, serial: Int) async throws {
        let extensions = """
            subjectAltName=\(names)
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature
            extendedKeyUsage=serverAuth

            """
        try Data(extensions.utf8).write(to: directory.appendingPathComponent("\(name).ext"))
        try await openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                           "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(commonName)"])
        try await openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "\(serial)",
                           "-days", "2", "-extfile", "\(name).ext", "-out", "\(name).pem"])
    }

    private func openssl(_ arguments: [String]) async throws {
        guard let tool = Peers.path(of: "openssl") else {
            throw TestFailure("openssl is not installed (apt-get install openssl)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let errors = try OutputFile()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors.handle
        try await process.start().wait()
        guard process.terminationStatus == 0 else {
            throw TestFailure("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(errors.text)")
        }
    }
}
