#if canImport(Glibc)
import Glibc
#endif

/// A TCP socket bound to a loopback port the kernel picked (port 0) and never listening.
///
/// Held open, the port refuses every connection and no other server can take it. Closed at
/// once, it names a port nobody listens on now, for a server the test is about to start.
public struct LoopbackPort {
    public let port: Int
    private let descriptor: Int32

    /// Binds a new socket, or nil when the machine has no socket or port to give.
    public init?() {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(descriptor)
            return nil
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Gives the port back.
    public func close() { Glibc.close(descriptor) }

    /// A port free a moment ago: its socket is closed before this returns.
    public static func free() -> Int? {
        guard let socket = LoopbackPort() else { return nil }
        socket.close()
        return socket.port
    }
}
