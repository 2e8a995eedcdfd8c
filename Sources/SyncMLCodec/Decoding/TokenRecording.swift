/// One token of a recorded element, as plain values: recording and reading it
/// costs no reference counting, which per token is most of a decode's time.
///
/// Text and opaque data are a range of absolute input offsets, resolved
/// against the input buffer when the element is read; the rare token whose
/// content is not in the input (a WBXML table string, converted ISO-8859-1,
/// XML text, an unknown element name) keeps it in the recording's side tables.
struct RecordedToken {
    enum Kind: UInt8 {
        case start, end, text, opaque, character
    }

    var kind: Kind
    /// `.start`: the known tag; nil when the name is `names[lower]`.
    var tag: Tag?
    /// `.text`/`.opaque`: the bytes are `slices[lower]`, not an input range.
    var isSideSlice = false
    /// `.text`/`.opaque`: the input range `lower..<upper` (absolute offsets) or
    /// a side slice index; `.start` without tag: a name index; `.character`: the scalar.
    var lower = 0
    var upper = 0
    /// Absolute input offset just past the token, for errors.
    var offset: Int

    static func start(_ tag: Tag, at offset: Int) -> Self {
        RecordedToken(kind: .start, tag: tag, offset: offset)
    }

    static func end(at offset: Int) -> Self {
        RecordedToken(kind: .end, tag: nil, offset: offset)
    }

    /// Text or opaque bytes at absolute input offsets `range`.
    static func bytes(_ kind: Kind, _ range: Range<Int>, at offset: Int) -> Self {
        RecordedToken(kind: kind, tag: nil, lower: range.lowerBound, upper: range.upperBound, offset: offset)
    }
}

/// The tokens of one element (a header or a command) while it is recorded and
/// then read, with the side tables of the tokens that are not input ranges.
struct TokenRecording {
    private(set) var tokens: [RecordedToken] = []
    private(set) var names: [ElementName] = []
    private(set) var slices: [ArraySlice<UInt8>] = []

    var isEmpty: Bool { tokens.isEmpty }
    var count: Int { tokens.count }
    var lastOffset: Int? { tokens.last?.offset }

    mutating func append(_ token: RecordedToken) {
        tokens.append(token)
    }

    /// Appends a token given as a MarkupToken (XML, or a WBXML token whose
    /// content is not an input range); its payload goes to the side tables.
    mutating func append(_ token: MarkupToken, at offset: Int) {
        switch token {
        case .start(.known(let tag)):
            tokens.append(.start(tag, at: offset))
        case .start(let name):
            tokens.append(RecordedToken(kind: .start, tag: nil, lower: names.count, offset: offset))
            names.append(name)
        case .end:
            tokens.append(.end(at: offset))
        case .text(let bytes):
            tokens.append(RecordedToken(kind: .text, tag: nil, isSideSlice: true, lower: slices.count, offset: offset))
            slices.append(bytes)
        case .opaque(let bytes):
            tokens.append(RecordedToken(kind: .opaque, tag: nil, isSideSlice: true, lower: slices.count, offset: offset))
            slices.append(bytes)
        case .character(let scalar):
            tokens.append(RecordedToken(kind: .character, tag: nil, lower: Int(scalar.value), offset: offset))
        }
    }

    mutating func removeAll() {
        tokens.removeAll(keepingCapacity: true)
        if !names.isEmpty { names.removeAll(keepingCapacity: true) }
        if !slices.isEmpty { slices.removeAll(keepingCapacity: true) }
    }

    /// The name of a `.start` token.
    func name(_ token: RecordedToken) -> ElementName {
        if let tag = token.tag { return .known(tag) }
        return names[token.lower]
    }

    /// The bytes of a `.text`/`.opaque` token: a side slice, or a slice of
    /// `input`, whose first byte is at absolute offset `base`.
    func bytes(_ token: RecordedToken, input: [UInt8], base: Int) -> ArraySlice<UInt8> {
        if token.isSideSlice { return slices[token.lower] }
        return input[(token.lower - base)..<(token.upper - base)]
    }
}
