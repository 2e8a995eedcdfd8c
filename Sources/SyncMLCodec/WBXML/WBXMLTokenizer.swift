private import CSupport

/// Bounds on the work a hostile WBXML document can cause.
package struct WBXMLLimits: Hashable, Sendable {
    /// Open elements, root included.
    package var maxDepth: Int
    /// Bytes of one inline string (STR_I), also bounds an attribute list.
    package var maxStringLength: Int
    /// Bytes of one OPAQUE.
    package var maxOpaqueLength: Int
    /// Bytes of the string table.
    package var maxTableLength: Int

    package init(
        maxDepth: Int = 64,
        maxStringLength: Int = 16 << 20,
        maxOpaqueLength: Int = 64 << 20,
        maxTableLength: Int = 64 << 10
    ) {
        self.maxDepth = maxDepth
        self.maxStringLength = maxStringLength
        self.maxOpaqueLength = maxOpaqueLength
        self.maxTableLength = maxTableLength
    }

    package static let `default` = WBXMLLimits()
}

/// Tokenizes WBXML 1.0-1.3 (WAP-192-WBXML) SyncML, MetInf and DevInf documents.
///
/// The byte loop is the C scanner in CSupport (`csupport_wbxml_next`); this type
/// owns the input buffer, names tags through `CodePages`, resolves string table
/// references and synthesizes the end of elements without content. In a UTF-8
/// (or US-ASCII, or unspecified) document text tokens are slices of the input
/// buffer, no bytes are copied; ISO-8859-1 text is converted to UTF-8.
package struct WBXMLTokenizer: MarkupTokenizer {
    /// Input not yet dropped; `position` is the scanner's place in it.
    private var buffer: [UInt8] = []
    private var position = 0
    private var scanner = csupport_wbxml_scanner()
    /// Absolute offset of `buffer[0]`: consumed input is dropped on `feed`.
    private var base = 0
    /// A copy of the string table, so that references stay valid after the
    /// header's bytes are dropped from `buffer`.
    private var table: [UInt8] = []
    private var latin1 = false
    private var pageZero: Namespace = .syncML
    private var isSyncMLDocument = true
    /// A start tag without content was returned: its `.end` comes next.
    private var pendingEnd = false
    private var finished = false
    private var failure: SyncMLDecodingError?
    package private(set) var documentInfo: DocumentInfo?
    /// Read once here: the static table behind a lazy-initialization check
    /// cost that check on every START token.
    private let assigned = AssignedTokens.table

    package init(limits: WBXMLLimits = .default) {
        func clamp(_ value: Int) -> UInt32 { UInt32(clamping: max(value, 1)) }
        var c = csupport_wbxml_limits()
        c.max_depth = clamp(limits.maxDepth)
        c.max_string_length = clamp(limits.maxStringLength)
        c.max_opaque_length = clamp(limits.maxOpaqueLength)
        c.max_table_length = clamp(limits.maxTableLength)
        csupport_wbxml_init(&scanner, &c)
    }

    package var offset: Int { Int(scanner.consumed) }

    /// What `nextRaw()` found: most tokens as plain values whose text is a
    /// range of absolute input offsets (see `input`), the rest as MarkupTokens.
    enum RawEvent {
        case token(RecordedToken)
        /// A token whose content is not in the input: a LITERAL or unknown tag
        /// name, a string table reference, ISO-8859-1 text.
        case markup(MarkupToken)
        case needsInput
        case endOfDocument
    }

    /// The buffered input and the absolute offset of its first byte: the
    /// ranges of `RecordedToken`s index it once `base` is subtracted.
    var input: (bytes: [UInt8], base: Int) { (buffer, base) }

    /// Input from this absolute offset on is kept by `feed` even once consumed,
    /// so that recorded ranges stay valid; `Int.max` keeps nothing.
    var keepFrom = Int.max

    package mutating func feed(_ bytes: some Collection<UInt8>) {
        let drop = min(position, max(0, keepFrom - base))
        if drop > 0 {
            buffer.removeSubrange(0..<drop)
            position -= drop
            base += drop
        }
        if buffer.isEmpty, let array = bytes as? [UInt8] {
            buffer = array // shares the caller's storage: a whole message is not copied
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    package mutating func finish() {
        finished = true
    }

    package mutating func next() throws(SyncMLDecodingError) -> TokenizerEvent {
        switch try nextRaw() {
        case .token(let token):
            switch token.kind {
            case .start: return .token(.start(.known(token.tag!)))
            case .end: return .token(.end)
            case .text: return .token(.text(buffer[(token.lower - base)..<(token.upper - base)]))
            case .opaque: return .token(.opaque(buffer[(token.lower - base)..<(token.upper - base)]))
            case .character: return .token(.character(Unicode.Scalar(UInt32(token.lower))!))
            }
        case .markup(let token): return .token(token)
        case .needsInput: return .needsInput
        case .endOfDocument: return .endOfDocument
        }
    }

    /// The next token, as `next()` but without building a MarkupToken for the
    /// common ones: the decoder's hot path.
    @inline(__always)
    mutating func nextRaw() throws(SyncMLDecodingError) -> RawEvent {
        if let failure { throw failure }
        if pendingEnd {
            pendingEnd = false
            return .token(.end(at: offset))
        }
        do {
            while true {
                if let token = try step() { return token }
            }
        } catch {
            failure = error
            throw error
        }
    }

    /// How `recordElement` stopped.
    enum ElementScan {
        /// The element's end was recorded.
        case complete
        case needsInput
        case endOfDocument
    }

    /// Records the tokens of the element being read into `recording` until
    /// its end (`depth` open elements, its own included, counted down to 0):
    /// the decoder's inner loop, one borrow of the buffer for all tokens
    /// instead of one event through the decoder per token. Records what
    /// `nextRaw()` token by token would; `lastOffset` is where the last
    /// recorded token ended.
    mutating func recordElement(
        into recording: inout TokenRecording, depth: inout Int, lastOffset: inout Int
    ) throws(SyncMLDecodingError) -> ElementScan {
        if let failure { throw failure }
        let input = buffer
        do {
            return try input.withUnsafeBufferPointer { bytes throws(SyncMLDecodingError) -> ElementScan in
                while true {
                    let event: RawEvent
                    if pendingEnd {
                        pendingEnd = false
                        event = .token(.end(at: offset))
                    } else {
                        guard let scanned = try scan(bytes) else { continue }
                        event = scanned
                    }
                    let kind: RecordedToken.Kind
                    switch event {
                    case .token(let token):
                        recording.append(token)
                        kind = token.kind
                    case .markup(let token):
                        recording.append(token, at: offset)
                        if case .start = token { kind = .start } else { kind = .text }
                    case .needsInput:
                        return .needsInput
                    case .endOfDocument:
                        return .endOfDocument
                    }
                    lastOffset = offset
                    if kind == .start {
                        depth += 1
                    } else if kind == .end {
                        depth -= 1
                        if depth == 0 { return .complete }
                    }
                }
            }
        } catch {
            failure = error
            throw error
        }
    }

    /// One call of the C scanner: an event, or nil for a token that is not
    /// surfaced (the header, extensions).
    private mutating func step() throws(SyncMLDecodingError) -> RawEvent? {
        // The scanner works on the stored state in place (the buffer is
        // borrowed through a local): copying the state in and out per token
        // stalled on reading back what C had just written.
        let input = buffer
        return try input.withUnsafeBufferPointer { bytes throws(SyncMLDecodingError) in try scan(bytes) }
    }

    /// `step()` on the buffer's bytes, borrowed by the caller.
    @inline(__always)
    private mutating func scan(_ input: UnsafeBufferPointer<UInt8>) throws(SyncMLDecodingError) -> RawEvent? {
        var token = csupport_wbxml_token()
        let status = csupport_wbxml_next(&scanner, input.baseAddress, input.count, &position, &token)

        switch status {
        case CSUPPORT_WBXML_OK:
            break
        case CSUPPORT_WBXML_NEED_MORE:
            guard finished else { return .needsInput }
            throw SyncMLDecodingError(.truncated, at: offset, truncationReason)
        case CSUPPORT_WBXML_END:
            return .endOfDocument
        default:
            let kind: SyncMLDecodingError.Kind =
                scanner.error_kind == UInt8(CSUPPORT_WBXML_ERROR_LIMIT) ? .limitExceeded : .malformedWBXML
            let reason = scanner.error_reason.map { String(cString: $0) } ?? "malformed WBXML"
            throw SyncMLDecodingError(kind, at: Int(scanner.error_offset), reason)
        }

        let start = Int(token.data_offset)
        let data = start..<start + Int(token.data_length)
        let end = offset
        switch UInt32(token.kind) {
        case CSUPPORT_WBXML_START.rawValue:
            if token.flags & UInt8(CSUPPORT_WBXML_FLAG_CONTENT) == 0 {
                pendingEnd = true
            }
            if let tag = knownTag(token) { return .token(.start(tag, at: end)) }
            return .markup(.start(try unknownName(token)))
        case CSUPPORT_WBXML_ENDTAG.rawValue:
            return .token(.end(at: end))
        case CSUPPORT_WBXML_STRING.rawValue:
            if latin1 { return .markup(.text(text(buffer[data]))) }
            return .token(.bytes(.text, (base + data.lowerBound)..<(base + data.upperBound), at: end))
        case CSUPPORT_WBXML_TABLE_STRING.rawValue:
            return .markup(.text(text(try tableString(at: token.index, offset: end))))
        case CSUPPORT_WBXML_OPAQUE.rawValue:
            return .token(.bytes(.opaque, (base + data.lowerBound)..<(base + data.upperBound), at: end))
        case CSUPPORT_WBXML_ENTITY.rawValue:
            // The scanner has checked that the code point is a scalar value.
            guard Unicode.Scalar(token.value) != nil else {
                throw SyncMLDecodingError(.malformedWBXML, at: end, "entity is not a Unicode scalar value")
            }
            return .token(RecordedToken(kind: .character, tag: nil, lower: Int(token.value), offset: end))
        case CSUPPORT_WBXML_HEADER.rawValue:
            try readHeader(token, table: data)
            return nil
        default:
            return nil // EXT_*: SyncML defines no extensions.
        }
    }

    private mutating func readHeader(_ token: csupport_wbxml_token, table range: Range<Int>) throws(SyncMLDecodingError) {
        table = Array(buffer[range])
        switch token.charset {
        case 0, 3, 106: latin1 = false // unknown (and WBXML 1.0), US-ASCII, UTF-8
        case 4: latin1 = true // ISO-8859-1
        default:
            throw SyncMLDecodingError(.unsupported, at: 0, "unsupported WBXML charset (MIBenum \(token.charset))")
        }
        let publicID: PublicID
        if token.value == 0 {
            publicID = .string(string(try tableString(at: token.index, offset: 1)))
        } else {
            publicID = .number(token.value)
        }
        if let (namespace, _) = SyncMLVersion.vocabulary(of: publicID) {
            pageZero = namespace
            isSyncMLDocument = namespace == .syncML
        }
        documentInfo = DocumentInfo(
            encoding: .wbxml, wbxmlVersion: token.version, publicID: publicID, charset: token.charset)
    }

    /// The tag of a START token in the SyncML, MetInf or DevInf tables, if any.
    @inline(__always)
    private func knownTag(_ token: csupport_wbxml_token) -> Tag? {
        if token.flags & UInt8(CSUPPORT_WBXML_FLAG_LITERAL) != 0 { return nil }
        let namespace: Namespace? =
            switch token.page {
            case 0: pageZero
            case 1 where isSyncMLDocument: .metInf
            default: nil
            }
        guard let namespace else { return nil }
        let tag = Tag(namespace, token.tag)
        return assigned.contains(tag) ? tag : nil
    }

    /// The name of a START token that `knownTag` does not know.
    private func unknownName(_ token: csupport_wbxml_token) throws(SyncMLDecodingError) -> ElementName {
        if token.flags & UInt8(CSUPPORT_WBXML_FLAG_LITERAL) != 0 {
            return .unknown(namespace: "", name: string(try tableString(at: token.index, offset: offset)))
        }
        let hex = String(token.tag, radix: 16, uppercase: true)
        return .unknown(namespace: "", name: "page-\(token.page)-token-0x\(hex.count < 2 ? "0" + hex : hex)")
    }

    /// The NUL-terminated string at `index` in the string table (WAP-192 §5.7).
    private func tableString(at index: UInt32, offset: Int) throws(SyncMLDecodingError) -> ArraySlice<UInt8> {
        let start = Int(index)
        guard start < table.count, let end = table[start...].firstIndex(of: 0) else {
            throw SyncMLDecodingError(.malformedWBXML, at: offset, "string table entry without a NUL terminator")
        }
        return table[start..<end]
    }

    /// Text bytes as UTF-8: the same slice, or for ISO-8859-1 a converted copy.
    private func text(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard latin1, bytes.contains(where: { $0 >= 0x80 }) else { return bytes }
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            if byte < 0x80 {
                utf8.append(byte)
            } else {
                utf8.append(0xC0 | byte >> 6)
                utf8.append(0x80 | byte & 0x3F)
            }
        }
        return utf8[...]
    }

    private func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: text(bytes), as: UTF8.self)
    }

    private var truncationReason: String {
        switch scanner.phase {
        case 0: "document ends inside the WBXML header"
        case _ where scanner.depth == 0: "document ends before the root element"
        default: "document ends inside an element (\(scanner.depth) open)"
        }
    }
}

/// Which tag tokens of each namespace have a name in `CodePages`, as bit sets:
/// a START token is checked with a shift instead of a String lookup.
private struct AssignedTokens {
    private var bits: (UInt64, UInt64, UInt64) = (0, 0, 0)

    static let table: AssignedTokens = {
        var table = AssignedTokens()
        for code in UInt8(0)..<64 {
            func bit(_ namespace: Namespace) -> UInt64 {
                CodePages.name(of: Tag(namespace, code)) != nil ? 1 << code : 0
            }
            table.bits.0 |= bit(.syncML)
            table.bits.1 |= bit(.metInf)
            table.bits.2 |= bit(.devInf)
        }
        return table
    }()

    func contains(_ tag: Tag) -> Bool {
        guard tag.code < 64 else { return false }
        let set =
            switch tag.namespace {
            case .syncML: bits.0
            case .metInf: bits.1
            case .devInf: bits.2
            }
        return set & (1 << tag.code) != 0
    }
}
