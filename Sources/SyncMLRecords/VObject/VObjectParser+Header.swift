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

        /// Why a line has no header.
        enum Failure: Equatable {
            case incomplete
            case malformed(RecordError.Kind, String)
        }
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

    /// `String.uppercased()` of a parameter value: on the bytes when it is
    /// ASCII, by the full rule otherwise (`ı` uppercases to `I`).
    static func uppercasedValue(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.contains(where: { $0 >= 0x80 }) else { return uppercased(bytes) }
        return String(decoding: bytes, as: UTF8.self).uppercased()
    }

    static func preview(_ line: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: line.prefix(40), as: UTF8.self)
        return line.count > 40 ? "\"\(text)…\"" : "\"\(text)\""
    }

    /// A header as byte ranges of its line: what `scanParts` finds, before
    /// any `String` is made. Reused from line to line (its arrays keep their room).
    struct HeaderParts {
        /// The property name (not uppercased) and the group's end (its `.`), or -1.
        var name = 0..<0
        var groupEnd = -1
        /// Each parameter: its name, and its values as indices into `values`;
        /// a bare word (2.1 `TEL;WORK:`) has `isBare` set and itself as its value.
        var parameters: [(name: Range<Int>, values: Range<Int>, isBare: Bool)] = []
        var values: [Range<Int>] = []
        /// Index of the first value byte (after the `:`).
        var valueStart = 0

        mutating func reset() {
            name = 0..<0
            groupEnd = -1
            parameters.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
            valueStart = 0
        }
    }

    /// The transport encodings a header's parameters declare.
    struct Transport {
        var quotedPrintable = false
        var base64 = false
        /// The first value of `CHARSET`, as written.
        var charset: String?
    }

    /// The grammar of `[group.]NAME[;PARAM[=value[,value]*]]*:`: fills `parts`
    /// with ranges (names and parameter values checked, nothing decoded).
    static func scanParts(_ line: UnsafeBufferPointer<UInt8>, into parts: inout HeaderParts) -> HeaderScan.Failure? {
        parts.reset()
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
        parts.groupEnd = lastDot
        parts.name = (lastDot + 1)..<i
        func name() -> String { uppercased(UnsafeBufferPointer(rebasing: line[parts.name])) }

        while line[i] == semicolon {
            i += 1
            var nameStart = i
            while i < count, line[i] != equals, line[i] != semicolon, line[i] != colon { i += 1 }
            if i == count { return .incomplete }
            var nameEnd = i
            while nameStart < nameEnd, line[nameStart] == space || line[nameStart] == tab { nameStart += 1 }
            while nameEnd > nameStart, line[nameEnd - 1] == space || line[nameEnd - 1] == tab { nameEnd -= 1 }
            for k in nameStart..<nameEnd where !isNameByte(line[k]) {
                return .malformed(.malformedLine, "invalid character in a parameter of \(name())")
            }
            if line[i] != equals {
                // A bare word (vCard 2.1): `TEL;WORK;VOICE:`.
                if nameStart == nameEnd { continue }  // `;;` or `;:`
                parts.values.append(nameStart..<nameEnd)  // the word is its own value
                parts.parameters.append((nameStart..<nameEnd, (parts.values.count - 1)..<parts.values.count, true))
                continue
            }
            if nameStart == nameEnd { return .malformed(.malformedLine, "empty parameter name in \(name())") }
            i += 1  // `=`
            let firstValue = parts.values.count
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
                        let parameter = uppercased(UnsafeBufferPointer(rebasing: line[nameStart..<nameEnd]))
                        return .malformed(.malformedLine, "text after a quoted value of parameter \(parameter)")
                    }
                } else {
                    valueStart = i
                    while i < count, line[i] != comma, line[i] != semicolon, line[i] != colon { i += 1 }
                    if i == count { return .incomplete }
                    valueEnd = i
                }
                guard UTF8Check.isValid(UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd])) else {
                    let parameter = uppercased(UnsafeBufferPointer(rebasing: line[nameStart..<nameEnd]))
                    return .malformed(.invalidUTF8, "invalid UTF-8 in parameter \(parameter) of \(name())")
                }
                parts.values.append(valueStart..<valueEnd)
                if line[i] == comma { i += 1 } else { break }
            }
            parts.parameters.append((nameStart..<nameEnd, firstValue..<parts.values.count, false))
        }
        // The loop ends on `:` (a value scan stops only at `,` `;` `:`).
        parts.valueStart = i + 1
        return nil
    }

    /// What the parameters of `parts` mean: the transport encodings they
    /// declare, returned, and every parameter kept in the model, handed to
    /// `keep` as its uppercased name and the ranges of its values (2.1 bare
    /// words become `TYPE`, `ENCODING` or `VALUE`; `CHARSET` and
    /// quoted-printable, 8-bit and 7-bit `ENCODING`s are consumed).
    static func interpret(_ line: UnsafeBufferPointer<UInt8>, _ parts: HeaderParts,
                          keep: (_ name: String, _ values: ArraySlice<Range<Int>>) -> Void) -> Transport {
        var transport = Transport()
        for parameter in parts.parameters {
            let nameBytes = UnsafeBufferPointer(rebasing: line[parameter.name])
            let values = parts.values[parameter.values]
            if parameter.isBare {
                let word = values
                switch uppercased(nameBytes) {
                case "QUOTED-PRINTABLE": transport.quotedPrintable = true
                case "8BIT", "7BIT": break
                case "BASE64":
                    transport.base64 = true
                    keep("ENCODING", word)
                case "INLINE", "URL", "CONTENT-ID", "CID": keep("VALUE", word)
                default: keep("TYPE", word)
                }
                continue
            }
            let name = uppercased(nameBytes)
            switch name {
            case "CHARSET":
                transport.charset = values.first.map { String(decoding: UnsafeBufferPointer(rebasing: line[$0]), as: UTF8.self) }
            case "ENCODING" where values.count == 1:
                switch uppercasedValue(UnsafeBufferPointer(rebasing: line[values[values.startIndex]])) {
                case "QUOTED-PRINTABLE": transport.quotedPrintable = true
                case "8BIT", "7BIT": break
                case "B", "BASE64":
                    transport.base64 = true
                    keep(name, values)
                default: keep(name, values)
                }
            default:
                keep(name, values)
            }
        }
        return transport
    }

    /// Whether a complete header declares quoted-printable (then a trailing `=` is a soft break).
    static func declaresQuotedPrintable(_ line: UnsafeBufferPointer<UInt8>, parts: inout HeaderParts) -> Bool {
        guard scanParts(line, into: &parts) == nil else { return false }
        return interpret(line, parts) { _, _ in }.quotedPrintable
    }

    /// The header of `line` as the model keeps it (`parts` is scratch).
    static func scanHeader(_ line: UnsafeBufferPointer<UInt8>, parts: inout HeaderParts) -> HeaderScan {
        switch scanParts(line, into: &parts) {
        case .incomplete?: return .incomplete
        case .malformed(let kind, let reason)?: return .malformed(kind, reason)
        case nil: break
        }
        var header = Header(
            group: parts.groupEnd > 0
                ? String(decoding: UnsafeBufferPointer(rebasing: line[0..<parts.groupEnd]), as: UTF8.self) : nil,
            name: uppercased(UnsafeBufferPointer(rebasing: line[parts.name]))
        )
        header.valueStart = parts.valueStart
        if !parts.parameters.isEmpty {
            var parameters: [VParameter] = []
            let transport = interpret(line, parts) { name, values in
                parameters.append(VParameter(name: name, values: values.map {
                    String(decoding: UnsafeBufferPointer(rebasing: line[$0]), as: UTF8.self)
                }))
            }
            header.parameters = parameters
            header.quotedPrintable = transport.quotedPrintable
            header.base64 = transport.base64
            header.charset = transport.charset
        }
        return .complete(header)
    }
}
