#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file or standard input in chunks, so that large captures are
/// never held in memory whole. The one place this target reads files.
struct ByteSource {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var chunk: [UInt8]

    /// Opens `path`, or standard input for `-`.
    init(path: String, chunkSize: Int = 64 * 1024) throws(CommandFailure) {
        if path == "-" {
            descriptor = 0
            ownsDescriptor = false
        } else {
            descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else {
                throw CommandFailure("cannot open \(path): \(String(cString: strerror(errno)))")
            }
            ownsDescriptor = true
        }
        chunk = [UInt8](repeating: 0, count: chunkSize)
    }

    /// The next chunk, or nil at end of input.
    mutating func next() throws(CommandFailure) -> ArraySlice<UInt8>? {
        let descriptor = self.descriptor
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 { return chunk[..<count] }
            if count == 0 { return nil }
            if errno == EINTR { continue }
            throw CommandFailure("read failed: \(String(cString: strerror(errno)))")
        }
    }

    func close() {
        if ownsDescriptor { _ = Glibc.close(descriptor) }
    }
}

/// Writes to standard output (or, given 2, standard error).
enum StandardOutput {
    static func write(_ bytes: [UInt8], to descriptor: Int32 = 1) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

/// A failure reported as one line on standard error, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Writes to a file (created or truncated) or, for `-`, standard output.
/// The one place this target writes files.
struct ByteSink {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let path: String

    init(path: String) throws(CommandFailure) {
        self.path = path
        if path == "-" {
            descriptor = 1
            ownsDescriptor = false
        } else {
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard descriptor >= 0 else {
                throw CommandFailure("cannot create \(path): \(String(cString: strerror(errno)))")
            }
            ownsDescriptor = true
        }
    }

    func write(_ bytes: [UInt8]) throws(CommandFailure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw CommandFailure("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    func close() throws(CommandFailure) {
        guard ownsDescriptor else { return }
        if Glibc.close(descriptor) != 0 {
            throw CommandFailure("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// Creates a directory (and no parents); an existing directory is fine.
func makeDirectory(_ path: String) throws(CommandFailure) {
    if mkdir(path, 0o755) != 0, errno != EEXIST {
        throw CommandFailure("cannot create directory \(path): \(String(cString: strerror(errno)))")
    }
}
