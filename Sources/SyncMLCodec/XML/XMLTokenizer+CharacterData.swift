// Character data: text runs as slices of the buffer, CDATA sections, and entity
// and character references (XML 1.0 §4.1; only the five predefined entities).

extension XMLTokenizer {
    /// Text up to the next `<` or `&`, or to the end of the buffer.
    mutating func text() -> TokenizerEvent {
        let start = pos
        let end = buffer.withUnsafeBufferPointer { bytes in
            var i = start
            while i < bytes.count, bytes[i] != ASCII.lt, bytes[i] != ASCII.amp { i += 1 }
            return i
        }
        advance(to: end)
        return .token(.text(buffer[start ..< end]))
    }

    mutating func reference() throws(SyncMLDecodingError) -> TokenizerEvent {
        let semicolon = Self.referenceEnd(buffer, ampersand: pos, limit: buffer.count)
        guard semicolon < buffer.count, buffer[semicolon] == ASCII.semicolon else {
            if semicolon == buffer.count, semicolon - pos < Self.maxReferenceLength { return try needMore("a reference") }
            throw malformed(pos, "unterminated reference")
        }
        let scalar = try Self.parseReference(buffer, ampersand: pos, semicolon: semicolon, base: base)
        advance(to: semicolon + 1)
        return .token(.character(scalar))
    }

    mutating func cdataSection() throws(SyncMLDecodingError) -> TokenizerEvent? {
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

    /// Checks (and with `keep`, appends decoded) an attribute value's bytes.
    static func decodeValue(
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
}
