package import SyncMLRecords
/// Writes vCard 2.1 and vCalendar 1.0 the way phones of that era send them:
/// every value that is not plain ASCII goes as
/// `;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE` (Nokia, Sony Ericsson, Samsung).
///
/// SyncMLRecords' `VObjectWriter` writes such values as raw UTF-8 with only
/// `CHARSET`, which is valid 2.1 but not what a benchmark of real 2.1 traffic
/// should read; so the legacy transport is written here. The model is written
/// as it is: converting to 2.1 / 1.0 is `RecordConverter`'s job.
/// - `TYPE` values bare (`TEL;CELL;VOICE:`), other parameters `NAME=value`.
/// - Values with bytes ≥ 0x80 or control characters, or too long for one
///   76-octet line: quoted-printable, soft line breaks keeping physical lines
///   at most 76 octets; `CHARSET=UTF-8` when a byte is ≥ 0x80.
/// - Base64 values: folded at 75 octets, followed by the blank line 2.1 asks for.
/// - Other values: one unfolded line (2.1 folding would add a space to the value).
package enum PhoneStyleWriter {
    /// `component` and its children, CRLF line ends.
    package static func write(_ component: VComponent) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(600)
        append(component, to: &out)
        return out
    }

    static let crlf: [UInt8] = [0x0D, 0x0A]

    static func append(_ component: VComponent, to out: inout [UInt8]) {
        out += Array("BEGIN:\(component.name)".utf8) + crlf
        for property in component.properties { append(property, to: &out) }
        for child in component.components { append(child, to: &out) }
        out += Array("END:\(component.name)".utf8) + crlf
    }

    static func append(_ property: VProperty, to out: inout [UInt8]) {
        var line: [UInt8] = []
        if let group = property.group { line += Array(group.utf8) + [0x2E] }
        line += Array(property.name.utf8)
        for parameter in property.parameters where !isTransport(parameter) {
            if parameter.name == "TYPE", parameter.values.allSatisfy(isBareWord) {
                for value in parameter.values { line += [0x3B] + Array(value.utf8) }
            } else {
                let values = parameter.values.map { value in
                    value.utf8.contains { $0 == 0x3A || $0 == 0x3B || $0 == 0x2C } ? "\"\(value)\"" : value
                }
                line += Array(";\(parameter.name)=\(values.joined(separator: ","))".utf8)
            }
        }
        let base64 = property.parameters.contains { $0.name == "ENCODING" && isBase64($0.values.first ?? "") }
        let value = Array(property.value.utf8)
        let nonASCII = value.contains { $0 >= 0x80 }
        // A long line is encoded too: its soft breaks are the only folding 2.1
        // has that adds nothing to the value.
        let needsEncoding = !base64
            && (line.count + 1 + value.count > 76 || value.contains { $0 >= 0x80 || ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F })
        if needsEncoding {
            if nonASCII { line += Array(";CHARSET=UTF-8".utf8) }
            line += Array(";ENCODING=QUOTED-PRINTABLE:".utf8)
            QuotedPrintable.append(value, column: line.count, to: &line)
            out += line + crlf
        } else if base64 {
            line += [0x3A] + value
            appendFolded(line, to: &out)
            out += crlf // the blank line that ends a 2.1 base64 value
        } else {
            out += line + [0x3A] + value + crlf
        }
    }

    /// The writer chooses the transport itself, whatever the model says.
    static func isTransport(_ parameter: VParameter) -> Bool {
        parameter.name == "CHARSET"
            || (parameter.name == "ENCODING" && ["QUOTED-PRINTABLE", "8BIT", "7BIT"].contains((parameter.values.first ?? "").uppercased()))
    }

    static func isBase64(_ encoding: String) -> Bool {
        encoding.uppercased() == "B" || encoding.uppercased() == "BASE64"
    }

    /// Words a 2.1 parser reads back as `TYPE` when written bare.
    static func isBareWord(_ value: String) -> Bool {
        !value.isEmpty && !["BASE64", "QUOTED-PRINTABLE", "8BIT", "7BIT", "INLINE", "URL", "CONTENT-ID", "CID"].contains(value.uppercased())
            && value.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D }
    }

    /// Physical lines of at most 75 octets, continuations starting with a space.
    static func appendFolded(_ line: [UInt8], to out: inout [UInt8]) {
        var start = 0, limit = 75
        while line.count - start > limit {
            out += line[start..<start + limit] + [0x0D, 0x0A, 0x20]
            start += limit
            limit = 74
        }
        out += line[start...] + crlf
    }
}

/// Quoted-printable (RFC 2045 §6.7) for one property value.
enum QuotedPrintable {
    static let hex = Array("0123456789ABCDEF".utf8)

    /// Appends `value` encoded, starting at `column`; a soft break (`=` CRLF)
    /// comes before an encoded unit that would pass column 75, so no physical
    /// line is longer than 76 octets and no `=XX` is split.
    static func append(_ value: [UInt8], column start: Int, to out: inout [UInt8]) {
        var column = start
        for (index, byte) in value.enumerated() {
            let isLast = index == value.count - 1
            // A space or tab is literal except at the end of the value or of a
            // physical line, where a mail gateway (or a phone) would strip it.
            var literal = (byte >= 0x21 && byte <= 0x7E && byte != 0x3D) || ((byte == 0x20 || byte == 0x09) && !isLast)
            let width = literal ? 1 : 3
            if column + width > 75 {
                out += [0x3D, 0x0D, 0x0A]
                column = 0
            }
            if column == 0, byte == 0x20 || byte == 0x09 { literal = false }
            if literal {
                out.append(byte)
                column += 1
            } else {
                out += [0x3D, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                column += 3
            }
        }
    }
}
