// Constructs that are read and skipped: comments, processing instructions (the XML
// declaration checked for its encoding) and a DOCTYPE with its internal subset.

extension XMLTokenizer {
    mutating func comment() throws(SyncMLDecodingError) -> TokenizerEvent? {
        guard let close = find(ASCII.dash, ASCII.dash, ASCII.gt, from: pos + Self.commentOpen.count) else {
            return try needMore("a comment")
        }
        try checkSize(through: close + 2)
        advance(to: close + 3)
        declarationAllowed = false
        return nil
    }

    mutating func processingInstruction() throws(SyncMLDecodingError) -> TokenizerEvent? {
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
    mutating func doctype() throws(SyncMLDecodingError) -> TokenizerEvent? {
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
}
