// How the decoder segments the token stream into units (the SyncHdr, each leaf
// command, each container's own fields) and turns a complete unit into an event.

extension SyncMLDecoder {
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
    mutating func handle(_ token: RecordedToken, _ markup: MarkupToken?) throws(SyncMLDecodingError) -> Event? {
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
    mutating func completeUnit() throws(SyncMLDecodingError) -> Event? {
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
