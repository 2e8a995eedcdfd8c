/// Bounds that keep a broken or hostile XML message from exhausting memory or time.
///
/// Every limit is checked before the work it bounds is done, so a document that
/// exceeds one fails with `.limitExceeded` instead of growing the buffer or stack.
package struct XMLLimits: Hashable, Sendable {
    /// Deepest element nesting accepted (SyncML with inline DevInf needs about 12).
    package var maxDepth: Int
    /// Longest element or attribute name, prefix included, in bytes.
    package var maxNameLength: Int
    /// Most attributes (namespace declarations included) on one element.
    package var maxAttributes: Int
    /// Longest single construct that must sit whole in the buffer: a tag, comment,
    /// CDATA section, processing instruction or DOCTYPE, in bytes. Plain text is
    /// streamed out in pieces and never counts against it.
    package var maxTokenSize: Int

    package init(maxDepth: Int = 64, maxNameLength: Int = 256, maxAttributes: Int = 64, maxTokenSize: Int = 64 << 20) {
        self.maxDepth = maxDepth
        self.maxNameLength = maxNameLength
        self.maxAttributes = maxAttributes
        self.maxTokenSize = maxTokenSize
    }
}

/// A streaming pull tokenizer for SyncML messages in XML (OMA-TS-SyncML_RepPro-V1_2 §5,
/// XML 1.0 and Namespaces in XML 1.0), fed UTF-8 bytes in chunks of any size.
///
/// It turns markup into the same ``MarkupToken``s as the WBXML tokenizer: element
/// names are resolved through their namespace (`SYNCML:SYNCML1.2`, `syncml:metinf`,
/// `syncml:devinf`) to code-page ``Tag``s; text and CDATA come out as slices of the
/// buffer, references as single characters. Prolog, comments, processing
/// instructions and DOCTYPE are skipped.
///
/// Resumable: `next()` never consumes half a construct. When the buffer ends inside
/// one it answers `.needsInput` and remembers how far its search got, so a large
/// CDATA section fed in small chunks is scanned once. Plain text is handed out as
/// far as the buffer reaches, so a text run may arrive in more pieces when input is
/// chunked (consumers join adjacent pieces anyway).
///
/// Deliberate differences from a validating XML processor:
/// - Bytes pass through verbatim: no line-end normalization (vCard and iCalendar
///   items keep their CRLF) and no check that the text is valid UTF-8.
/// - Entity declarations in a DOCTYPE internal subset are skipped, not honoured:
///   a reference to such an entity is an unknown entity (this also rules out
///   entity-expansion attacks).
/// - Only UTF-8 (or its subset US-ASCII) is accepted; a declared ISO-8859-1 or any
///   other encoding throws `.unsupported`, because transcoding would rule out
///   handing out slices of the input and SyncML peers send UTF-8 in practice.
/// - Content after the root element is not read.
package struct XMLTokenizer: MarkupTokenizer {
    private enum Phase { case start, prolog, content, done }

    /// An open element: its qualified name (in `openNames`) and where its
    /// namespace declarations begin (in `bindings` and `bindingBytes`).
    private struct Frame {
        var nameStart: Int
        var bindingCount: Int
        var bindingBytesCount: Int
    }

    /// A namespace declaration in scope; ranges index `bindingBytes`.
    private struct Binding {
        var prefix: Range<Int> // empty for the default namespace
        var uri: Range<Int>
        var namespace: Namespace?
    }

    /// How far the search for the end of the construct at `pos` has got.
    private struct Scan {
        var at = 0 // absolute offset to resume from; 0 means the construct's start
        var quote: UInt8 = 0
        var inSubset = false
        var inComment = false
    }

    package let limits: XMLLimits
    package private(set) var documentInfo: DocumentInfo?
    /// CDATA sections come out as `.opaque` instead of `.text`, so that a
    /// transcoder can keep them apart from text as WBXML keeps OPAQUE apart
    /// from strings (libwbxml2 maps the one to the other). Off for the decoder,
    /// which reads both as character data.
    package var cdataAsOpaque = false
    package var offset: Int { base + pos }

    private var buffer: [UInt8] = []
    private var pos = 0 // index in `buffer` of the next unread byte
    private var base = 0 // absolute offset of `buffer[0]`
    private var finished = false
    private var phase = Phase.start
    private var declarationAllowed = false
    private var pendingEnd = false
    private var failure: SyncMLDecodingError?
    private var scan = Scan()

    private var frames: [Frame] = []
    private var openNames: [UInt8] = []
    private var bindings: [Binding] = []
    private var bindingBytes: [UInt8] = []
    /// Namespace URIs seen so far and what they resolve to, so that the
    /// `xmlns='syncml:metinf'` repeated on every Meta child costs no allocation.
    private var uriCache: [(uri: [UInt8], namespace: Namespace?)] = []

    package init(limits: XMLLimits = XMLLimits()) {
        self.limits = limits
    }

    // MARK: MarkupTokenizer

    /// Appends input. The consumed prefix is dropped once it is at least as long as
    /// the unread rest, which keeps the cost of moving bytes linear overall.
    package mutating func feed(_ bytes: some Collection<UInt8>) {
        guard !finished, phase != .done, failure == nil else { return }
        if pos > 0, pos >= buffer.count - pos {
            buffer.removeSubrange(0 ..< pos)
            base += pos
            pos = 0
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
        if let failure { throw failure }
        do {
            return try step()
        } catch {
            failure = error
            throw error
        }
    }

    // MARK: Dispatch

    private mutating func step() throws(SyncMLDecodingError) -> TokenizerEvent {
        if pendingEnd {
            pendingEnd = false
            popElement()
            return .token(.end)
        }
        while true {
            switch phase {
            case .done:
                return .endOfDocument
            case .start:
                if let event = try byteOrderMark() { return event }
            case .prolog:
                let start = pos
                while pos < buffer.count, Self.isSpace(buffer[pos]) { pos += 1 }
                if pos != start { declarationAllowed = false }
                guard pos < buffer.count else {
                    if finished { throw truncated("the input ended before the root element") }
                    return .needsInput
                }
                guard buffer[pos] == ASCII.lt else { throw malformed(pos, "text before the root element") }
                if let event = try markup() { return event }
            case .content:
                guard pos < buffer.count else {
                    if finished { throw truncated("the input ended with \(frames.count) element(s) open") }
                    return .needsInput
                }
                switch buffer[pos] {
                case ASCII.lt:
                    if let event = try markup() { return event }
                case ASCII.amp:
                    return try reference()
                default:
                    return text()
                }
            }
        }
    }

    /// Skips a UTF-8 byte-order mark at the very start; nil when done.
    private mutating func byteOrderMark() throws(SyncMLDecodingError) -> TokenizerEvent? {
        let available = buffer.count - pos
        let bom: (UInt8, UInt8, UInt8) = (0xEF, 0xBB, 0xBF)
        if available < 3, !finished,
           available == 0 || buffer[pos] == bom.0 && (available == 1 || buffer[pos + 1] == bom.1) {
            return .needsInput
        }
        if available >= 3, buffer[pos] == bom.0, buffer[pos + 1] == bom.1, buffer[pos + 2] == bom.2 {
            advance(to: pos + 3)
        } else if available >= 2, buffer[pos] == 0xFE || buffer[pos] == 0xFF || buffer[pos] == 0 || buffer[pos + 1] == 0 {
            throw SyncMLDecodingError(.unsupported, at: offset, "UTF-16 and UTF-32 XML are not supported; only UTF-8")
        }
        phase = .prolog
        declarationAllowed = true
        return nil
    }

    /// Dispatches on the markup at `pos` (a `<`); nil when a construct was skipped.
    private mutating func markup() throws(SyncMLDecodingError) -> TokenizerEvent? {
        guard pos + 1 < buffer.count else { return try needMore("markup") }
        switch buffer[pos + 1] {
        case ASCII.slash:
            return try endTag()
        case ASCII.question:
            return try processingInstruction()
        case ASCII.bang:
            let comment = match(Self.commentOpen)
            if comment == .yes { return try self.comment() }
            let cdata = match(Self.cdataOpen)
            if cdata == .yes { return try cdataSection() }
            let doctype = match(Self.doctypeOpen)
            if doctype == .yes { return try self.doctype() }
            if comment == .undecided || cdata == .undecided || doctype == .undecided {
                return try needMore("markup")
            }
            throw malformed(pos, "unknown markup declaration")
        default:
            return try startTag()
        }
    }

    // MARK: Elements

    private mutating func startTag() throws(SyncMLDecodingError) -> TokenizerEvent? {
        // Find the closing '>' outside quoted attribute values.
        var i = max(pos + 1, scan.at - base)
        var quote = scan.quote
        var end = -1
        while i < buffer.count {
            let byte = buffer[i]
            if quote != 0 {
                if byte == quote {
                    quote = 0
                } else if byte == ASCII.lt {
                    throw malformed(i, "'<' in an attribute value")
                }
            } else if byte == ASCII.gt {
                end = i
                break
            } else if byte == ASCII.quot || byte == ASCII.apos {
                quote = byte
            } else if byte == ASCII.lt {
                throw malformed(i, "'<' inside a tag")
            }
            i += 1
        }
        guard end >= 0 else {
            scan.at = base + i
            scan.quote = quote
            return try needMore("a start tag")
        }
        try checkSize(through: end)

        i = pos + 1
        let nameStart = i
        i = try name(from: i, limit: end, "element")
        let nameEnd = i
        guard frames.count < limits.maxDepth else {
            throw SyncMLDecodingError(.limitExceeded, at: offset, "elements nested deeper than \(limits.maxDepth)")
        }
        frames.append(Frame(nameStart: openNames.count, bindingCount: bindings.count, bindingBytesCount: bindingBytes.count))
        openNames.append(contentsOf: buffer[nameStart ..< nameEnd])

        var attributes = 0
        var empty = false
        while true {
            let spaceStart = i
            while i < end, Self.isSpace(buffer[i]) { i += 1 }
            let byte = buffer[i]
            if byte == ASCII.gt { break }
            if byte == ASCII.slash {
                guard i + 1 == end else { throw malformed(i, "expected '>' after '/'") }
                empty = true
                break
            }
            guard i > spaceStart else { throw malformed(i, "expected whitespace before an attribute") }
            let attributeStart = i
            i = try name(from: i, limit: end, "attribute")
            let attributeEnd = i
            while i < end, Self.isSpace(buffer[i]) { i += 1 }
            guard buffer[i] == ASCII.equals else { throw malformed(i, "expected '=' after an attribute name") }
            i += 1
            while i < end, Self.isSpace(buffer[i]) { i += 1 }
            let quote = buffer[i]
            guard quote == ASCII.quot || quote == ASCII.apos else {
                throw malformed(i, "expected a quoted attribute value")
            }
            let valueStart = i + 1
            var valueEnd = valueStart
            while valueEnd < end, buffer[valueEnd] != quote { valueEnd += 1 }
            guard valueEnd < end else { throw malformed(i, "unterminated attribute value") }
            attributes += 1
            guard attributes <= limits.maxAttributes else {
                throw SyncMLDecodingError(.limitExceeded, at: base + attributeStart, "more than \(limits.maxAttributes) attributes")
            }
            try attribute(name: attributeStart ..< attributeEnd, value: valueStart ..< valueEnd)
            i = valueEnd + 1
        }

        let element = try resolve(nameStart ..< nameEnd)
        if phase == .prolog {
            phase = .content
            documentInfo = DocumentInfo(encoding: .xml)
        }
        advance(to: end + 1)
        pendingEnd = empty
        return .token(.start(element))
    }

    private mutating func endTag() throws(SyncMLDecodingError) -> TokenizerEvent {
        var i = max(pos + 2, scan.at - base)
        while i < buffer.count, buffer[i] != ASCII.gt {
            if buffer[i] == ASCII.lt { throw malformed(i, "'<' inside an end tag") }
            i += 1
        }
        guard i < buffer.count else {
            scan.at = base + i
            return try needMore("an end tag")
        }
        let end = i
        try checkSize(through: end)
        let nameStart = pos + 2
        i = try name(from: nameStart, limit: end, "element")
        let nameEnd = i
        while i < end, Self.isSpace(buffer[i]) { i += 1 }
        guard i == end else { throw malformed(i, "expected '>' in an end tag") }
        guard let frame = frames.last else { throw malformed(pos, "end tag before the root element") }
        let open = openNames[frame.nameStart...]
        let found = buffer[nameStart ..< nameEnd]
        guard open.elementsEqual(found) else {
            throw malformed(pos, "expected </\(String(decoding: open, as: UTF8.self))>, found </\(String(decoding: found, as: UTF8.self))>")
        }
        advance(to: end + 1)
        popElement()
        return .token(.end)
    }

    private mutating func popElement() {
        let frame = frames.removeLast()
        openNames.removeSubrange(frame.nameStart...)
        bindings.removeSubrange(frame.bindingCount...)
        bindingBytes.removeSubrange(frame.bindingBytesCount...)
        if frames.isEmpty { phase = .done }
    }

    /// Records a namespace declaration; checks the references in any other value.
    private mutating func attribute(name: Range<Int>, value: Range<Int>) throws(SyncMLDecodingError) {
        let xmlns = Self.xmlnsPrefix
        var isDeclaration = name.count >= 5
        if isDeclaration {
            for k in 0 ..< 5 where buffer[name.lowerBound + k] != xmlns[k] {
                isDeclaration = false
                break
            }
        }
        if isDeclaration, name.count > 5 {
            isDeclaration = name.count > 6 && buffer[name.lowerBound + 5] == ASCII.colon
        }
        guard isDeclaration else {
            var ignored: [UInt8] = []
            try Self.decodeValue(buffer, value, base: base, keep: false, into: &ignored)
            return
        }
        let prefixStart = bindingBytes.count
        if name.count > 6 { bindingBytes.append(contentsOf: buffer[(name.lowerBound + 6) ..< name.upperBound]) }
        let uriStart = bindingBytes.count
        try Self.decodeValue(buffer, value, base: base, keep: true, into: &bindingBytes)
        let uri = uriStart ..< bindingBytes.count
        if name.count > 6, uri.isEmpty {
            throw malformed(value.lowerBound, "a namespace prefix cannot be bound to an empty name")
        }
        let namespace = uri.isEmpty ? nil : namespace(forURIAt: uri)
        bindings.append(Binding(prefix: prefixStart ..< uriStart, uri: uri, namespace: namespace))
    }

    private mutating func namespace(forURIAt uri: Range<Int>) -> Namespace? {
        let bytes = bindingBytes[uri]
        for entry in uriCache where entry.uri.elementsEqual(bytes) {
            return entry.namespace
        }
        let namespace = CodePages.namespace(forURI: String(decoding: bytes, as: UTF8.self))
        if uriCache.count < 16 { uriCache.append((Array(bytes), namespace)) }
        return namespace
    }

    /// Resolves a qualified element name through the declarations in scope.
    private func resolve(_ qualified: Range<Int>) throws(SyncMLDecodingError) -> ElementName {
        var colon = -1
        for k in qualified where buffer[k] == ASCII.colon {
            colon = k
            break
        }
        let prefix = colon < 0 ? qualified.lowerBound ..< qualified.lowerBound : qualified.lowerBound ..< colon
        let localStart = colon < 0 ? qualified.lowerBound : colon + 1
        guard colon != qualified.lowerBound, localStart < qualified.upperBound,
              !buffer[localStart ..< qualified.upperBound].contains(ASCII.colon)
        else {
            throw malformed(qualified.lowerBound, "invalid qualified name")
        }
        var binding: Binding?
        var k = bindings.count
        while k > 0 {
            k -= 1
            if bindingBytes[bindings[k].prefix].elementsEqual(buffer[prefix]) {
                binding = bindings[k]
                break
            }
        }
        let local = String(decoding: buffer[localStart ..< qualified.upperBound], as: UTF8.self)
        guard let binding, !binding.uri.isEmpty else {
            guard prefix.isEmpty else {
                throw malformed(qualified.lowerBound, "undeclared namespace prefix \(String(decoding: buffer[prefix], as: UTF8.self))")
            }
            // No namespace anywhere (or undeclared with xmlns=""): read as SyncML.
            return CodePages.tag(named: local, in: .syncML).map(ElementName.known) ?? .unknown(namespace: "", name: local)
        }
        if let namespace = binding.namespace, let tag = CodePages.tag(named: local, in: namespace) {
            return .known(tag)
        }
        return .unknown(namespace: String(decoding: bindingBytes[binding.uri], as: UTF8.self), name: local)
    }

    /// The end of the name starting at `start`, checked against the name rules and limit.
    private func name(from start: Int, limit: Int, _ what: String) throws(SyncMLDecodingError) -> Int {
        guard start < limit, Self.isNameStart(buffer[start]) else { throw malformed(start, "expected an \(what) name") }
        var i = start + 1
        while i < limit, Self.isNameChar(buffer[i]) { i += 1 }
        guard i - start <= limits.maxNameLength else {
            throw SyncMLDecodingError(.limitExceeded, at: base + start, "\(what) name longer than \(limits.maxNameLength) bytes")
        }
        return i
    }

    // MARK: Character data

    /// Text up to the next `<` or `&`, or to the end of the buffer.
    private mutating func text() -> TokenizerEvent {
        let start = pos
        let end = buffer.withUnsafeBufferPointer { bytes in
            var i = start
            while i < bytes.count, bytes[i] != ASCII.lt, bytes[i] != ASCII.amp { i += 1 }
            return i
        }
        advance(to: end)
        return .token(.text(buffer[start ..< end]))
    }

    private mutating func reference() throws(SyncMLDecodingError) -> TokenizerEvent {
        let semicolon = Self.referenceEnd(buffer, ampersand: pos, limit: buffer.count)
        guard semicolon < buffer.count, buffer[semicolon] == ASCII.semicolon else {
            if semicolon == buffer.count, semicolon - pos < Self.maxReferenceLength { return try needMore("a reference") }
            throw malformed(pos, "unterminated reference")
        }
        let scalar = try Self.parseReference(buffer, ampersand: pos, semicolon: semicolon, base: base)
        advance(to: semicolon + 1)
        return .token(.character(scalar))
    }

    private mutating func cdataSection() throws(SyncMLDecodingError) -> TokenizerEvent? {
        guard phase == .content else { throw malformed(pos, "CDATA section outside the root element") }
        let contentStart = pos + Self.cdataOpen.count
        guard let close = find(ASCII.rbracket, ASCII.rbracket, ASCII.gt, from: contentStart) else {
            return try needMore("a CDATA section")
        }
        try checkSize(through: close + 2)
        advance(to: close + 3)
        guard close != contentStart else { return nil }
        let content = buffer[contentStart ..< close]
        return .token(cdataAsOpaque ? .opaque(content) : .text(content))
    }

    // MARK: Skipped constructs

    private mutating func comment() throws(SyncMLDecodingError) -> TokenizerEvent? {
        guard let close = find(ASCII.dash, ASCII.dash, ASCII.gt, from: pos + Self.commentOpen.count) else {
            return try needMore("a comment")
        }
        try checkSize(through: close + 2)
        advance(to: close + 3)
        declarationAllowed = false
        return nil
    }

    private mutating func processingInstruction() throws(SyncMLDecodingError) -> TokenizerEvent? {
        let targetStart = pos + 2
        var close = max(targetStart, scan.at - base)
        while close + 1 < buffer.count, !(buffer[close] == ASCII.question && buffer[close + 1] == ASCII.gt) { close += 1 }
        guard close + 1 < buffer.count else {
            scan.at = base + close
            return try needMore("a processing instruction")
        }
        try checkSize(through: close + 1)
        let targetEnd = try name(from: targetStart, limit: close, "processing instruction target")
        guard targetEnd == close || Self.isSpace(buffer[targetEnd]) else {
            throw malformed(targetEnd, "expected whitespace after the processing instruction target")
        }
        if targetEnd - targetStart == 3, buffer[targetStart] | 0x20 == ASCII.x,
           buffer[targetStart + 1] | 0x20 == ASCII.m, buffer[targetStart + 2] | 0x20 == ASCII.l {
            guard declarationAllowed, buffer[targetStart] == ASCII.x, buffer[targetStart + 1] == ASCII.m,
                  buffer[targetStart + 2] == ASCII.l
            else {
                throw malformed(pos, "XML declaration not at the start of the document")
            }
            try xmlDeclaration(targetEnd ..< close)
        }
        advance(to: close + 2)
        declarationAllowed = false
        return nil
    }

    /// Checks the `encoding` pseudo-attribute of `<?xml ...?>`; absent means UTF-8.
    private func xmlDeclaration(_ range: Range<Int>) throws(SyncMLDecodingError) {
        let key = Self.encodingKey
        var i = range.lowerBound
        search: while i + key.count <= range.upperBound {
            for k in 0 ..< key.count where buffer[i + k] != key[k] {
                i += 1
                continue search
            }
            break
        }
        guard i + key.count <= range.upperBound else { return }
        i += key.count
        while i < range.upperBound, Self.isSpace(buffer[i]) { i += 1 }
        guard i < range.upperBound, buffer[i] == ASCII.equals else { throw malformed(i, "expected '=' after encoding") }
        i += 1
        while i < range.upperBound, Self.isSpace(buffer[i]) { i += 1 }
        guard i < range.upperBound, buffer[i] == ASCII.quot || buffer[i] == ASCII.apos else {
            throw malformed(i, "expected a quoted encoding name")
        }
        let quote = buffer[i]
        let valueStart = i + 1
        var valueEnd = valueStart
        while valueEnd < range.upperBound, buffer[valueEnd] != quote { valueEnd += 1 }
        guard valueEnd < range.upperBound else { throw malformed(i, "unterminated encoding name") }
        let encoding = String(decoding: buffer[valueStart ..< valueEnd], as: UTF8.self)
        switch encoding.lowercased() {
        case "utf-8", "utf8", "us-ascii", "ascii":
            return
        default:
            // ISO-8859-1 and the rest: see the type's documentation.
            throw SyncMLDecodingError(.unsupported, at: base + valueStart, "encoding \(encoding) is not supported; only UTF-8")
        }
    }

    /// Skips `<!DOCTYPE ...>`, an internal subset in brackets included (quotes and
    /// comments inside it are respected; its declarations are not interpreted).
    private mutating func doctype() throws(SyncMLDecodingError) -> TokenizerEvent? {
        guard phase == .prolog else { throw malformed(pos, "DOCTYPE inside the root element") }
        var state = scan
        var i = max(pos + Self.doctypeOpen.count, state.at - base)
        var end = -1
        scanning: while i < buffer.count {
            let byte = buffer[i]
            if state.inComment {
                if byte == ASCII.dash {
                    guard i + 2 < buffer.count else { break scanning }
                    if buffer[i + 1] == ASCII.dash, buffer[i + 2] == ASCII.gt {
                        state.inComment = false
                        i += 3
                        continue
                    }
                }
            } else if state.quote != 0 {
                if byte == state.quote { state.quote = 0 }
            } else {
                switch byte {
                case ASCII.quot, ASCII.apos:
                    state.quote = byte
                case ASCII.lbracket:
                    state.inSubset = true
                case ASCII.rbracket:
                    state.inSubset = false
                case ASCII.lt where state.inSubset:
                    guard i + 3 < buffer.count else { break scanning }
                    if buffer[i + 1] == ASCII.bang, buffer[i + 2] == ASCII.dash, buffer[i + 3] == ASCII.dash {
                        state.inComment = true
                        i += 4
                        continue
                    }
                case ASCII.gt where !state.inSubset:
                    end = i
                    break scanning
                default:
                    break
                }
            }
            i += 1
        }
        guard end >= 0 else {
            state.at = base + i
            scan = state
            return try needMore("a DOCTYPE declaration")
        }
        try checkSize(through: end)
        advance(to: end + 1)
        declarationAllowed = false
        return nil
    }

    // MARK: Helpers

    private mutating func advance(to index: Int) {
        pos = index
        scan = Scan()
    }

    /// `.needsInput`, unless the input is finished or the construct has grown too long.
    private func needMore(_ what: String) throws(SyncMLDecodingError) -> TokenizerEvent {
        if finished {
            throw truncated("the input ended inside \(what) starting at byte \(offset)")
        }
        if buffer.count - pos > limits.maxTokenSize {
            throw SyncMLDecodingError(.limitExceeded, at: offset, "\(what) longer than \(limits.maxTokenSize) bytes")
        }
        return .needsInput
    }

    private func checkSize(through last: Int) throws(SyncMLDecodingError) {
        guard last + 1 - pos <= limits.maxTokenSize else {
            throw SyncMLDecodingError(.limitExceeded, at: offset, "construct longer than \(limits.maxTokenSize) bytes")
        }
    }

    private func truncated(_ reason: String) -> SyncMLDecodingError {
        SyncMLDecodingError(.truncated, at: base + buffer.count, reason)
    }

    private func malformed(_ index: Int, _ reason: String) -> SyncMLDecodingError {
        SyncMLDecodingError(.malformedXML, at: base + index, reason)
    }

    private enum Match { case yes, no, undecided }

    private func match(_ literal: [UInt8]) -> Match {
        for (k, byte) in literal.enumerated() {
            guard pos + k < buffer.count else { return .undecided }
            if buffer[pos + k] != byte { return .no }
        }
        return .yes
    }

    /// The index of the three-byte sequence `a b c` at or after `from`; remembers
    /// where to resume when it is not there yet.
    private mutating func find(_ a: UInt8, _ b: UInt8, _ c: UInt8, from: Int) -> Int? {
        let start = max(from, scan.at - base)
        let found: Int? = buffer.withUnsafeBufferPointer { bytes in
            var i = start
            while i + 2 < bytes.count {
                if bytes[i] == a, bytes[i + 1] == b, bytes[i + 2] == c { return i }
                i += 1
            }
            return nil
        }
        if found == nil { scan.at = base + max(start, buffer.count - 2) }
        return found
    }

    /// Checks (and with `keep`, appends decoded) an attribute value's bytes.
    private static func decodeValue(
        _ buffer: [UInt8], _ range: Range<Int>, base: Int, keep: Bool, into out: inout [UInt8]
    ) throws(SyncMLDecodingError) {
        var i = range.lowerBound
        var runStart = i
        while i < range.upperBound {
            guard buffer[i] == ASCII.amp else {
                i += 1
                continue
            }
            if keep { out.append(contentsOf: buffer[runStart ..< i]) }
            let semicolon = referenceEnd(buffer, ampersand: i, limit: range.upperBound)
            guard semicolon < range.upperBound, buffer[semicolon] == ASCII.semicolon else {
                throw SyncMLDecodingError(.malformedXML, at: base + i, "unterminated reference")
            }
            let scalar = try parseReference(buffer, ampersand: i, semicolon: semicolon, base: base)
            if keep { out.append(contentsOf: String(Character(scalar)).utf8) }
            i = semicolon + 1
            runStart = i
        }
        if keep { out.append(contentsOf: buffer[runStart ..< range.upperBound]) }
    }

    /// The index of the first byte after `&` that cannot belong to a reference
    /// (the `;` of a well-formed one), at most `maxReferenceLength` bytes on.
    private static func referenceEnd(_ buffer: [UInt8], ampersand: Int, limit: Int) -> Int {
        let limit = min(limit, ampersand + maxReferenceLength)
        var i = ampersand + 1
        while i < limit, isNameChar(buffer[i]) || buffer[i] == ASCII.hash { i += 1 }
        return i
    }

    /// The character named by `&...;` between `ampersand` and `semicolon`.
    private static func parseReference(
        _ buffer: [UInt8], ampersand: Int, semicolon: Int, base: Int
    ) throws(SyncMLDecodingError) -> Unicode.Scalar {
        let name = buffer[(ampersand + 1) ..< semicolon]
        if name.first == ASCII.hash {
            var i = ampersand + 2
            var radix: UInt32 = 10
            if i < semicolon, buffer[i] == ASCII.x {
                radix = 16
                i += 1
            }
            guard i < semicolon else {
                throw SyncMLDecodingError(.malformedXML, at: base + ampersand, "empty character reference")
            }
            var value: UInt32 = 0
            while i < semicolon {
                let digit = hexValue(buffer[i])
                guard digit < radix else {
                    throw SyncMLDecodingError(.malformedXML, at: base + i, "invalid digit in a character reference")
                }
                value = value * radix + digit
                guard value <= 0x10FFFF else { break }
                i += 1
            }
            guard isXMLChar(value), let scalar = Unicode.Scalar(value) else {
                throw SyncMLDecodingError(.malformedXML, at: base + ampersand, "reference to a character XML does not allow")
            }
            return scalar
        }
        switch name.count {
        case 2 where name.last == ASCII.t && (name.first == ASCII.l || name.first == ASCII.g):
            return name.first == ASCII.l ? "<" : ">"
        case 3 where name.elementsEqual(ampName):
            return "&"
        case 4 where name.elementsEqual(quotName):
            return "\""
        case 4 where name.elementsEqual(aposName):
            return "'"
        default:
            throw SyncMLDecodingError(
                .malformedXML, at: base + ampersand, "unknown entity &\(String(decoding: name, as: UTF8.self));"
            )
        }
    }

    /// XML 1.0 §2.2 Char.
    private static func isXMLChar(_ value: UInt32) -> Bool {
        switch value {
        case 0x9, 0xA, 0xD, 0x20 ... 0xD7FF, 0xE000 ... 0xFFFD, 0x10000 ... 0x10FFFF: true
        default: false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt32 {
        switch byte {
        case 0x30 ... 0x39: UInt32(byte - 0x30)
        case 0x41 ... 0x46: UInt32(byte - 0x41 + 10)
        case 0x61 ... 0x66: UInt32(byte - 0x61 + 10)
        default: 99
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// XML 1.0 §2.3 NameStartChar, with every non-ASCII byte allowed.
    private static func isNameStart(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x41 ... 0x5A, 0x61 ... 0x7A, ASCII.underscore, ASCII.colon, 0x80...: true
        default: false
        }
    }

    private static func isNameChar(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == ASCII.dash || byte == ASCII.dot
    }

    private static let maxReferenceLength = 32
    private static let commentOpen: [UInt8] = Array("<!--".utf8)
    private static let cdataOpen: [UInt8] = Array("<![CDATA[".utf8)
    private static let doctypeOpen: [UInt8] = Array("<!DOCTYPE".utf8)
    private static let xmlnsPrefix: [UInt8] = Array("xmlns".utf8)
    private static let encodingKey: [UInt8] = Array("encoding".utf8)
    private static let ampName: [UInt8] = Array("amp".utf8)
    private static let quotName: [UInt8] = Array("quot".utf8)
    private static let aposName: [UInt8] = Array("apos".utf8)
}

private enum ASCII {
    static let lt = UInt8(ascii: "<")
    static let gt = UInt8(ascii: ">")
    static let amp = UInt8(ascii: "&")
    static let slash = UInt8(ascii: "/")
    static let question = UInt8(ascii: "?")
    static let bang = UInt8(ascii: "!")
    static let quot = UInt8(ascii: "\"")
    static let apos = UInt8(ascii: "'")
    static let equals = UInt8(ascii: "=")
    static let colon = UInt8(ascii: ":")
    static let semicolon = UInt8(ascii: ";")
    static let hash = UInt8(ascii: "#")
    static let dash = UInt8(ascii: "-")
    static let dot = UInt8(ascii: ".")
    static let underscore = UInt8(ascii: "_")
    static let lbracket = UInt8(ascii: "[")
    static let rbracket = UInt8(ascii: "]")
    static let x = UInt8(ascii: "x")
    static let m = UInt8(ascii: "m")
    static let l = UInt8(ascii: "l")
    static let t = UInt8(ascii: "t")
    static let g = UInt8(ascii: "g")
}
