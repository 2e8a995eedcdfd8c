/// Reads one recorded element (a header or a command) token by token.
///
/// The streaming decoder records the tokens of one complete element, then a
/// typed parser walks them with this reader. Parsers are called after the
/// element's `.start` was consumed and read its children until its `.end`.
struct ElementReader {
    private let recording: TokenRecording
    /// The input the recorded ranges point into, and the absolute offset of its first byte.
    private let input: [UInt8]
    private let base: Int
    private(set) var index = 0

    init(_ recording: TokenRecording, input: [UInt8] = [], base: Int = 0) {
        self.recording = recording
        self.input = input
        self.base = base
    }

    /// Reads tokens given as MarkupTokens, `offsets[i]` being where token i ends.
    init(tokens: [MarkupToken], offsets: [Int]) {
        var recording = TokenRecording()
        for (token, offset) in zip(tokens, offsets) { recording.append(token, at: offset) }
        self.init(recording)
    }

    /// Byte offset of the token last consumed, for errors.
    var offset: Int {
        let tokens = recording.tokens
        return tokens.isEmpty ? 0 : tokens[max(0, min(index, tokens.count) - 1)].offset
    }

    func error(_ kind: SyncMLDecodingError.Kind, _ reason: String) -> SyncMLDecodingError {
        SyncMLDecodingError(kind, at: offset, reason)
    }

    private mutating func take() throws(SyncMLDecodingError) -> RecordedToken {
        guard index < recording.count else { throw error(.truncated, "element ends early") }
        defer { index += 1 }
        return recording.tokens[index]
    }

    private func elementName(_ token: RecordedToken) -> ElementName {
        recording.name(token)
    }

    private func bytes(of token: RecordedToken) -> ArraySlice<UInt8> {
        recording.bytes(token, input: input, base: base)
    }

    private static func character(_ token: RecordedToken) -> Unicode.Scalar {
        Unicode.Scalar(UInt32(truncatingIfNeeded: token.lower)) ?? "\u{FFFD}"
    }

    /// Consumes the element's own start token.
    mutating func open() throws(SyncMLDecodingError) -> ElementName {
        while true {
            let token = try take()
            switch token.kind {
            case .start: return elementName(token)
            case .text, .character: continue
            case .end, .opaque: throw error(.unexpectedElement, "expected an element")
            }
        }
    }

    /// The next child element (its start consumed), or nil once the current
    /// element's end is consumed. Text between children is ignored.
    /// Inlined into the parsers, where a known tag then needs no ElementName.
    @inline(__always)
    mutating func nextChild() throws(SyncMLDecodingError) -> ElementName? {
        while true {
            let token = try take()
            switch token.kind {
            case .start: return elementName(token)
            case .end: return nil
            case .text, .character, .opaque: continue
            }
        }
    }

    /// Skips the rest of the current element, nested elements included.
    mutating func skip() throws(SyncMLDecodingError) {
        var depth = 1
        while depth > 0 {
            switch try take().kind {
            case .start: depth += 1
            case .end: depth -= 1
            default: break
            }
        }
    }

    /// The content of the current element as bytes, through its end. A single
    /// text or opaque piece is returned without copying.
    mutating func bytes() throws(SyncMLDecodingError) -> ArraySlice<UInt8> {
        var joined: [UInt8]? = nil
        var single: ArraySlice<UInt8> = []
        var pieces = 0
        while true {
            let token = try take()
            let piece: ArraySlice<UInt8>
            switch token.kind {
            case .end:
                return joined.map { ArraySlice($0) } ?? single
            case .text, .opaque:
                piece = bytes(of: token)
            case .character:
                piece = ArraySlice(String(Character(Self.character(token))).utf8)
            case .start:
                throw error(.unexpectedElement, "element \(elementName(token).displayName) inside a text value")
            }
            pieces += 1
            if pieces == 1 {
                single = piece
            } else {
                if joined == nil { joined = Array(single) }
                joined!.append(contentsOf: piece)
            }
        }
    }

    /// The content as a string (UTF-8; invalid sequences repaired).
    mutating func string() throws(SyncMLDecodingError) -> String {
        if let string = singleInputText(trimming: false) { return string }
        return String(decoding: try bytes(), as: UTF8.self)
    }

    /// The content as a string with surrounding white space removed, for
    /// values such as numbers, codes and URIs.
    mutating func trimmed() throws(SyncMLDecodingError) -> String {
        if let string = singleInputText(trimming: true) { return string }
        let bytes = try bytes()
        return bytes.withUnsafeBufferPointer { String(decoding: Self.trimming($0), as: UTF8.self) }
    }

