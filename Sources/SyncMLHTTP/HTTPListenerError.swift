import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server could not listen: `cannot listen on 127.0.0.1:8080: address already in use`.
public struct HTTPListenerError: Error, CustomStringConvertible, Sendable {
    /// The address that could not be bound, as configured.
    public var host: String
    /// The port that could not be bound.
    public var port: Int
    /// Why, in words (`address already in use`).
    public var reason: String

    public var description: String { "cannot listen on \(HTTPListener.bracketed(host)):\(port): \(reason)" }

    init(host: String, port: Int, reason: String) {
        self.host = host
        self.port = port
        self.reason = reason
    }

    init(host: String, port: Int, cause: any Error) {
        let reason: String
        switch cause {
        case let error as IOError:
            reason = String(cString: strerror(error.errnoCode)).lowercased()
        case is SocketAddressError:
            reason = "unknown host"
        default:
            reason = "\(cause)"
        }
        self.init(host: host, port: port, reason: reason)
    }
}
