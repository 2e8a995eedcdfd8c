/// Writes ``VComponent``s as vCard / iCalendar bytes.
///
/// The writer writes what the model holds; it does not convert between versions. It owns
/// only the transport, which depends on the target ``VFormat``:
/// - CRLF line ends; `BEGIN:`/`END:` around each component, properties first, then
///   nested components.
/// - vCard 3.0/4.0, iCalendar 2.0: lines folded at 75 octets (RFC 6350 §3.2, RFC 5545 §3.1)
///   with CRLF + space, never inside a UTF-8 sequence. Raw line breaks in a value (from a
///   2.1 record) are written as `\n`, since they cannot stand in a content line.
/// - vCard 2.1, vCalendar 1.0: a value with non-ASCII bytes gets `CHARSET=UTF-8`; a value with
///   line breaks or other control characters (tab excepted) gets `ENCODING=QUOTED-PRINTABLE`,
///   with soft line breaks keeping lines at most 76 octets. Other values are not folded
///   (2.1 folding would add a space to the value), except base64, which is folded and ends
///   with the blank line 2.1 asks for. `TYPE` values are written bare (`TEL;WORK;VOICE:`)
///   unless a value could not be read back bare.
/// - `CHARSET` and `ENCODING=QUOTED-PRINTABLE`/`8BIT`/`7BIT` parameters in the model are never
///   written as they are: the writer decides the transport itself (output is always UTF-8).
/// - Parameter values containing `:` `;` `,` are quoted; a `"` inside any value is dropped
///   (RFC 6350 §3.3 allows it neither bare nor quoted, and RFC 6868 is not assumed) and raw
///   line breaks in parameter values are dropped.
public enum VObjectWriter {
    /// `component` in `format`'s syntax.
    public static func write(_ component: VComponent, as format: VFormat) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        append(component, as: format, to: &out)
        return out
    }

    /// Each component in turn (several vCards in one file, say).
    public static func write(_ components: [VComponent], as format: VFormat) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 * components.count)
        for component in components { append(component, as: format, to: &out) }
        return out
    }

    static let crlf: [UInt8] = [0x0D, 0x0A]
    static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Appends `component` in `format`'s syntax to `out`.
    public static func append(_ component: VComponent, as format: VFormat, to out: inout [UInt8]) {
        out.append(contentsOf: "BEGIN:".utf8)
        out.append(contentsOf: component.name.utf8)
        out.append(contentsOf: crlf)
        var line: [UInt8] = []
        for property in component.properties {
            append(property, as: format, to: &out, scratch: &line)
        }
        for child in component.components { append(child, as: format, to: &out) }
        out.append(contentsOf: "END:".utf8)
        out.append(contentsOf: component.name.utf8)
        out.append(contentsOf: crlf)
    }

    /// Bare words the parser reads as something other than `TYPE`.
    static let reservedBareWords: Set<String> = [
        "QUOTED-PRINTABLE", "8BIT", "7BIT", "BASE64", "INLINE", "URL", "CONTENT-ID", "CID",
    ]

    static func isTransport(_ parameter: VParameter) -> Bool {
        if parameter.name == "CHARSET" { return true }
        guard parameter.name == "ENCODING", parameter.values.count == 1 else { return false }
        switch parameter.values[0].uppercased() {
        case "QUOTED-PRINTABLE", "8BIT", "7BIT": return true
        default: return false
        }
    }

    static func isBase64(_ parameter: VParameter) -> Bool {
        guard parameter.name == "ENCODING", parameter.values.count == 1 else { return false }
        let value = parameter.values[0].uppercased()
        return value == "B" || value == "BASE64"
    }

    static func needsQuotes(_ value: String) -> Bool {
        value.utf8.contains { $0 == 0x3A || $0 == 0x3B || $0 == 0x2C }
    }

    static func appendParameterValue(_ value: String, to line: inout [UInt8]) {
        let quoted = needsQuotes(value)
        if quoted { line.append(0x22) }
        for byte in value.utf8 where byte != 0x0D && byte != 0x0A && byte != 0x22 {
            line.append(byte)
        }
        if quoted { line.append(0x22) }
    }

    static func canWriteBare(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.allSatisfy(VObjectParser.isNameByte)
            && !reservedBareWords.contains(value.uppercased())
    }

    static func append(_ property: VProperty, as format: VFormat, to out: inout [UInt8], scratch line: inout [UInt8]) {
        line.removeAll(keepingCapacity: true)
        if let group = property.group {
            line.append(contentsOf: group.utf8)
            line.append(0x2E)
        }
        line.append(contentsOf: property.name.utf8)

        let legacy = format.isLegacy
        let base64 = property.parameters.contains(where: isBase64)
        var needsCharset = false, needsQuotedPrintable = false
        if legacy, !base64 {
            for byte in property.value.utf8 {
                if byte >= 0x80 {
                    needsCharset = true
                } else if (byte < 0x20 && byte != 0x09) || byte == 0x7F {
                    needsQuotedPrintable = true
                }
            }
        }
        for parameter in property.parameters where !isTransport(parameter) {
            if legacy, parameter.name == "TYPE", !parameter.values.isEmpty, parameter.values.allSatisfy(canWriteBare) {
                for value in parameter.values {
                    line.append(0x3B)
                    line.append(contentsOf: value.utf8)
                }
                continue
            }
            line.append(0x3B)
            line.append(contentsOf: parameter.name.utf8)
            line.append(0x3D)
            for (index, value) in parameter.values.enumerated() {
                if index > 0 { line.append(0x2C) }
                appendParameterValue(value, to: &line)
            }
        }
        if needsCharset { line.append(contentsOf: ";CHARSET=UTF-8".utf8) }
        if needsQuotedPrintable { line.append(contentsOf: ";ENCODING=QUOTED-PRINTABLE".utf8) }
        line.append(0x3A)

        if needsQuotedPrintable {
            out.append(contentsOf: line)
            appendQuotedPrintable(property.value, column: line.count, to: &out)
        } else if legacy && !base64 {
            line.append(contentsOf: property.value.utf8)
            out.append(contentsOf: line)
            out.append(contentsOf: crlf)
        } else {
            if legacy {
                line.append(contentsOf: property.value.utf8)
            } else {
                appendEscapingLineBreaks(property.value, to: &line)
            }
            appendFolded(line, to: &out)
            if legacy { out.append(contentsOf: crlf) }  // 2.1 base64 ends with a blank line
        }
    }

    /// CRLF, CR and LF become `\n`.
    static func appendEscapingLineBreaks(_ value: String, to line: inout [UInt8]) {
        var previousCR = false
        for byte in value.utf8 {
            switch byte {
            case 0x0D: line.append(0x5C); line.append(0x6E)
            case 0x0A: if !previousCR { line.append(0x5C); line.append(0x6E) }
            default: line.append(byte)
            }
            previousCR = byte == 0x0D
        }
    }

    /// `line` in physical lines of at most 75 octets, continuations starting with a space.
    static func appendFolded(_ line: [UInt8], to out: inout [UInt8]) {
        var start = 0
        var limit = 75
        while line.count - start > limit {
            var cut = start + limit
            while cut > start, line[cut] & 0xC0 == 0x80 { cut -= 1 }  // not inside a UTF-8 sequence
            if cut == start { cut = start + limit }
            out.append(contentsOf: line[start..<cut])
            out.append(contentsOf: [0x0D, 0x0A, 0x20])
            start = cut
            limit = 74
        }
        out.append(contentsOf: line[start...])
        out.append(contentsOf: crlf)
    }

    /// Quoted-printable (RFC 2045 §6.7) with soft breaks keeping lines at most 76 octets.
    /// Spaces and tabs are escaped at the start of a continuation line and at the end.
    static func appendQuotedPrintable(_ value: String, column start: Int, to out: inout [UInt8]) {
        var column = start
        let bytes = Array(value.utf8)
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            var literal = (byte >= 0x21 && byte <= 0x7E && byte != 0x3D) || ((byte == 0x20 || byte == 0x09) && !isLast)
            if column + (literal ? 1 : 3) > 75 {
                out.append(contentsOf: [0x3D, 0x0D, 0x0A])
                column = 0
            }
            if column == 0, byte == 0x20 || byte == 0x09 { literal = false }
            if literal {
                out.append(byte)
                column += 1
            } else {
                out.append(0x3D)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
                column += 3
            }
        }
        out.append(contentsOf: crlf)
    }
}
