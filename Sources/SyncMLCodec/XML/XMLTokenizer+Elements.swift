// Start and end tags: the open elements, their names checked against the name
// rules and limits, and the tags matched.

extension XMLTokenizer {
    mutating func startTag() throws(SyncMLDecodingError) -> TokenizerEvent? {
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

    mutating func endTag() throws(SyncMLDecodingError) -> TokenizerEvent {
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

    mutating func popElement() {
        let frame = frames.removeLast()
        openNames.removeSubrange(frame.nameStart...)
        bindings.removeSubrange(frame.bindingCount...)
        bindingBytes.removeSubrange(frame.bindingBytesCount...)
        if frames.isEmpty { phase = .done }
    }

    /// The end of the name starting at `start`, checked against the name rules and limit.
    func name(from start: Int, limit: Int, _ what: String) throws(SyncMLDecodingError) -> Int {
        guard start < limit, Self.isNameStart(buffer[start]) else { throw malformed(start, "expected an \(what) name") }
        var i = start + 1
        while i < limit, Self.isNameChar(buffer[i]) { i += 1 }
        guard i - start <= limits.maxNameLength else {
            throw SyncMLDecodingError(.limitExceeded, at: base + start, "\(what) name longer than \(limits.maxNameLength) bytes")
        }
        return i
    }
}