    /// The common case of `string()`/`trimmed()`: the content is one text
    /// piece in the input, then the end. Read straight from the input's
    /// storage (no slice to retain and release); nil, consuming nothing, else.
    private mutating func singleInputText(trimming: Bool) -> String? {
        let tokens = recording.tokens
        guard index + 1 < tokens.count else { return nil }
        let text = tokens[index]
        guard text.kind == .text, !text.isSideSlice, tokens[index + 1].kind == .end else { return nil }
        let lower = text.lower - base, upper = text.upper - base
        // Checked here: a buffer pointer's slice is not, in a release build.
        guard 0 <= lower, lower <= upper, upper <= input.count else { return nil }
        index += 2
        return input.withUnsafeBufferPointer { all in
            let bytes = UnsafeBufferPointer(rebasing: all[lower..<upper])
            return String(decoding: trimming ? Self.trimming(bytes) : bytes, as: UTF8.self)
        }
    }

    private static func trimming(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start].isXMLWhitespace { start += 1 }
        while end > start, bytes[end - 1].isXMLWhitespace { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    /// The content as a non-negative decimal integer.
    mutating func integer(_ what: String) throws(SyncMLDecodingError) -> Int {
        let text = try trimmed()
        guard let value = Int(text), value >= 0 else {
            throw error(.invalidValue, "\(what) must be a non-negative integer, found \"\(text.prefix(40))\"")
        }
        return value
    }

    /// Reads the rest of an element whose start was consumed as kept markup.
    mutating func unknown(_ name: ElementName) throws(SyncMLDecodingError) -> MarkupElement {
        var element = MarkupElement(namespace: name.namespaceURI, name: name.localName)
        var text: [UInt8] = []
        func flush() {
            if !text.isEmpty {
                element.content.append(.text(String(decoding: text, as: UTF8.self)))
                text.removeAll()
            }
        }
        while true {
            let token = try take()
            switch token.kind {
            case .end:
                flush()
                // Drop white space that only separated child elements.
                if element.content.count > 1 || element.content.contains(where: { if case .element = $0 { true } else { false } }) {
                    element.content.removeAll { node in
                        if case .text(let s) = node { s.allSatisfy(\.isWhitespace) } else { false }
                    }
                }
                return element
            case .start:
                flush()
                element.content.append(.element(try unknown(elementName(token))))
            case .text:
                text.append(contentsOf: bytes(of: token))
            case .character:
                text.append(contentsOf: String(Character(Self.character(token))).utf8)
            case .opaque:
                flush()
                element.content.append(.bytes(Array(bytes(of: token))))
            }
        }
    }

    /// Looks at the remaining content of the current element without consuming
    /// it: does it contain a child element?
    func contentHasElement() -> Bool {
        let tokens = recording.tokens
        var i = index
        while i < tokens.count {
            switch tokens[i].kind {
            case .start: return true
            case .end: return false
            default: i += 1
            }
        }
        return false
    }
}

extension UInt8 {
    package var isXMLWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
}

extension ElementName {
    /// The element's local name as it would be written in XML.
    package var localName: String {
        switch self {
        case .known(let tag): CodePages.name(of: tag) ?? tag.description
        case .unknown(_, let name): name
        }
    }

    /// The namespace a kept element records: empty for the message's own
    /// SyncML namespace (whatever its version, and for WBXML LITERAL tags,
    /// which carry no namespace), else the URI (`syncml:metinf`, a vendor's).
    package var namespaceURI: String {
        switch self {
        case .known(let tag):
            switch tag.namespace {
            case .syncML: ""
            case .metInf: "syncml:metinf"
            case .devInf: "syncml:devinf"
            }
        case .unknown(let namespace, _):
            CodePages.namespace(forURI: namespace) == .syncML ? "" : namespace
        }
    }

    var displayName: String { "<\(localName)>" }

    /// This element read as a member of `namespace`: the tag itself if it is
    /// there, else the tag of the same name there. Peers forget `xmlns` on
    /// MetInf and DevInf children; context tells what they meant.
    @inline(__always)
    func tag(in namespace: Namespace) -> Tag? {
        if case .known(let tag) = self, tag.namespace == namespace { return tag }
        return tag(byNameIn: namespace)
    }

    @inline(never)
    private func tag(byNameIn namespace: Namespace) -> Tag? {
        CodePages.tag(named: localName, in: namespace)
    }
}
