import Logging
import NIOCore
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The certificate chain and private key an HTTPS listener presents, read from
/// PEM files and checked against each other when loaded: a missing, unreadable
/// or mismatched file is an error before the port opens, not a failed handshake later.
///
/// ```swift
/// let certificate = try ServerCertificate.load(chain: "/etc/syncml/cert.pem", privateKey: "/etc/syncml/key.pem")
/// let http = try await HTTPListener.start(engine: engine, configuration: .init(port: 8443, tls: certificate))
/// ```
public struct ServerCertificate: Sendable {
    /// The server side of every TLS connection: TLS 1.2 or newer, HTTP/1.1 announced by ALPN.
    let context: NIOSSLContext

    /// Reads the chain (the server's certificate first, then intermediates) and its key.
    public static func load(chain chainFile: String, privateKey keyFile: String) throws(ServerCertificateError) -> ServerCertificate {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(try readFile(chainFile, role: .chain))
        } catch let error as ServerCertificateError {
            throw error
        } catch {
            throw ServerCertificateError(.chain, chainFile, "not a PEM certificate chain")
        }
        guard !certificates.isEmpty else { throw ServerCertificateError(.chain, chainFile, "holds no PEM certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: try readFile(keyFile, role: .privateKey), format: .pem)
        } catch let error as ServerCertificateError {
            throw error
        } catch {
            throw ServerCertificateError(.privateKey, keyFile, "not an unencrypted PEM private key")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["http/1.1"]
        do {
            // BoringSSL refuses a key that does not belong to the chain's first certificate.
            return ServerCertificate(context: try NIOSSLContext(configuration: configuration))
        } catch {
            throw ServerCertificateError(.privateKey, keyFile, "does not match the certificate in \(chainFile)")
        }
    }

    /// The whole file; PEM files are small, so anything over 1 MiB is refused rather than read.
    private static func readFile(_ path: String, role: ServerCertificateError.Role) throws(ServerCertificateError) -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw ServerCertificateError(role, path, systemReason(errno)) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            bytes += chunk[..<count]
            guard bytes.count <= 1 << 20 else { throw ServerCertificateError(role, path, "larger than 1 MiB, not a PEM file") }
            if count < chunk.count {
                if ferror(file) != 0 { throw ServerCertificateError(role, path, systemReason(errno)) }
                return bytes
            }
        }
    }

    private static func systemReason(_ code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
    }
}

/// A certificate or key file that cannot serve: `TLS private key key.pem: no such file or directory`.
public struct ServerCertificateError: Error, CustomStringConvertible, Sendable {
    /// Which of the two files.
    public enum Role: String, Sendable {
        /// The PEM file of the certificate chain.
        case chain = "TLS certificate chain"
        /// The PEM file of the private key.
        case privateKey = "TLS private key"
    }

    /// Which of the two files failed.
    public var role: Role
    /// The file's path, as given.
    public var file: String
    /// Why, in words (`no such file or directory`, `does not match the certificate in cert.pem`).
    public var reason: String

    public var description: String { "\(role.rawValue) \(file): \(reason)" }

    init(_ role: Role, _ file: String, _ reason: String) {
        self.role = role
        self.file = file
        self.reason = reason
    }
}

/// Sits right behind the TLS handler and keeps TLS failures out of the HTTP
/// handlers: a failed handshake (a scanner, a plain-HTTP request on the TLS
/// port, a client that does not trust the certificate) or a peer that hangs up
/// without `close_notify` is logged at debug level and the connection closed;
/// nothing else is kept or reported.
final class TLSFailureHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is NIOSSLError || error is BoringSSLError || error is NIOSSLCloseTimedOutError else {
            context.fireErrorCaught(error)
            return
        }
        logger.debug("TLS connection failed", metadata: [
            "remote": "\(context.remoteAddress.map { "\($0)" } ?? "-")", "error": "\(error)",
        ])
        context.close(promise: nil)
    }
}
