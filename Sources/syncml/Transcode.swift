import ArgumentParser
import SyncMLCore

/// Decodes a stream of SyncML and re-encodes it event by event: memory stays
/// bounded by the largest command, not the message.
enum Transcoder {
    static func run(input path: String, to encoding: SyncMLEncoding, indent: Bool) throws {
        var source = try ByteSource(path: path)
        defer { source.close() }
        var decoder = SyncMLDecoder()
        var encoder: SyncMLEncoder? = nil
        var ended = false
        do {
            while !ended {
                if let chunk = try source.next() {
                    decoder.feed(chunk)
                } else {
                    decoder.finish()
                }
                while let event = try decoder.next() {
                    if encoder == nil, case .header(let header) = event {
                        encoder = SyncMLEncoder(encoding: encoding, version: header.version, indent: indent)
                    }
                    encoder?.encode(event)
                    if event == .endOfMessage { ended = true }
                }
                if var output = encoder?.takeOutput() {
                    if ended, indent { output.append(0x0A) }
                    StandardOutput.write(output)
                }
            }
        } catch let error as SyncMLDecodingError {
            throw CommandFailure("\(path == "-" ? "standard input" : path): \(error)")
        }
    }
}

extension ParsableCommand {
    /// Runs `body`, turning a CommandFailure into one line on standard error.
    static func reportingFailures(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let failure as CommandFailure {
            StandardOutput.write(Array("syncml: \(failure.description)\n".utf8), to: 2)
            throw ExitCode.failure
        }
    }
}
