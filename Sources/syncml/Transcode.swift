import ArgumentParser
import SyncMLCodec
/// Transcodes a stream of SyncML token by token (`SyncMLTranscoder`): the
/// output keeps the element order of the input, and memory stays bounded by
/// the longest text or OPAQUE run, not the message.
enum Transcoder {
    static func run(input path: String, to encoding: SyncMLEncoding, indent: Bool) throws {
        var source = try ByteSource(path: path)
        defer { source.close() }
        var transcoder = SyncMLTranscoder(to: encoding, indent: indent)
        do {
            while !transcoder.isComplete, let chunk = try source.next() {
                try transcoder.feed(chunk)
                StandardOutput.write(transcoder.takeOutput())
            }
            try transcoder.finish()
            var output = transcoder.takeOutput()
            if indent { output.append(0x0A) }
            StandardOutput.write(output)
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
