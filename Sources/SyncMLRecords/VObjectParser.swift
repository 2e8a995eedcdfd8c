/// Parses vCard (2.1, 3.0, 4.0) and vCalendar 1.0 / iCalendar 2.0 bytes into ``VComponent``s.
///
/// One byte-level pass, linear in the input: physical lines are found by scanning bytes,
/// joined into logical lines in a reused buffer only when they are folded, and `String`s are
/// made only for the names and values kept. Grammar: vCard 2.1 §2.1, RFC 2425 §5.8.1,
/// RFC 6350 §3.2–3.3, RFC 5545 §3.1; quoted-printable RFC 2045 §6.7.
///
/// Choices:
/// - **Line ends**: CRLF, LF and a lone CR all end a physical line. A UTF-8 BOM is skipped.
///   Empty and whitespace-only lines between properties are ignored.
/// - **Folding**: a physical line starting with a space or tab continues the previous one;
///   the line break and that *one* whitespace character are removed, in every format.
///   vCard 2.1 §2.1.3 says the whitespace is kept, but real 2.1 peers (libsynthesis, phones)
///   fold like 3.0 and mean no space, so 2.1 is unfolded the same way.
/// - **Quoted-printable** (`ENCODING=QUOTED-PRINTABLE` or bare `QUOTED-PRINTABLE`): a line
///   whose value ends in `=` is a soft break; the `=` is dropped and the *whole* next physical
///   line follows (it need not start with whitespace, and leading whitespace is content).
///   `=XX` escapes accept upper- and lowercase hex; anything else after `=` is
///   ``RecordError/Kind/badQuotedPrintable``. A dangling `=` at the very end is dropped.
/// - **Charsets**: `CHARSET=UTF-8`/`US-ASCII` (read as UTF-8), `ISO-8859-1`, `Windows-1252`;
///   any other is ``RecordError/Kind/unsupportedCharset``. Without `CHARSET`, values must be
///   valid UTF-8 (in every format, also 2.1 whose spec default is ASCII): a value that is not
///   is ``RecordError/Kind/invalidUTF8``, never silently repaired.
/// - **Transport parameters** are consumed: after decoding, `CHARSET` and
///   `ENCODING=QUOTED-PRINTABLE`/`8BIT`/`7BIT` are removed; `ENCODING=b`/`BASE64` stay.
/// - **``VProperty/value``** holds the value after transport decoding (unfolded, QP-decoded,
///   converted to UTF-8) but with the format's backslash escapes as written, so structured
///   values keep their `;`/`,` structure. A 2.1 QP value may therefore hold real line breaks
///   (`=0D=0A`) where 3.0 holds `\n`. Base64 values (`ENCODING=b`/`BASE64`) are the base64
///   text with all whitespace removed, checked against the base64 alphabet but not decoded.
/// - **Bare parameters** (2.1 `TEL;WORK;VOICE:`) become one `TYPE` parameter per word, in
///   any format; bare `BASE64` is `ENCODING`, bare `INLINE`/`URL`/`CONTENT-ID`/`CID` are
///   `VALUE`. Parameter values may be quoted (`"a,b"`) and comma-separated; names of
///   properties and parameters are uppercased, groups and values keep their case.
/// - **Limits** (``Limits``): a logical line longer than `maxLineBytes`, nesting deeper than
///   `maxDepth` or more than `maxPropertiesPerComponent` properties in one component throw
///   ``RecordError/Kind/limitExceeded``. No input crashes the parser or makes it hang.
public enum VObjectParser {
    /// Bounds on what one parse accepts.
    public struct Limits: Hashable, Sendable {
        /// Longest logical (unfolded) line in bytes, before decoding. Default 4 MiB, enough
        /// for a photo at SyncML's usual `MaxObjSize`.
        public var maxLineBytes: Int
        /// Deepest `BEGIN` nesting. Default 8 (VCALENDAR › VTIMEZONE › DAYLIGHT needs 3).
        public var maxDepth: Int
        /// Most properties in one component. Default 10,000.
        public var maxPropertiesPerComponent: Int

        public init(maxLineBytes: Int = 4 << 20, maxDepth: Int = 8, maxPropertiesPerComponent: Int = 10_000) {
            self.maxLineBytes = maxLineBytes
            self.maxDepth = maxDepth
            self.maxPropertiesPerComponent = maxPropertiesPerComponent
        }
    }

