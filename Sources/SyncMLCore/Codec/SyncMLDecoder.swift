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
    public enum Event: Hashable, Sendable {
        /// The message header.
        case header(SyncHeader)
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

    // Exactly one is set once the first byte is seen. Separate optionals, not an
    // enum with payloads, so that `next()` mutates the tokenizer in place.
    private var wbxml: WBXMLTokenizer?
    private var xml: XMLTokenizer?
    private var prefix: [UInt8] = []
    private var finished = false
    private var done = false
    private var levels: [Level] = []
    private var queue: [Event] = []
    private var queueSizes: [Int] = []
    private var queueHead = 0
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
    private var unitTokens: [MarkupToken] = []
    private var unitOffsets: [Int] = []
    private var sawHeader = false

    public init() {}

    /// Appends input.
    public mutating func feed(_ bytes: some Collection<UInt8>) {
        if wbxml != nil {
            wbxml!.feed(bytes)
        } else if xml != nil {
            xml!.feed(bytes)
        } else {
            prefix.append(contentsOf: bytes)
            detectFormat()
        }
    }

    /// Declares that no more input will come.
    public mutating func finish() {
        finished = true
        wbxml?.finish()
        xml?.finish()
    }

    /// Whether the input is WBXML (true), XML (false) or not yet known (nil).
    public var isWBXML: Bool? {
        wbxml != nil ? true : xml != nil ? false : nil
    }

    /// The WBXML header, or XML, once read.
    package var documentInfo: DocumentInfo? {
        wbxml?.documentInfo ?? xml?.documentInfo
    }

    private mutating func detectFormat() {
        // Skip a UTF-8 BOM and white space; '<' means XML, anything else WBXML
        // (whose first byte, the version, is 0x00-0x03).
        var i = 0
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < prefix.count, prefix[i].isXMLWhitespace { i += 1 }
        guard i < prefix.count else { return }
        if prefix[i] == UInt8(ascii: "<") {
            var tokenizer = XMLTokenizer()
            tokenizer.feed(prefix)
            if finished { tokenizer.finish() }
            xml = tokenizer
        } else {
            var tokenizer = WBXMLTokenizer()
            tokenizer.feed(prefix)
            if finished { tokenizer.finish() }
            wbxml = tokenizer
        }
        prefix = []
    }

    private mutating func nextToken() throws(SyncMLDecodingError) -> (TokenizerEvent, Int) {
        if wbxml != nil {
            let event = try wbxml!.next()
            return (event, wbxml!.offset)
        }
        if xml != nil {
            let event = try xml!.next()
            return (event, xml!.offset)
        }
        if finished {
            throw SyncMLDecodingError(.truncated, at: prefix.count, "no SyncML message in the input")
        }
        return (.needsInput, 0)
    }

    /// The next event, or nil when more input is needed (or the message is done).
    public mutating func next() throws(SyncMLDecodingError) -> Event? {
        while queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueSizes.removeAll(keepingCapacity: true)
            queueHead = 0
            if done { return nil }
            let (event, offset) = try nextToken()
            switch event {
            case .needsInput:
                return nil
            case .endOfDocument:
                if !done {
                    throw SyncMLDecodingError(.truncated, at: offset, "document ended inside the message")
                }
            case .token(let token):
                tokenStart = previousOffset
                try handle(token, at: offset)
                previousOffset = offset
            }
        }
        defer { queueHead += 1 }
        lastEventByteCount = queueSizes[queueHead]
        // Move the event out (a swap, not a copy: no retain/release of its fields).
        var event = Event.end
        swap(&event, &queue[queueHead])
        return event
    }

    // MARK: - Segmentation into units

    private static let containerTags: Set<Tag> = [.sync, .atomic, .sequence]
    private static let commandTags: Set<Tag> = [
        .add, .alert, .atomic, .copy, .delete, .exec, .get, .map, .move, .put, .replace, .results, .search,
        .sequence, .status, .sync,
    ]

    private static func syncMLTag(_ token: MarkupToken) -> Tag? {
        guard case .start(let name) = token else { return nil }
        return name.tag(in: .syncML)
    }

    private mutating func beginUnit(_ kind: UnitKind, _ token: MarkupToken, at offset: Int) {
        unitKind = kind
        unitDepth = 1
        unitStart = tokenStart
        unitTokens.removeAll(keepingCapacity: true)
        unitOffsets.removeAll(keepingCapacity: true)
        unitTokens.append(token)
        unitOffsets.append(offset)
    }

    private mutating func handle(_ token: MarkupToken, at offset: Int) throws(SyncMLDecodingError) {
        if let kind = unitKind {
            if kind == .containerHead, unitDepth == 1 {
                if let tag = Self.syncMLTag(token), Self.commandTags.contains(tag) {
                    // The container's first command: its own fields are complete.
                    unitTokens.append(.end)
                    unitOffsets.append(offset)
                    try completeUnit()
                    levels.append(.container)
                    return try handleStructure(token, at: offset)
                }
                if token == .end {
                    unitTokens.append(.end)
                    unitOffsets.append(offset)
                    try completeUnit()
                    emit(.end)
                    return
                }
            }
            unitTokens.append(token)
            unitOffsets.append(offset)
            switch token {
            case .start: unitDepth += 1
            case .end:
                unitDepth -= 1
                if unitDepth == 0 { try completeUnit() }
            default: break
            }
            return
        }
        try handleStructure(token, at: offset)
    }

    /// A token outside any recorded unit: the SyncML/SyncBody skeleton.
    private mutating func handleStructure(_ token: MarkupToken, at offset: Int) throws(SyncMLDecodingError) {
        switch token {
        case .text, .character:
            return // white space between elements
        case .opaque:
            throw SyncMLDecodingError(.unexpectedElement, at: offset, "OPAQUE data between elements")
        case .end:
            switch levels.popLast() {
            case .root?:
                if !sawHeader { throw SyncMLDecodingError(.unexpectedElement, at: offset, "message has no <SyncHdr>") }
                emit(.endOfMessage)
                done = true
            case .container?: emit(.end)
            case .body?: break
            case nil: throw SyncMLDecodingError(.malformedXML, at: offset, "end tag without element")
            }
            return
        case .start(let name):
            let tag = name.tag(in: .syncML)
            switch levels.last {
            case nil:
                guard tag == .syncML else {
                    throw SyncMLDecodingError(.unexpectedElement, at: offset, "expected <SyncML>, found \(name.displayName)")
                }
                levels.append(.root)
            case .root?:
                if tag == .syncHdr {
                    guard !sawHeader else { throw SyncMLDecodingError(.unexpectedElement, at: offset, "second <SyncHdr>") }
                    beginUnit(.header, token, at: offset)
                } else if tag == .syncBody {
                    guard sawHeader else { throw SyncMLDecodingError(.unexpectedElement, at: offset, "<SyncBody> before <SyncHdr>") }
                    levels.append(.body)
                } else {
                    beginUnit(.ignored, token, at: offset)
                }
            case .body?, .container?:
                if let tag, Self.containerTags.contains(tag) {
                    beginUnit(.containerHead, token, at: offset)
                } else if tag == .final {
                    beginUnit(.final, token, at: offset)
                } else if levels.last == .container, tag.map({ !Self.commandTags.contains($0) }) ?? false {
                    beginUnit(.ignored, token, at: offset) // a container field after its commands
                } else {
                    beginUnit(.command, token, at: offset)
                }
            }
        }
    }

    private mutating func emit(_ event: Event, size: Int = 0) {
        queue.append(event)
        queueSizes.append(size)
    }

    private mutating func completeUnit() throws(SyncMLDecodingError) {
        guard let kind = unitKind else { return }
        unitKind = nil
        // A container's head ends where the token that closed it began.
        let size = max(0, (unitDepth == 0 ? unitOffsets.last ?? tokenStart : tokenStart) - unitStart)
        var reader = ElementReader(tokens: unitTokens, offsets: unitOffsets)
        let name = try reader.open()
        switch kind {
        case .header:
            emit(.header(try reader.header()), size: size)
            sawHeader = true
        case .command:
            emit(.command(try reader.command(name)), size: size)
        case .containerHead:
            emit(.begin(try reader.command(name)), size: size)
        case .final:
            emit(.final, size: size)
        case .ignored:
            break
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
