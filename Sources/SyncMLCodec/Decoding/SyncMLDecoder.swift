/// A streaming SyncML decoder for WBXML and XML (detected from the first byte).
///
/// Feed it bytes as they arrive and pull events: the header as soon as the
/// `SyncHdr` is complete, each command as soon as it is complete. A `Sync` with
/// 10,000 `Add`s arrives as `.begin(.sync)`, 10,000 `.command(.add)` and
/// `.end`: it is never built as one tree, and memory stays bounded by the
/// largest single command. Item data are slices of the input buffer, not copies.
///
/// ```swift
/// var decoder = SyncMLDecoder()
/// decoder.feed(chunk)            // as often as needed
/// decoder.finish()               // no more input
/// while let event = try decoder.next() { ... }   // nil: feed more, or done
/// ```
public struct SyncMLDecoder {
    /// What the decoder hands on.
    ///
    /// The header is boxed (`indirect`), and a `Command` is a box of its own:
    /// moving hundreds of bytes inline through each return and the caller's
    /// binding cost more than the one allocation of a box.
    public enum Event: Hashable, Sendable {
        /// The message header.
        indirect case header(SyncHeader)
        /// A complete leaf command, at body level or inside the open container.
        case command(Command)
        /// A `Sync`, `Atomic` or `Sequence` begins: its own fields, no commands yet.
        case begin(Command)
        /// The innermost open container ends.
        case end
        /// `<Final/>`.
        case final
        /// The message is complete; `next()` answers nil from now on.
        case endOfMessage
    }

    /// Where the decoder is in the message skeleton (outside any recorded unit).
    enum Level {
        case root, body
        /// A container whose own fields have been emitted.
        case container
    }

    /// What the unit being recorded becomes once it is complete.
    enum UnitKind {
        case header, command, final, ignored
        /// The own fields of a container: recorded until its first command child.
        case containerHead
    }

    /// Which tokenizer reads the input, once its first byte is seen. Both are
    /// stored, not optional, so that the hot loop uses them in place.
    enum Format { case undetected, wbxml, xml }
    var format = Format.undetected
    var wbxml = WBXMLTokenizer()
    var xml = XMLTokenizer()
    private var prefix: [UInt8] = []
    private var finished = false
    var done = false
    var levels: [Level] = []
    /// A container's head was returned as `.begin` and its end came with it:
    /// `.end` is the next event.
    var pendingEnd = false
    /// Where the token being handled starts, and where the recorded unit started.
    var tokenStart = 0
    private var previousOffset = 0
    var unitStart = 0

    /// How many input bytes the event `next()` returned last stands for: the
    /// whole element of a header or leaf command, a container's own fields for
    /// `.begin`, 0 for `.end` and `.endOfMessage`. For `syncml decode --stats`.
    public internal(set) var lastEventByteCount = 0

    var unitKind: UnitKind?
    var unitDepth = 0
    /// The tokens of the unit being recorded (cleared when the next one begins).
    var recording = TokenRecording()
    var sawHeader = false
    /// Whether WBXML units are recorded in bulk (`recordInside`); off only in
    /// tests that hold the bulk path to the token-by-token one.
    var recordsInBulk = true

    /// A decoder waiting for its first bytes.
    public init() {}

    /// Appends input.
    public mutating func feed(_ bytes: some Collection<UInt8>) {
        switch format {
        case .wbxml: wbxml.feed(bytes)
        case .xml: xml.feed(bytes)
        case .undetected: detect(bytes)
        }
    }

    private mutating func detect(_ bytes: some Collection<UInt8>) {
        if prefix.isEmpty, let isWBXML = Self.isWBXML(bytes) {
            start(wbxml: isWBXML, with: bytes) // not copied through `prefix`
        } else {
            prefix.append(contentsOf: bytes)
            if let isWBXML = Self.isWBXML(prefix) {
                start(wbxml: isWBXML, with: prefix)
                prefix = []
            }
        }
    }

    /// Declares that no more input will come.
    public mutating func finish() {
        finished = true
        wbxml.finish()
        xml.finish()
    }

    /// Whether the input is WBXML (true), XML (false) or not yet known (nil).
    package var isWBXML: Bool? {
        switch format {
        case .wbxml: true
        case .xml: false
        case .undetected: nil
        }
    }

    /// The WBXML header, or XML, once read.
    package var documentInfo: DocumentInfo? {
        switch format {
        case .wbxml: wbxml.documentInfo
        case .xml: xml.documentInfo
        case .undetected: nil
        }
    }