    /// Every top-level component in `bytes`: several `VCARD`s, or a `VCALENDAR`, say.
    public static func parse(_ bytes: some Collection<UInt8>) throws(RecordError) -> [VComponent] {
        try parse(bytes, limits: Limits())
    }

    /// Every top-level component in `bytes`, within `limits`.
    public static func parse(_ bytes: some Collection<UInt8>, limits: Limits) throws(RecordError) -> [VComponent] {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(RecordError) in try parse(buffer: buffer, limits: limits) }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer in
            Result { () throws(RecordError) in try parse(buffer: buffer, limits: limits) }
        }.get()
    }

    // MARK: - Lines

    static let cr: UInt8 = 0x0D, lf: UInt8 = 0x0A, space: UInt8 = 0x20, tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A, semicolon: UInt8 = 0x3B, equals: UInt8 = 0x3D
    static let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, dot: UInt8 = 0x2E

    /// Index of the CR or LF ending the physical line that starts at `start` (or `count`).
    @inline(__always)
    static func lineEnd(_ input: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        while i < input.count {
            let byte = input[i]
            if byte == lf || byte == cr { return i }
            i += 1
        }
        return i
    }

    /// Index after the line terminator at `end` (CRLF, LF or CR).
    @inline(__always)
    static func afterTerminator(_ input: UnsafeBufferPointer<UInt8>, _ end: Int) -> Int {
        guard end < input.count else { return end }
        if input[end] == cr, end + 1 < input.count, input[end + 1] == lf { return end + 2 }
        return end + 1
    }

    static func parse(buffer input: UnsafeBufferPointer<UInt8>, limits: Limits) throws(RecordError) -> [VComponent] {
        var builder = Builder(limits: limits)
        var folded: [UInt8] = []
        let count = input.count
        var position = 0
        if count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF { position = 3 }
        var lineNumber = 1  // of the physical line starting at `position`

        while position < count {
            let start = position
            let end = lineEnd(input, from: start)
            let number = lineNumber
            position = afterTerminator(input, end)
            lineNumber += 1
            if end - start > limits.maxLineBytes {
                throw RecordError(.limitExceeded, line: number, "line longer than \(limits.maxLineBytes) bytes")
            }
            var firstContent = start
            while firstContent < end, input[firstContent] == space || input[firstContent] == tab { firstContent += 1 }
            if firstContent == end { continue }  // blank line
            if firstContent != start {
                throw RecordError(.malformedLine, line: number, "continuation line without a property before it")
            }

            // Join folded lines and quoted-printable soft breaks into `folded` (only if any).
            var single = true
            var header: Header?
            var headerTried = false
            var colonSearch = 0
            var inQuote = false
            folded.removeAll(keepingCapacity: true)
            while position < count {
                let last = single ? input[end - 1] : folded.last
                if last == equals, !headerTried {
                    // A trailing `=` is a soft break if the property is quoted-printable; find
                    // out once the header's unquoted `:` is there (incremental: stays linear).
                    let length = single ? end - start : folded.count
                    while colonSearch < length {
                        let byte = single ? input[start + colonSearch] : folded[colonSearch]
                        if byte == quote {
                            // As scanHeader reads it: a quote opens a value only right after
                            // `=` or `,`; elsewhere (`TYPE=cell"`) it is a plain byte.
                            let before = colonSearch == 0 ? 0 : single ? input[start + colonSearch - 1] : folded[colonSearch - 1]
                            if inQuote || before == equals || before == comma { inQuote.toggle() }
                        } else if byte == colon, !inQuote {
                            break
                        }
                        colonSearch += 1
                    }
                    if colonSearch < length {
                        headerTried = true
                        let scan = single
                            ? scanHeader(UnsafeBufferPointer(rebasing: input[start..<end]))
                            : folded.withUnsafeBufferPointer { scanHeader($0) }
                        if case .complete(let complete) = scan { header = complete }
                    }
                }
                let softBreak = last == equals && header?.quotedPrintable == true
                let next = input[position]
                guard softBreak || next == space || next == tab else { break }
                if single {
                    folded.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<end]))
                    single = false
                }
                let continuationStart = position
                let continuationEnd = lineEnd(input, from: continuationStart)
                position = afterTerminator(input, continuationEnd)
                lineNumber += 1
                if folded.count + (continuationEnd - continuationStart) > limits.maxLineBytes {
                    throw RecordError(.limitExceeded, line: number, "line longer than \(limits.maxLineBytes) bytes")
                }
                if softBreak {
                    folded.removeLast()
                    folded.append(contentsOf: UnsafeBufferPointer(rebasing: input[continuationStart..<continuationEnd]))
                } else {
                    folded.append(contentsOf: UnsafeBufferPointer(rebasing: input[(continuationStart + 1)..<continuationEnd]))
                }
            }

            if single {
                try builder.add(UnsafeBufferPointer(rebasing: input[start..<end]), header: header, line: number)
            } else {
                try folded.withUnsafeBufferPointer { line in
                    Result { () throws(RecordError) in try builder.add(line, header: header, line: number) }
                }.get()
            }
        }
        return try builder.finish()
    }

    // MARK: - Header: [group.]NAME[;PARAM[=value[,value]*]]*:

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

    // MARK: - Values

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
    static func stripBase64(_ bytes: [UInt8], property: String, line: Int) throws(RecordError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var padding = 0
        for byte in bytes {
            switch byte {
            case space, tab, cr, lf: continue
            case equals: padding += 1; out.append(byte); continue
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2B, 0x2F:
                if padding == 0 { out.append(byte); continue }
            default: break
            }
            let shown = byte >= 0x21 && byte < 0x7F ? String(UnicodeScalar(byte)) : "0x" + String(byte, radix: 16)
            throw RecordError(.badBase64, line: line, "invalid base64 character \"\(shown)\" in \(property)")
        }
        if padding > 2 { throw RecordError(.badBase64, line: line, "too much base64 padding in \(property)") }
        return out
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

    // MARK: - Components

    /// The open components, innermost last.
    struct Builder {
        let limits: Limits
        var stack: [VComponent] = []
        var beginLines: [Int] = []
        var results: [VComponent] = []

        init(limits: Limits) { self.limits = limits }

        mutating func add(_ line: UnsafeBufferPointer<UInt8>, header cached: Header?, line number: Int) throws(RecordError) {
            let header: Header
            if let cached {
                header = cached
            } else {
                switch scanHeader(line) {
                case .complete(let complete): header = complete
                case .incomplete:
                    throw RecordError(.malformedLine, line: number, "no \":\" after the property name in \(preview(line))")
                case .malformed(let kind, let reason): throw RecordError(kind, line: number, reason)
                }
            }
            let raw = UnsafeBufferPointer(rebasing: line[header.valueStart...])
            if header.name == "BEGIN" || header.name == "END" {
                var start = 0, end = raw.count
                while start < end, raw[start] == space || raw[start] == tab { start += 1 }
                while end > start, raw[end - 1] == space || raw[end - 1] == tab { end -= 1 }
                let nameBytes = UnsafeBufferPointer(rebasing: raw[start..<end])
                guard !nameBytes.isEmpty, nameBytes.allSatisfy(isNameByte) else {
                    throw RecordError(.malformedLine, line: number, "invalid component name in \(preview(line))")
                }
                let name = uppercased(nameBytes)
                if header.name == "BEGIN" {
                    guard stack.count < limits.maxDepth else {
                        throw RecordError(.limitExceeded, line: number, "components nested deeper than \(limits.maxDepth)")
                    }
                    stack.append(VComponent(name: name))
                    beginLines.append(number)
                } else {
                    guard let open = stack.last else {
                        throw RecordError(.unexpectedEnd, line: number, "END:\(name) without BEGIN:\(name)")
                    }
                    guard open.name == name else {
                        throw RecordError(.unexpectedEnd, line: number,
                                          "END:\(name) closes BEGIN:\(open.name) from line \(beginLines[beginLines.count - 1])")
                    }
                    let done = stack.removeLast()
                    beginLines.removeLast()
                    if stack.isEmpty { results.append(done) } else { stack[stack.count - 1].components.append(done) }
                }
                return
            }
            guard !stack.isEmpty else {
                throw RecordError(.malformedLine, line: number, "property \(header.name) outside BEGIN/END")
            }
            guard stack[stack.count - 1].properties.count < limits.maxPropertiesPerComponent else {
                throw RecordError(.limitExceeded, line: number,
                                  "more than \(limits.maxPropertiesPerComponent) properties in \(stack[stack.count - 1].name)")
            }
            let value = try decodeValue(raw, header: header, line: number)
            stack[stack.count - 1].properties.append(
                VProperty(group: header.group, name: header.name, parameters: header.parameters, value: value))
        }

        func finish() throws(RecordError) -> [VComponent] {
            if let open = stack.last {
                throw RecordError(.missingEnd, line: beginLines[beginLines.count - 1], "BEGIN:\(open.name) has no END:\(open.name)")
            }
            return results
        }
    }
}
