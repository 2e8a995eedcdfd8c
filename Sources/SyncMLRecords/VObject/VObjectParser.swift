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
/// - **Limits** (`VObjectParser.Limits`): a logical line longer than `maxLineBytes`, nesting deeper than
///   `maxDepth` or more than `maxPropertiesPerComponent` properties in one component throw
///   ``RecordError/Kind/limitExceeded``. No input crashes the parser or makes it hang.
public enum VObjectParser {
    /// Bounds on what one parse accepts.
    package struct Limits: Hashable, Sendable {
        /// Longest logical (unfolded) line in bytes, before decoding. Default 4 MiB, enough
        /// for a photo at SyncML's usual `MaxObjSize`.
        package var maxLineBytes: Int
        /// Deepest `BEGIN` nesting. Default 8 (VCALENDAR › VTIMEZONE › DAYLIGHT needs 3).
        package var maxDepth: Int
        /// Most properties in one component. Default 10,000.
        package var maxPropertiesPerComponent: Int

        package init(maxLineBytes: Int = 4 << 20, maxDepth: Int = 8, maxPropertiesPerComponent: Int = 10_000) {
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
    package static func parse(_ bytes: some Collection<UInt8>, limits: Limits) throws(RecordError) -> [VComponent] {
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
        try forEachContentLine(input, limits: limits, into: &builder)
        return try builder.finish()
    }

    /// Hands `sink` every logical line of `input` (unfolded, quoted-printable
    /// soft breaks joined) with the number of its first physical line: the one
    /// line rule for the model (`Builder`) and the signature's byte scan.
    static func forEachContentLine(_ input: UnsafeBufferPointer<UInt8>, limits: Limits,
                                   into sink: inout some ContentLineSink) throws(RecordError) {
        var folded: [UInt8] = []
        var parts = HeaderParts()
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
            var quotedPrintable = false
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
                            // As scanParts reads it: a quote opens a value only right after
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
                        quotedPrintable = single
                            ? declaresQuotedPrintable(UnsafeBufferPointer(rebasing: input[start..<end]), parts: &parts)
                            : folded.withUnsafeBufferPointer { declaresQuotedPrintable($0, parts: &parts) }
                    }
                }
                let softBreak = last == equals && quotedPrintable
                let next = input[position]
                guard softBreak || next == space || next == tab else { break }
                if single {
                    // Room for the rest of the input (up to 64 KiB) at the first fold:
                    // a folded photo grows the buffer once, not once per doubling.
                    if folded.capacity == 0 { folded.reserveCapacity(min(count - start, 1 << 16)) }
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
                try sink.add(UnsafeBufferPointer(rebasing: input[start..<end]), line: number)
            } else {
                try folded.withUnsafeBufferPointer { line in
                    Result { () throws(RecordError) in try sink.add(line, line: number) }
                }.get()
            }
        }
    }
}

/// What receives a parse's logical lines.
protocol ContentLineSink {
    /// One logical line (no terminator), numbered by its first physical line.
    mutating func add(_ line: UnsafeBufferPointer<UInt8>, line number: Int) throws(RecordError)
}
