/// Re-encodes a SyncML message token by token: WBXML or XML in (detected from
/// the first byte), WBXML or XML out.
///
/// Nothing goes through the typed model, which writes every element in DTD
/// order: here elements stay in the order they came, DevInf flags and unknown
/// elements where the peer put them. That is what `syncml decode` and `syncml
/// encode` show a maintainer debugging a picky client. The mapping is the one
/// libwbxml2's `wbxml2xml` and `xml2wbxml` make: OPAQUE ↔ CDATA; a DevInf in
/// OPAQUE (its own WBXML document) ↔ an inline `<DevInf xmlns='syncml:devinf'>`;
/// whitespace-only text between elements dropped.
///
/// Fed in chunks of any size. XML output can be taken as it grows; WBXML output
/// comes whole once the message has ended (its string table comes first).
/// Memory is bounded by the longest text or OPAQUE run, not the message.
public struct SyncMLTranscoder {
    private enum Input { case undetected, wbxml, xml }

    /// A token kept while the version is not known yet (it decides the XML
    /// namespace of the root element), with its bytes copied out of the input.
    private enum HeldToken {
        case start(ElementName), end, text([UInt8]), character(Unicode.Scalar), opaque([UInt8])

        init(_ token: MarkupToken) {
            switch token {
            case .start(let name): self = .start(name)
            case .end: self = .end
            case .text(let bytes): self = .text(Array(bytes))
            case .character(let scalar): self = .character(scalar)
            case .opaque(let bytes): self = .opaque(Array(bytes))
            }
        }

        var token: MarkupToken {
            switch self {
            case .start(let name): .start(name)
            case .end: .end
            case .text(let bytes): .text(bytes[...])
            case .character(let scalar): .character(scalar)
            case .opaque(let bytes): .opaque(bytes[...])
            }
        }
    }

    /// A DevInf from XML on its way to WBXML: written as its own document, then
    /// put into the message as OPAQUE (what SyncEvolution, phones and libwbxml2 do).
    private struct NestedDevInf {
        var writer: WBXMLWriter
        var depth = 0
        var inVerDTD = false
    }

    private let encoding: SyncMLEncoding
    private let indent: Bool
    private var input = Input.undetected
    private var prefix: [UInt8] = []
    private var wbxml = WBXMLTokenizer()
    private var xml: XMLTokenizer = {
        var tokenizer = XMLTokenizer()
        tokenizer.cdataAsOpaque = true
        return tokenizer
    }()

    // Until the version is known: the held tokens and what has been seen of the root and VerDTD.
    private var held: [HeldToken] = []
    private var probeDepth = 0
    private var probePath: [ElementName] = []
    private var verDTD: [UInt8] = []
    private var rootIsDevInf = false

    private var xmlOutput: XMLWriter?
    private var wbxmlOutput: WBXMLWriter?
    private var wbxmlTaken = false
    private var nested: NestedDevInf?

    // What has been read but not written: a start tag (empty or not is decided
    // by what follows), and a run of text or of OPAQUE bytes.
    private var pendingStart: ElementName?
    /// The elements open in the input (for a MetInf Type's text).
    private var open: [ElementName] = []
    private var text: [UInt8] = []
    private var opaque: [UInt8] = []

    /// True once the root element has ended: the output is complete.
    public private(set) var isComplete = false

    /// A transcoder for one message, writing `encoding` whichever of the two it is fed.
    ///
    /// - Parameters:
    ///   - encoding: what to write (the other of what is read, or the same to normalize).
    ///   - indent: XML only: one element per line, indented (for people).
    public init(to encoding: SyncMLEncoding, indent: Bool = false) {
        self.encoding = encoding
        self.indent = indent
    }

    /// Transcodes a whole message.
    public static func transcode(_ bytes: some Collection<UInt8>, to encoding: SyncMLEncoding, indent: Bool = false) throws(SyncMLDecodingError) -> [UInt8] {
        var transcoder = SyncMLTranscoder(to: encoding, indent: indent)
        try transcoder.feed(bytes)
        try transcoder.finish()
        return transcoder.takeOutput()
    }

