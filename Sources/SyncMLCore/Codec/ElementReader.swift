/// Reads one recorded element (a header or a command) token by token.
///
/// The streaming decoder records the tokens of one complete element, then a
/// typed parser walks them with this reader. Parsers are called after the
/// element's `.start` was consumed and read its children until its `.end`.
struct ElementReader {
    private let tokens: [MarkupToken]
    private let offsets: [Int]
    private(set) var index = 0

    init(tokens: [MarkupToken], offsets: [Int]) {
        self.tokens = tokens
        self.offsets = offsets
    }

    /// Byte offset of the token last consumed, for errors.
    var offset: Int { offsets.isEmpty ? 0 : offsets[max(0, min(index, offsets.count) - 1)] }

    func error(_ kind: SyncMLDecodingError.Kind, _ reason: String) -> SyncMLDecodingError {
        SyncMLDecodingError(kind, at: offset, reason)
    }

    private mutating func take() throws(SyncMLDecodingError) -> MarkupToken {
        guard index < tokens.count else { throw error(.truncated, "element ends early") }
        defer { index += 1 }
        return tokens[index]
    }

    /// Consumes the element's own start token.
    mutating func open() throws(SyncMLDecodingError) -> ElementName {
        while true {
            switch try take() {
            case .start(let name): return name
            case .text, .character: continue
            case .end, .opaque: throw error(.unexpectedElement, "expected an element")
            }
        }
    }

    /// The next child element (its start consumed), or nil once the current
    /// element's end is consumed. Text between children is ignored.
    mutating func nextChild() throws(SyncMLDecodingError) -> ElementName? {
        while true {
            switch try take() {
            case .start(let name): return name
            case .end: return nil
            case .text, .character, .opaque: continue
            }
        }
    }

    /// Skips the rest of the current element, nested elements included.
    mutating func skip() throws(SyncMLDecodingError) {
        var depth = 1
        while depth > 0 {
            switch try take() {
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
            switch token {
            case .end:
                return joined.map { ArraySlice($0) } ?? single
            case .text(let bytes), .opaque(let bytes):
                piece = bytes
            case .character(let scalar):
                piece = ArraySlice(String(Character(scalar)).utf8)
            case .start(let name):
                throw error(.unexpectedElement, "element \(name.displayName) inside a text value")
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
        String(decoding: try bytes(), as: UTF8.self)
    }

    /// The content as a string with surrounding white space removed, for
    /// values such as numbers, codes and URIs.
    mutating func trimmed() throws(SyncMLDecodingError) -> String {
        let bytes = try bytes()
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start].isXMLWhitespace { start += 1 }
        while end > start, bytes[end - 1].isXMLWhitespace { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
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
            switch try take() {
            case .end:
                flush()
                // Drop white space that only separated child elements.
                if element.content.count > 1 || element.content.contains(where: { if case .element = $0 { true } else { false } }) {
                    element.content.removeAll { node in
                        if case .text(let s) = node { s.allSatisfy(\.isWhitespace) } else { false }
                    }
                }
                return element
            case .start(let child):
                flush()
                element.content.append(.element(try unknown(child)))
            case .text(let bytes):
                text.append(contentsOf: bytes)
            case .character(let scalar):
                text.append(contentsOf: String(Character(scalar)).utf8)
            case .opaque(let bytes):
                flush()
                element.content.append(.bytes(Array(bytes)))
            }
        }
    }

    /// Looks at the remaining content of the current element without consuming
    /// it: does it contain a child element?
    func contentHasElement() -> Bool {
        var i = index
        while i < tokens.count {
            switch tokens[i] {
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
    func tag(in namespace: Namespace) -> Tag? {
        if case .known(let tag) = self, tag.namespace == namespace { return tag }
        return CodePages.tag(named: localName, in: namespace)
    }
}
