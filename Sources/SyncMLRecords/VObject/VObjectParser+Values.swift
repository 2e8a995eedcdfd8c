// A property value after its transport encodings: quoted-printable decoded,
// base64 checked, legacy charsets converted to UTF-8.

extension VObjectParser {
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    static func decodeQuotedPrintable(_ raw: UnsafeBufferPointer<UInt8>, property: String, line: Int) throws(RecordError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            let byte = raw[i]
            if byte != equals {
                out.append(byte)
                i += 1
                continue
            }
            if i + 1 == raw.count { break }  // dangling soft break at the very end
            guard i + 2 < raw.count, let high = hexValue(raw[i + 1]), let low = hexValue(raw[i + 2]) else {
                let shown = String(decoding: raw[i..<min(i + 3, raw.count)], as: UTF8.self)
                throw RecordError(.badQuotedPrintable, line: line, "broken quoted-printable escape \"\(shown)\" in \(property)")
            }
            out.append(high << 4 | low)
            i += 3
        }
        return out
    }

    /// Base64 text without whitespace, checked: alphabet `A–Z a–z 0–9 + /`, `=` only at the end.
    static func stripBase64(_ bytes: some Sequence<UInt8>, property: String, line: Int) throws(RecordError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount)
        try appendBase64(bytes, to: &out, property: property, line: line)
        return out
    }

    /// What a byte is in base64 text.
    enum Base64Byte { case whiteSpace, padding, digit, other }

    @inline(__always)
    static func base64Class(_ byte: UInt8) -> Base64Byte {
        switch byte {
        case space, tab, cr, lf: .whiteSpace
        case equals: .padding
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2B, 0x2F: .digit
        default: .other
        }
    }

    /// Whether `stripBase64` would accept `bytes` and give them back unchanged
    /// (no white space to take out): then the scan reads them where they are.
    static func isStrippedBase64(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var padding = 0
        for byte in bytes {
            switch base64Class(byte) {
            case .whiteSpace, .other: return false
            case .padding: padding += 1
            case .digit: if padding > 0 { return false }
            }
        }
        return padding <= 2
    }

    /// Appends what `stripBase64` gives to `out`.
    static func appendBase64(_ bytes: some Sequence<UInt8>, to out: inout [UInt8], property: String, line: Int) throws(RecordError) {
        var padding = 0
        for byte in bytes {
            switch base64Class(byte) {
            case .whiteSpace: continue
            case .padding: padding += 1; out.append(byte); continue
            case .digit:
                if padding == 0 { out.append(byte); continue }
            case .other: break
            }
            let shown = byte >= 0x21 && byte < 0x7F ? String(UnicodeScalar(byte)) : "0x" + String(byte, radix: 16)
            throw RecordError(.badBase64, line: line, "invalid base64 character \"\(shown)\" in \(property)")
        }
        if padding > 2 { throw RecordError(.badBase64, line: line, "too much base64 padding in \(property)") }
    }

    static func decodeValue(_ raw: UnsafeBufferPointer<UInt8>, header: Header, line: Int) throws(RecordError) -> String {
        var charset = LegacyCharset.utf8
        if let name = header.charset, !header.base64 {
            guard let known = LegacyCharset(name: name) else {
                throw RecordError(.unsupportedCharset, line: line, "unsupported CHARSET=\(name) in \(header.name)")
            }
            charset = known
        }
        if !header.quotedPrintable, !header.base64, charset == .utf8 {
            guard let value = UTF8Check.string(raw) else {
                throw RecordError(.invalidUTF8, line: line, "invalid UTF-8 in \(header.name) value")
            }
            return value
        }
        if header.base64, !header.quotedPrintable {
            // Checked against the base64 alphabet, so ASCII: no copy of the raw text, no UTF-8 check.
            return String(decoding: try stripBase64(raw, property: header.name, line: line), as: UTF8.self)
        }
        var bytes = header.quotedPrintable
            ? try decodeQuotedPrintable(raw, property: header.name, line: line) : Array(raw)
        if header.base64 {
            bytes = try stripBase64(bytes, property: header.name, line: line)
        } else if charset != .utf8 {
            var converted: [UInt8] = []
            bytes.withUnsafeBufferPointer { charset.transcode($0, into: &converted) }
            bytes = converted
        }
        guard let value = UTF8Check.string(bytes) else {
            throw RecordError(.invalidUTF8, line: line, "invalid UTF-8 in \(header.name) value")
        }
        return value
    }
}