    /// Appends input and transcodes what it completes.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(SyncMLDecodingError) {
        guard !isComplete else { return }
        switch input {
        case .wbxml: wbxml.feed(bytes)
        case .xml: xml.feed(bytes)
        case .undetected:
            prefix.append(contentsOf: bytes)
            guard let isWBXML = SyncMLDecoder.isWBXML(prefix) else { return }
            input = isWBXML ? .wbxml : .xml
            if isWBXML { wbxml.feed(prefix) } else { xml.feed(prefix) }
            prefix = []
        }
        try drain()
    }

    /// Declares the end of the input; throws if the message is not complete.
    public mutating func finish() throws(SyncMLDecodingError) {
        guard !isComplete else { return }
        wbxml.finish()
        xml.finish()
        if input == .undetected {
            throw SyncMLDecodingError(.truncated, at: prefix.count, "no SyncML message in the input")
        }
        try drain()
        if !isComplete {
            throw SyncMLDecodingError(.truncated, at: offset, "the input ended inside the message")
        }
    }

    /// The output so far, cleared. For WBXML: empty until the message has ended, then the whole document.
    public mutating func takeOutput() -> [UInt8] {
        if xmlOutput != nil { return xmlOutput!.takeOutput() }
        guard isComplete, !wbxmlTaken, let wbxmlOutput else { return [] }
        wbxmlTaken = true
        return wbxmlOutput.bytes()
    }

    private var offset: Int { input == .wbxml ? wbxml.offset : xml.offset }

    private mutating func drain() throws(SyncMLDecodingError) {
        while !isComplete {
            let event = switch input {
            case .wbxml: try wbxml.next()
            case .xml: try xml.next()
            case .undetected: TokenizerEvent.needsInput
            }
            switch event {
            case .token(let token): try accept(token)
            case .needsInput: return
            case .endOfDocument:
                if xmlOutput == nil, wbxmlOutput == nil { try startOutput() }
                try flush()
                isComplete = true
            }
        }
    }

    // MARK: Before the version is known

    /// Holds tokens until the VerDTD has been read (or the header is over), then writes them.
    private mutating func accept(_ token: MarkupToken) throws(SyncMLDecodingError) {
        guard xmlOutput == nil, wbxmlOutput == nil else { return try write(token) }
        held.append(HeldToken(token))
        if try probe(token) || held.count > 256 { try startOutput() }
    }

    /// Follows the root and header; true once the version is known or will not be.
    private mutating func probe(_ token: MarkupToken) throws(SyncMLDecodingError) -> Bool {
        let verDTDDepth = rootIsDevInf ? 2 : 3
        switch token {
        case .start(let name):
            if probePath.isEmpty {
                switch name {
                case .known(Tag.syncML): break
                case .known(DevInfTag.devInf): rootIsDevInf = true
                default:
                    throw SyncMLDecodingError(.unexpectedElement, at: offset, "expected <SyncML> or <DevInf>, found \(name.displayName)")
                }
            } else if probePath.count == 1, !rootIsDevInf, name != .known(Tag.syncHdr) {
                return true // the body begins: there was no VerDTD in the header
            }
            probePath.append(name)
        case .end:
            if probePath.count == verDTDDepth, Self.isVerDTD(probePath.last) { return true }
            probePath.removeLast()
            if probePath.count <= 1 { return true } // the header (or a DevInf) ended without a VerDTD
        case .text(let bytes):
            if probePath.count == verDTDDepth, Self.isVerDTD(probePath.last) { verDTD.append(contentsOf: bytes) }
        case .character, .opaque:
            break
        }
        return false
    }

    private static func isVerDTD(_ name: ElementName?) -> Bool {
        name == .known(Tag.verDTD) || name == .known(DevInfTag.verDTD)
    }

    /// Creates the writer for the version found and writes the held tokens.
    private mutating func startOutput() throws(SyncMLDecodingError) {
        let version = Self.version(String(decoding: verDTD, as: UTF8.self))
            ?? (input == .wbxml ? wbxml.documentInfo?.publicID.flatMap { SyncMLVersion.vocabulary(of: $0)?.1 } : nil)
            ?? .v1_2
        switch encoding {
        case .xml: xmlOutput = XMLWriter(version: version, indent: indent)
        case .wbxml: wbxmlOutput = WBXMLWriter(rootIsDevInf ? .devInf(version) : .syncML(version))
        }
        let tokens = held
        held = []
        for token in tokens { try write(token.token) }
    }

    private static func version(_ text: String) -> SyncMLVersion? {
        SyncMLVersion(verDTD: text.trimmingWhitespaceAndNewlines)
    }

    // MARK: Writing

    private mutating func write(_ token: MarkupToken) throws(SyncMLDecodingError) {
        switch token {
        case .start(let name):
            try flush()
            pendingStart = name
            open.append(name)
        case .end:
            defer { _ = open.popLast() }
            if let name = pendingStart, opaque.isEmpty, Self.isWhitespace(text) {
                text.removeAll(keepingCapacity: true)
                pendingStart = nil
                writeStart(name, empty: true)
            } else {
                try flush()
                writeEnd()
            }
        case .text(let bytes):
            if !opaque.isEmpty { try flush() }
            text.append(contentsOf: bytes)
        case .character(let scalar):
            if !opaque.isEmpty { try flush() }
            text.append(contentsOf: String(Character(scalar)).utf8)
        case .opaque(let bytes):
            if !text.isEmpty { try flush() }
            opaque.append(contentsOf: bytes)
        }
    }

    /// Writes what is pending: the start tag (it has content, since something
    /// follows), the text unless it is only whitespace, the OPAQUE run.
    private mutating func flush() throws(SyncMLDecodingError) {
        if let name = pendingStart {
            pendingStart = nil
            writeStart(name, empty: false)
        }
        if !text.isEmpty {
            if Self.isWhitespace(text) {
                // white space between elements
            } else if open.last == .known(Tag.type) {
                // A DevInf's MIME type names the encoding it is in (libwbxml2 and SyncEvolution rewrite it too).
                writeText(ArraySlice(Meta.devInfType(String(decoding: text, as: UTF8.self), wbxml: encoding == .wbxml).utf8))
            } else {
                writeText(text[...])
            }
            text.removeAll(keepingCapacity: true)
        }
        if !opaque.isEmpty {
            let bytes = opaque
            opaque = []
            try writeOpaque(bytes[...])
        }
    }

    private static func isWhitespace(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy(\.isXMLWhitespace)
    }

    private mutating func writeStart(_ name: ElementName, empty: Bool) {
        if nested == nil, let wbxmlOutput = self.wbxmlOutput, !rootIsDevInf, name == .known(DevInfTag.devInf) {
            nested = NestedDevInf(writer: WBXMLWriter(.devInf(Self.devInfVersion(wbxmlOutput.document))))
        }
        guard nested != nil else {
            xmlOutput?.start(name, empty: empty)
            wbxmlOutput?.start(name, empty: empty)
            return
        }
        nested!.writer.start(name, empty: empty)
        if empty {
            if nested!.depth == 0 { endNested() }
        } else {
            nested!.depth += 1
            nested!.inVerDTD = nested!.depth == 2 && name == .known(DevInfTag.verDTD)
        }
    }

    private mutating func writeEnd() {
        guard nested != nil else {
            xmlOutput?.end()
            wbxmlOutput?.end()
            return
        }
        nested!.writer.end()
        nested!.depth -= 1
        nested!.inVerDTD = false
        if nested!.depth == 0 { endNested() }
    }

    private mutating func writeText(_ bytes: ArraySlice<UInt8>) {
        guard nested != nil else {
            xmlOutput?.text(bytes: bytes)
            wbxmlOutput?.text(bytes: bytes)
            return
        }
        if nested!.inVerDTD, let version = Self.version(String(decoding: bytes, as: UTF8.self)) {
            nested!.writer.document = .devInf(version)
        }
        nested!.writer.text(bytes: bytes)
    }

    /// OPAQUE as it came, except a DevInf document going to XML: its tokens are written inline.
    private mutating func writeOpaque(_ bytes: ArraySlice<UInt8>) throws(SyncMLDecodingError) {
        if nested != nil {
            nested!.writer.data(bytes)
        } else if xmlOutput != nil, NestedWBXML.isDevInfDocument(bytes) {
            try writeInline(devInf: bytes)
        } else {
            xmlOutput?.data(bytes)
            wbxmlOutput?.data(bytes)
        }
    }

    private mutating func writeInline(devInf bytes: ArraySlice<UInt8>) throws(SyncMLDecodingError) {
        let at = offset
        var tokenizer = WBXMLTokenizer()
        tokenizer.feed(bytes)
        tokenizer.finish()
        var tokens: [MarkupToken] = []
        do {
            while case .token(let token) = try tokenizer.next() { tokens.append(token) }
        } catch {
            throw SyncMLDecodingError(error.kind, at: at, "in the DevInf inside OPAQUE: \(error.reason)")
        }
        for token in tokens { try write(token) }
        try flush()
    }

    private mutating func endNested() {
        let document = nested!.writer.bytes()
        nested = nil
        wbxmlOutput?.data(document[...])
    }

    /// The DevInf version that goes with a message's version until the DevInf's VerDTD says otherwise.
    private static func devInfVersion(_ document: WBXMLWriter.Document) -> SyncMLVersion {
        switch document {
        case .syncML(let version), .devInf(let version): version
        }
    }
}

extension String {
    fileprivate var trimmingWhitespaceAndNewlines: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