    /// Skip a UTF-8 BOM and white space; '<' means XML, anything else WBXML
    /// (whose first byte, the version, is 0x00-0x03); nil if there is nothing else.
    package static func isWBXML(_ bytes: some Collection<UInt8>) -> Bool? {
        var rest = bytes[...]
        if rest.starts(with: [0xEF, 0xBB, 0xBF]) { rest = rest.dropFirst(3) }
        guard let first = rest.first(where: { !$0.isXMLWhitespace }) else { return nil }
        return first != UInt8(ascii: "<")
    }

    private mutating func start(wbxml isWBXML: Bool, with bytes: some Collection<UInt8>) {
        if isWBXML {
            format = .wbxml
            wbxml.feed(bytes)
        } else {
            format = .xml
            xml.feed(bytes)
        }
    }

    /// The next event, or nil when more input is needed (or the message is done).
    public mutating func next() throws(SyncMLDecodingError) -> Event? {
        if pendingEnd {
            pendingEnd = false
            lastEventByteCount = 0
            return .end
        }
        // Each event is returned straight from where it is made, not queued:
        // a command is hundreds of bytes, and every move of it costs.
        while true {
            if done { return nil }
            if format == .wbxml, unitKind != nil, recordsInBulk {
                switch try recordInside() {
                case .completed(let event?): return event
                case .needsInput: return nil
                case .completed(nil), .tokenByToken: break
                }
            }
            // WBXML gives most tokens as plain values (the hot path); XML, and
            // WBXML tokens whose content is not in the input, as MarkupTokens.
            let token: RecordedToken
            var markup: MarkupToken? = nil
            switch format {
            case .wbxml:
                switch try wbxml.nextRaw() {
                case .token(let plain):
                    token = plain
                case .markup(let other):
                    markup = other
                    token = Self.plain(other, at: wbxml.offset)
                case .needsInput:
                    return nil
                case .endOfDocument:
                    throw SyncMLDecodingError(.truncated, at: wbxml.offset, "document ended inside the message")
                }
            case .xml:
                switch try xml.next() {
                case .token(let other):
                    markup = other
                    token = Self.plain(other, at: xml.offset)
                case .needsInput:
                    return nil
                case .endOfDocument:
                    throw SyncMLDecodingError(.truncated, at: xml.offset, "document ended inside the message")
                }
            case .undetected:
                if finished {
                    throw SyncMLDecodingError(.truncated, at: prefix.count, "no SyncML message in the input")
                }
                return nil
            }
            tokenStart = previousOffset
            let event = try handle(token, markup)
            previousOffset = token.offset
            if let event { return event }
        }
    }

    /// What `recordInside` did.
    private enum Inside {
        /// The unit is complete: its event, if it has one.
        case completed(Event?)
        case needsInput
        /// Not for the fast path (or it stopped where the general path goes on).
        case tokenByToken
    }

    /// Inside a recorded unit, WBXML tokens go straight into the recording
    /// (`WBXMLTokenizer.recordElement`), not one by one through `handle`.
    private mutating func recordInside() throws(SyncMLDecodingError) -> Inside {
        guard let kind = unitKind else { return .tokenByToken }
        // A container's head is watched token by token at its own level, where
        // its first command ends it.
        let floor = kind == .containerHead ? 1 : 0
        guard unitDepth > floor else { return .tokenByToken }
        var depth = unitDepth - floor
        var last = previousOffset
        let scan = try wbxml.recordElement(into: &recording, depth: &depth, lastOffset: &last)
        unitDepth = depth + floor
        previousOffset = last
        switch scan {
        case .complete: return floor == 0 ? .completed(try completeUnit()) : .tokenByToken
        case .needsInput: return .needsInput
        case .endOfDocument: throw SyncMLDecodingError(.truncated, at: wbxml.offset, "document ended inside the message")
        }
    }

    /// A MarkupToken's kind, known tag and offset; its content stays in the MarkupToken.
    private static func plain(_ token: MarkupToken, at offset: Int) -> RecordedToken {
        switch token {
        case .start(.known(let tag)): .start(tag, at: offset)
        case .start: RecordedToken(kind: .start, tag: nil, offset: offset)
        case .end: .end(at: offset)
        case .text: RecordedToken(kind: .text, tag: nil, offset: offset)
        case .opaque: RecordedToken(kind: .opaque, tag: nil, offset: offset)
        case .character: RecordedToken(kind: .character, tag: nil, offset: offset)
        }
    }
}
