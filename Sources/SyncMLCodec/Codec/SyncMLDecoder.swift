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
    /// The header and commands are boxed (`indirect`): a Command is about 600
    /// bytes inline, and moving it through each return and the caller's
    /// binding cost more than the one allocation of a box.
    public enum Event: Hashable, Sendable {
        /// The message header.
        indirect case header(SyncHeader)
        /// A complete leaf command, at body level or inside the open container.
        indirect case command(Command)
        /// A `Sync`, `Atomic` or `Sequence` begins: its own fields, no commands yet.
        indirect case begin(Command)
        /// The innermost open container ends.
        case end
        /// `<Final/>`.
        case final
        /// The message is complete; `next()` answers nil from now on.
        case endOfMessage
    }

    private enum Level {
        case root, body
        /// A container whose own fields have been emitted.
        case container
    }

    private enum UnitKind {
        case header, command, final, ignored
        /// The own fields of a container: recorded until its first command child.
        case containerHead
    }

    /// Which tokenizer reads the input, once its first byte is seen. Both are
    /// stored, not optional, so that the hot loop uses them in place.
    private enum Format { case undetected, wbxml, xml }
    private var format = Format.undetected
    private var wbxml = WBXMLTokenizer()
    private var xml = XMLTokenizer()
    private var prefix: [UInt8] = []
    private var finished = false
    private var done = false
    private var levels: [Level] = []
    /// A container's head was returned as `.begin` and its end came with it:
    /// `.end` is the next event.
    private var pendingEnd = false
    /// Where the token being handled starts, and where the recorded unit started.
    private var tokenStart = 0
    private var previousOffset = 0
    private var unitStart = 0

    /// How many input bytes the event `next()` returned last stands for: the
    /// whole element of a header or leaf command, a container's own fields for
    /// `.begin`, 0 for `.end` and `.endOfMessage`. For `syncml decode --stats`.
    public private(set) var lastEventByteCount = 0

    private var unitKind: UnitKind?
    private var unitDepth = 0
    /// The tokens of the unit being recorded (cleared when the next one begins).
    private var recording = TokenRecording()
    private var sawHeader = false

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
    public var isWBXML: Bool? {
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

    // MARK: - Segmentation into units

    /// SyncML tag codes as bit sets, so that checking a start tag hashes nothing.
    private static let containerCodes = codes([.sync, .atomic, .sequence])
    private static let commandCodes = codes([
        .add, .alert, .atomic, .copy, .delete, .exec, .get, .map, .move, .put, .replace, .results, .search,
        .sequence, .status, .sync,
    ])

    private static func codes(_ tags: [Tag]) -> UInt64 {
        tags.reduce(0) { $0 | 1 << $1.code }
    }

    private static func isCommand(_ tag: Tag) -> Bool {
        tag.namespace == .syncML && tag.code < 64 && commandCodes & (1 << tag.code) != 0
    }

    private static func isContainer(_ tag: Tag) -> Bool {
        tag.namespace == .syncML && tag.code < 64 && containerCodes & (1 << tag.code) != 0
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

    /// The name of a start token.
    private static func name(_ token: RecordedToken, _ markup: MarkupToken?) -> ElementName {
        if case .start(let name)? = markup { return name }
        return .known(token.tag!)
    }

    /// A start token's tag read as SyncML (the namespace a peer forgot resolved by name).
    private static func syncMLTag(_ token: RecordedToken, _ markup: MarkupToken?) -> Tag? {
        guard token.kind == .start else { return nil }
        if let tag = token.tag, tag.namespace == .syncML { return tag }
        return name(token, markup).tag(in: .syncML)
    }

    private mutating func record(_ token: RecordedToken, _ markup: MarkupToken?) {
        if let markup {
            recording.append(markup, at: token.offset)
        } else {
            recording.append(token)
        }
    }

    private mutating func beginUnit(_ kind: UnitKind, _ token: RecordedToken, _ markup: MarkupToken?) {
        unitKind = kind
        unitDepth = 1
        unitStart = tokenStart
        recording.removeAll()
        record(token, markup)
        // The recorded ranges point into the tokenizer's buffer: keep it.
        if format == .wbxml { wbxml.keepFrom = tokenStart }
    }

    /// Handles one token; returns the event it completes, if any (setting
    /// `lastEventByteCount`). At most one more, an `.end`, is left in `pendingEnd`.
    private mutating func handle(_ token: RecordedToken, _ markup: MarkupToken?) throws(SyncMLDecodingError) -> Event? {
        if let kind = unitKind {
            if kind == .containerHead, unitDepth == 1 {
                if let tag = Self.syncMLTag(token, markup), Self.isCommand(tag) {
                    // The container's first command: its own fields are complete.
                    recording.append(.end(at: token.offset))
                    let begin = try completeUnit()
                    levels.append(.container)
                    _ = try handleStructure(token, markup) // a start: no event
                    return begin
                }
                if token.kind == .end {
                    recording.append(.end(at: token.offset))
                    let begin = try completeUnit()
                    pendingEnd = true
                    return begin
                }
            }
            record(token, markup)
            switch token.kind {
            case .start: unitDepth += 1
            case .end:
                unitDepth -= 1
                if unitDepth == 0 { return try completeUnit() }
            default: break
            }
            return nil
        }
        return try handleStructure(token, markup)
    }

    /// A token outside any recorded unit: the SyncML/SyncBody skeleton.
    private mutating func handleStructure(_ token: RecordedToken, _ markup: MarkupToken?) throws(SyncMLDecodingError) -> Event? {
        let offset = token.offset
        switch token.kind {
        case .text, .character:
            return nil // white space between elements
        case .opaque:
            throw SyncMLDecodingError(.unexpectedElement, at: offset, "OPAQUE data between elements")
        case .end:
            switch levels.popLast() {
            case .root?:
                if !sawHeader { throw SyncMLDecodingError(.unexpectedElement, at: offset, "message has no <SyncHdr>") }
                done = true
                lastEventByteCount = 0
                return .endOfMessage
            case .container?:
                lastEventByteCount = 0
                return .end
            case .body?: return nil
            case nil: throw SyncMLDecodingError(.malformedXML, at: offset, "end tag without element")
            }
        case .start:
            let tag = Self.syncMLTag(token, markup)
            switch levels.last {
            case nil:
                guard tag == .syncML else {
                    let name = Self.name(token, markup)
                    throw SyncMLDecodingError(.unexpectedElement, at: offset, "expected <SyncML>, found \(name.displayName)")
                }
                levels.append(.root)
            case .root?:
                if tag == .syncHdr {
                    guard !sawHeader else { throw SyncMLDecodingError(.unexpectedElement, at: offset, "second <SyncHdr>") }
                    beginUnit(.header, token, markup)
                } else if tag == .syncBody {
                    guard sawHeader else { throw SyncMLDecodingError(.unexpectedElement, at: offset, "<SyncBody> before <SyncHdr>") }
                    levels.append(.body)
                } else {
                    beginUnit(.ignored, token, markup)
                }
            case .body?, .container?:
                if let tag, Self.isContainer(tag) {
                    beginUnit(.containerHead, token, markup)
                } else if tag == .final {
                    beginUnit(.final, token, markup)
                } else if levels.last == .container, tag.map({ !Self.isCommand($0) }) ?? false {
                    beginUnit(.ignored, token, markup) // a container field after its commands
                } else {
                    beginUnit(.command, token, markup)
                }
            }
            return nil
        }
    }

    /// Parses the recorded unit; its event, if it has one.
    private mutating func completeUnit() throws(SyncMLDecodingError) -> Event? {
        guard let kind = unitKind else { return nil }
        unitKind = nil
        // A container's head ends where the token that closed it began.
        let size = max(0, (unitDepth == 0 ? recording.lastOffset ?? tokenStart : tokenStart) - unitStart)
        var reader: ElementReader
        if format == .wbxml {
            wbxml.keepFrom = Int.max
            let input = wbxml.input
            reader = ElementReader(recording, input: input.bytes, base: input.base)
        } else {
            reader = ElementReader(recording)
        }
        let name = try reader.open()
        if kind != .ignored { lastEventByteCount = size }
        switch kind {
        case .header:
            sawHeader = true
            return .header(try reader.header())
        case .command:
            return .command(try reader.command(name))
        case .containerHead:
            return .begin(try reader.command(name))
        case .final:
            return .final
        case .ignored:
            return nil
        }
    }
}

extension SyncMLMessage {
    /// Decodes one whole message (WBXML or XML). Item data share `bytes`'
    /// storage when it is an array.
    public init(decoding bytes: some Collection<UInt8>) throws(SyncMLDecodingError) {
        var decoder = SyncMLDecoder()
        decoder.feed(bytes)
        decoder.finish()
        var header: SyncHeader?
        var body: [Command] = []
        var open: [Command] = []
        var isFinal = false
        func append(_ command: Command) {
            guard let parent = open.popLast() else { return body.append(command) }
            open.append(parent.appending(command))
        }
        while let event = try decoder.next() {
            switch event {
            case .header(let h): header = h
            case .command(let command): append(command)
            case .begin(let container): open.append(container)
            case .end: if let container = open.popLast() { append(container) }
            case .final: isFinal = true
            case .endOfMessage: break
            }
        }
        guard let header else { throw SyncMLDecodingError(.truncated, at: 0, "message has no <SyncHdr>") }
        self.init(header: header, commands: body, isFinal: isFinal)
    }
}

extension Command {
    /// The commands a container holds (empty for leaves).
    public var children: [Command] {
        switch self {
        case .sync(let sync): sync.commands
        case .atomic(let group), .sequence(let group): group.commands
        default: []
        }
    }

    /// This container with `command` appended to its commands.
    func appending(_ command: Command) -> Command {
        switch self {
        case .sync(var sync): sync.commands.append(command); return .sync(sync)
        case .atomic(var group): group.commands.append(command); return .atomic(group)
        case .sequence(var group): group.commands.append(command); return .sequence(group)
        default: return self
        }
    }
}
