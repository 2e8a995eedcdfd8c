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
///
/// This file holds the state, the dispatch and the helpers; each kind of construct
/// is read in its own file: `+Elements` (tags), `+Namespaces`, `+CharacterData`
/// (text, CDATA, references), `+Prolog` (skipped constructs), `+Syntax` (byte classes).
package struct XMLTokenizer: MarkupTokenizer {
    /// Where the tokenizer is: before the byte-order mark, in the prolog, inside the
    /// root element, or past its end.
    enum Phase { case start, prolog, content, done }

    /// An open element: its qualified name (in `openNames`) and where its
    /// namespace declarations begin (in `bindings` and `bindingBytes`).
    struct Frame {
        var nameStart: Int
        var bindingCount: Int
        var bindingBytesCount: Int
    }

    /// A namespace declaration in scope; ranges index `bindingBytes`.
    struct Binding {
        var prefix: Range<Int> // empty for the default namespace
        var uri: Range<Int>
        var namespace: Namespace?
    }

    /// How far the search for the end of the construct at `pos` has got.
    struct Scan {
        var at = 0 // absolute offset to resume from; 0 means the construct's start
        var quote: UInt8 = 0
        var inSubset = false
        var inComment = false
    }

    package let limits: XMLLimits
    package internal(set) var documentInfo: DocumentInfo?
    /// CDATA sections come out as `.opaque` instead of `.text`, so that a
    /// transcoder can keep them apart from text as WBXML keeps OPAQUE apart
    /// from strings (libwbxml2 maps the one to the other). Off for the decoder,
    /// which reads both as character data.
    package var cdataAsOpaque = false
    package var offset: Int { base + pos }

    var buffer: [UInt8] = []
    var pos = 0 // index in `buffer` of the next unread byte
    var base = 0 // absolute offset of `buffer[0]`
    private var finished = false
    var phase = Phase.start
    var declarationAllowed = false
    var pendingEnd = false
    private var failure: SyncMLDecodingError?
    var scan = Scan()

    var frames: [Frame] = []
    var openNames: [UInt8] = []
    var bindings: [Binding] = []
    var bindingBytes: [UInt8] = []
    /// Namespace URIs seen so far and what they resolve to, so that the
    /// `xmlns='syncml:metinf'` repeated on every Meta child costs no allocation.
    var uriCache: [(uri: [UInt8], namespace: Namespace?)] = []

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

    // MARK: Helpers

    mutating func advance(to index: Int) {
        pos = index
        scan = Scan()
    }

    /// `.needsInput`, unless the input is finished or the construct has grown too long.
    func needMore(_ what: String) throws(SyncMLDecodingError) -> TokenizerEvent {
        if finished {
            throw truncated("the input ended inside \(what) starting at byte \(offset)")
        }
        if buffer.count - pos > limits.maxTokenSize {
            throw SyncMLDecodingError(.limitExceeded, at: offset, "\(what) longer than \(limits.maxTokenSize) bytes")
        }
        return .needsInput
    }

    func checkSize(through last: Int) throws(SyncMLDecodingError) {
        guard last + 1 - pos <= limits.maxTokenSize else {
            throw SyncMLDecodingError(.limitExceeded, at: offset, "construct longer than \(limits.maxTokenSize) bytes")
        }
    }

    private func truncated(_ reason: String) -> SyncMLDecodingError {
        SyncMLDecodingError(.truncated, at: base + buffer.count, reason)
    }

    func malformed(_ index: Int, _ reason: String) -> SyncMLDecodingError {
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
    mutating func find(_ a: UInt8, _ b: UInt8, _ c: UInt8, from: Int) -> Int? {
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
}
