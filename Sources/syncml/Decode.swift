import ArgumentParser
import SyncMLCore

/// `syncml decode`: WBXML or XML in, indented XML out.
struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode a SyncML message (WBXML or XML, detected) to indented XML.",
        discussion: "Reads the file (or standard input for -) in chunks and writes XML as each command is decoded, so captures of any size decode in constant memory. A malformed message prints one line with the byte offset and exits with status 1."
    )

    @Argument(help: "The message to decode, or - for standard input.")
    var input: String

    func run() throws {
        try Self.reportingFailures {
            try Transcoder.run(input: input, to: .xml, indent: true)
        }
    }
}
