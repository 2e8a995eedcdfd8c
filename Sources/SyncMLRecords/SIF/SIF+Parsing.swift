import SyncMLCodec

// Reading a SIF document with the codec's XML tokenizer, errors mapped to
// RecordError with the line of the problem.

extension SIF {
    /// Parses a SIF document (plain XML, not base64).
    ///
    /// Errors: input that is not well-formed XML, ends early or is not UTF-8 →
    /// ``RecordError``(`.malformedLine`, `.missingEnd`, `.invalidUTF8`) with the line of the
    /// problem; a root element that is none of the four kinds → `.malformedLine`; nesting
    /// deeper than a group inside a field → `.limitExceeded`.
    package static func parse(_ bytes: some Collection<UInt8>) throws(RecordError) -> SIFItem {
        let input = Array(bytes)
        guard input.count <= maxItemBytes else {
            throw RecordError(.limitExceeded, line: 1, "SIF item of \(input.count) bytes is larger than \(maxItemBytes)")
        }
        var tokenizer = XMLTokenizer(limits: XMLLimits(maxDepth: 4, maxTokenSize: maxItemBytes))
        tokenizer.feed(input)
        tokenizer.finish()

        func fail(_ error: SyncMLDecodingError) -> RecordError {
            let line = lineNumber(of: error.offset, in: input)
            let kind: RecordError.Kind = switch error.kind {
            case .truncated: .missingEnd
            case .limitExceeded: .limitExceeded
            default: .malformedLine
            }
            return RecordError(kind, line: line, "SIF: \(error.reason)")
        }
        func next() throws(RecordError) -> MarkupToken? {
            do {
                switch try tokenizer.next() {
                case .token(let token): return token
                case .endOfDocument, .needsInput: return nil
                }
            } catch {
                throw fail(error)
            }
        }

        // The root.
        guard case .start(let rootName)? = try next() else {
            throw RecordError(.malformedLine, line: 1, "SIF: no root element")
        }
        guard let kind = SIFKind(rootElement: rootName.localName) else {
            throw RecordError(.malformedLine, line: 1, "SIF: root element <\(rootName.localName)> is not contact, appointment, task or note")
        }

        /// Reads the content of an element whose start was consumed, up to its end.
        func element(_ name: String, depth: Int) throws(RecordError) -> SIFField {
            var text: [UInt8] = []
            var children: [SIFField] = []
            while true {
                guard let token = try next() else {
                    throw RecordError(.missingEnd, line: lineNumber(of: tokenizer.offset, in: input), "SIF: <\(name)> not closed")
                }
                switch token {
                case .end:
                    guard let value = String(validating: text, as: UTF8.self) else {
                        throw RecordError(.invalidUTF8, line: lineNumber(of: tokenizer.offset, in: input), "SIF: <\(name)> is not valid UTF-8")
                    }
                    // Text that only separated child elements is layout.
                    if !children.isEmpty { return SIFField(name, "", children: children) }
                    return SIFField(name, value)
                case .start(let child):
                    children.append(try element(child.localName, depth: depth + 1))
                case .text(let bytes):
                    text.append(contentsOf: bytes)
                case .character(let scalar):
                    text.append(contentsOf: String(Character(scalar)).utf8)
                case .opaque(let bytes):
                    text.append(contentsOf: bytes)
                }
            }
        }

        var fields: [SIFField] = []
        while true {
            guard let token = try next() else {
                throw RecordError(.missingEnd, line: lineNumber(of: tokenizer.offset, in: input), "SIF: <\(kind.rootElement)> not closed")
            }
            switch token {
            case .end:
                return SIFItem(kind: kind, fields: fields)
            case .start(let name):
                fields.append(try element(name.localName, depth: 1))
            case .text, .character, .opaque:
                continue // white space between fields (or stray text: ignored)
            }
        }
    }

    /// Parses a SIF item given as base64 text (Meta Format `b64`).
    package static func parse(base64 bytes: some Collection<UInt8>) throws(RecordError) -> SIFItem {
        try parse(decodeBase64(bytes))
    }

    static func lineNumber(of offset: Int, in bytes: [UInt8]) -> Int {
        1 + bytes.prefix(max(0, min(offset, bytes.count))).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }
}
