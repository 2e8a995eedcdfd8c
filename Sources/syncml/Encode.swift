import ArgumentParser
import SyncMLCodec
/// `syncml encode`: a SyncML message in, WBXML or compact XML out.
struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode a SyncML message (WBXML or XML, detected) as WBXML or XML.",
        discussion: "Token by token, in the order the message was sent: XML becomes what libwbxml2's xml2wbxml -n writes, WBXML the XML its wbxml2xml writes (OPAQUE as CDATA, a nested DevInf inline). WBXML to WBXML and XML to XML give the input back."
    )

    enum Format: String, EnumerableFlag {
        case wbxml, xml
        static func help(for value: Format) -> ArgumentHelp? {
            switch value {
            case .wbxml: "Write WBXML 1.2 (application/vnd.syncml+wbxml)."
            case .xml: "Write compact XML (application/vnd.syncml+xml)."
            }
        }
    }

    @Argument(help: "The message to encode, or - for standard input.")
    var input: String

    @Flag(help: "Output format.")
    var format: Format

    func run() throws {
        try Self.reportingFailures {
            try Transcoder.run(input: input, to: format == .wbxml ? .wbxml : .xml, indent: false)
        }
    }
}
