/// How a SyncML message travels.
public enum SyncMLEncoding: String, Hashable, Sendable, CaseIterable {
    /// `application/vnd.syncml+wbxml`
    case wbxml
    /// `application/vnd.syncml+xml`
    case xml

    /// The HTTP content type.
    public var contentType: String {
        switch self {
        case .wbxml: "application/vnd.syncml+wbxml"
        case .xml: "application/vnd.syncml+xml"
        }
    }
}

/// Writes SyncML messages as WBXML or XML, whole or event by event.
///
/// Event by event mirrors `SyncMLDecoder`: a decoded stream can be re-encoded
/// without building the message (what `syncml decode` does for large
/// captures). XML output can be taken as it grows; WBXML output is complete
/// once `.endOfMessage` has been encoded (its string table comes first).
public struct SyncMLEncoder {
    private enum Writer {
        case wbxml(WBXMLWriter)
        case xml(XMLWriter)
    }

    private var writer: Writer
    private let version: SyncMLVersion
    private var finished = false

    /// An encoder for one message.
    ///
    /// - Parameters:
    ///   - encoding: WBXML or XML.
    ///   - version: the SyncML version the message declares (its DTD and namespaces).
    ///   - indent: XML only: one element per line, indented (for people).
    public init(encoding: SyncMLEncoding, version: SyncMLVersion, indent: Bool = false) {
        self.version = version
        switch encoding {
        case .wbxml: writer = .wbxml(WBXMLWriter(.syncML(version)))
        case .xml: writer = .xml(XMLWriter(version: version, indent: indent))
        }
    }

    /// Encodes a whole message.
    public static func encode(_ message: SyncMLMessage, as encoding: SyncMLEncoding, indent: Bool = false) -> [UInt8] {
        var encoder = SyncMLEncoder(encoding: encoding, version: message.version, indent: indent)
        encoder.encode(.header(message.header))
        for command in message.commands { encoder.encode(.command(command)) }
        if message.isFinal { encoder.encode(.final) }
        encoder.encode(.endOfMessage)
        return encoder.takeOutput()
    }

    /// Encodes one event, in the order the decoder produces them.
    public mutating func encode(_ event: SyncMLDecoder.Event) {
        switch writer {
        case .wbxml(var w):
            writer = .xml(XMLWriter(version: version, prolog: false)) // placeholder while mutating
            Self.encode(event, to: &w)
            writer = .wbxml(w)
        case .xml(var w):
            writer = .xml(XMLWriter(version: version, prolog: false))
            Self.encode(event, to: &w)
            writer = .xml(w)
        }
        if event == .endOfMessage { finished = true }
    }

    private static func encode(_ event: SyncMLDecoder.Event, to w: inout some MarkupWriter) {
        switch event {
        case .header(let header):
            w.start(.syncML)
            header.encode(to: &w)
            w.start(.syncBody)
        case .command(let command):
            command.encode(to: &w)
        case .begin(let container):
            container.encodeOpening(to: &w)
        case .end:
            w.end()
        case .final:
            w.empty(.final)
        case .endOfMessage:
            w.end() // SyncBody
            w.end() // SyncML
        }
    }

    /// The bytes written so far, cleared. For WBXML: empty until the message
    /// has ended, then the whole document.
    public mutating func takeOutput() -> [UInt8] {
        switch writer {
        case .wbxml(let w):
            return finished ? w.bytes() : []
        case .xml(var w):
            writer = .xml(XMLWriter(version: version, prolog: false))
            let bytes = w.takeOutput()
            writer = .xml(w)
            return bytes
        }
    }
}

extension SyncMLMessage {
    /// This message as WBXML or XML.
    public func encoded(as encoding: SyncMLEncoding) -> [UInt8] {
        SyncMLEncoder.encode(self, as: encoding)
    }
}
