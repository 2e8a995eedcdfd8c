// A content line's header, `[group.]NAME[;PARAM[=value[,value]*]]*:`, scanned
// byte by byte: the name, the parameters (bare 2.1 words included) and the
// transport encodings they declare.

extension VObjectParser {
    struct Header {
        var group: String?
        var name: String
        var parameters: [VParameter] = []
        /// Index of the first value byte (after the `:`).
        var valueStart = 0
        var quotedPrintable = false
        var base64 = false
        var charset: String?
    }

    enum HeaderScan {
        case complete(Header)
        /// The line ended before the header's `:`.
        case incomplete
        case malformed(RecordError.Kind, String)
    }

    /// ASCII graphic characters except the delimiters `"` `,` `:` `;` `=`.
    @inline(__always)
    static func isNameByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && byte != quote && byte != comma && byte != colon && byte != semicolon
            && byte != equals
    }

    /// An uppercased `String` from ASCII bytes.
    static func uppercased(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { out in
            for (index, byte) in bytes.enumerated() {
                out[index] = byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
            }
            return bytes.count
        }
    }

    static func preview(_ line: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: line.prefix(40), as: UTF8.self)
        return line.count > 40 ? "\"\(text)…\"" : "\"\(text)\""
    }

    static func scanHeader(_ line: UnsafeBufferPointer<UInt8>) -> HeaderScan {
        let count = line.count
        var i = 0
        var lastDot = -1
        while i < count {
            let byte = line[i]
            if byte == colon || byte == semicolon { break }
            if byte == dot {
                lastDot = i
            } else if !isNameByte(byte) {
                return .malformed(.malformedLine, "expected NAME:value, found \(preview(line))")
            }
            i += 1
        }
        if i == count { return .incomplete }
        if lastDot == i - 1 || lastDot == 0 {
            return .malformed(.malformedLine, "empty property name or group in \(preview(line))")
        }
        if i == 0 { return .malformed(.malformedLine, "empty property name in \(preview(line))") }
        var header = Header(
            group: lastDot > 0 ? String(decoding: UnsafeBufferPointer(rebasing: line[0..<lastDot]), as: UTF8.self) : nil,
            name: uppercased(UnsafeBufferPointer(rebasing: line[(lastDot + 1)..<i]))
        )

        while line[i] == semicolon {
            i += 1
            var nameStart = i
            while i < count, line[i] != equals, line[i] != semicolon, line[i] != colon { i += 1 }
            if i == count { return .incomplete }
            var nameEnd = i
            while nameStart < nameEnd, line[nameStart] == space || line[nameStart] == tab { nameStart += 1 }
            while nameEnd > nameStart, line[nameEnd - 1] == space || line[nameEnd - 1] == tab { nameEnd -= 1 }
            for k in nameStart..<nameEnd where !isNameByte(line[k]) {
                return .malformed(.malformedLine, "invalid character in a parameter of \(header.name)")
            }
            let nameBytes = UnsafeBufferPointer(rebasing: line[nameStart..<nameEnd])
            if line[i] != equals {
                // A bare word (vCard 2.1): `TEL;WORK;VOICE:`.
                if nameBytes.isEmpty { continue }  // `;;` or `;:`
                let word = uppercased(nameBytes)
                let original = String(decoding: nameBytes, as: UTF8.self)
                switch word {
                case "QUOTED-PRINTABLE": header.quotedPrintable = true
                case "8BIT", "7BIT": break
                case "BASE64":
                    header.base64 = true
                    header.parameters.append(VParameter(name: "ENCODING", values: [original]))
                case "INLINE", "URL", "CONTENT-ID", "CID":
                    header.parameters.append(VParameter(name: "VALUE", values: [original]))
                default:
                    header.parameters.append(VParameter(name: "TYPE", values: [original]))
                }
                continue
            }
            if nameBytes.isEmpty { return .malformed(.malformedLine, "empty parameter name in \(header.name)") }
            let name = uppercased(nameBytes)
            i += 1  // `=`
            var values: [String] = []
            while true {
                let valueStart: Int, valueEnd: Int
                if i < count, line[i] == quote {
                    i += 1
                    valueStart = i
                    while i < count, line[i] != quote { i += 1 }
                    if i == count { return .incomplete }
                    valueEnd = i
                    i += 1
                    if i == count { return .incomplete }
                    if line[i] != comma, line[i] != semicolon, line[i] != colon {
                        return .malformed(.malformedLine, "text after a quoted value of parameter \(name)")
                    }
                } else {
                    valueStart = i
                    while i < count, line[i] != comma, line[i] != semicolon, line[i] != colon { i += 1 }
                    if i == count { return .incomplete }
                    valueEnd = i
                }
                guard let value = UTF8Check.string(UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd])) else {
                    return .malformed(.invalidUTF8, "invalid UTF-8 in parameter \(name) of \(header.name)")
                }
                values.append(value)
                if line[i] == comma { i += 1 } else { break }
            }
            switch name {
            case "CHARSET":
                header.charset = values.first
            case "ENCODING" where values.count == 1:
                switch values[0].uppercased() {
                case "QUOTED-PRINTABLE": header.quotedPrintable = true
                case "8BIT", "7BIT": break
                case "B", "BASE64":
                    header.base64 = true
                    header.parameters.append(VParameter(name: name, values: values))
                default: header.parameters.append(VParameter(name: name, values: values))
                }
            default:
                header.parameters.append(VParameter(name: name, values: values))
            }
        }
        // The loop ends on `:` (a value scan stops only at `,` `;` `:`).
        header.valueStart = i + 1
        return .complete(header)
    }
}
