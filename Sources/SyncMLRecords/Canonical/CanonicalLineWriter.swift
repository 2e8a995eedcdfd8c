/// A record's canonical lines written as UTF-8 into one byte buffer, then
/// sorted and joined into the bytes `CanonicalRecord` hashes.
///
/// Why bytes: a contact's lines were once a `String` per line (and per
/// parameter list and value step); building them here takes a handful of
/// buffers per record instead of ~100 small allocations. The rules are those of
/// `Canonical` and `ContactCanonicalizer`, which share the byte loops used here,
/// so the bytes are the same as the `String` path gives (the signature pins test
/// that).
struct CanonicalLineWriter {
    /// Every line written so far, back to back, no separators.
    private(set) var buffer: [UInt8] = []
    /// Where each finished line starts and ends in `buffer`.
    private var lines: [Range<Int>] = []
    private var lineStart = 0
    /// Scratch for a value's steps (unescaped, then normalized); reused.
    private var unescaped: [UInt8] = []
    private var normalized: [UInt8] = []
    /// A property's parameters as (name, value) pairs; reused.
    var pairs: [(name: String, value: String)] = []

    init(capacity: Int) {
        buffer.reserveCapacity(capacity)
        lines.reserveCapacity(32)
        pairs.reserveCapacity(8)
        unescaped.reserveCapacity(64) // a structured value's pieces: no regrowth from 1
    }

    // MARK: Lines

    mutating func beginLine() { lineStart = buffer.count }

    /// Keeps the line begun last.
    mutating func endLine() { lines.append(lineStart..<buffer.count) }

    /// Drops what was written since `beginLine` (a property whose value is empty).
    mutating func discardLine() { buffer.removeSubrange(lineStart...) }

    mutating func append(_ text: String) { buffer.append(contentsOf: text.utf8) }

    mutating func append(byte: UInt8) { buffer.append(byte) }

    /// A whole line from its text (lines that are not built piece by piece).
    mutating func appendLine(_ text: String) {
        beginLine()
        append(text)
        endLine()
    }

    // MARK: Parameters

    /// `;NAME=A,B` for the collected `pairs` (sorted by name, then value, and
    /// de-duplicated, as `Canonical.parameters` groups them). Returns whether
    /// the parameters say the value is binary: one `ENCODING` value, `B`.
    mutating func appendPairs() -> Bool {
        guard !pairs.isEmpty else { return false }
        if pairs.count > 1 { pairs.sort { ($0.name, $0.value) < ($1.name, $1.value) } }
        var encodings = 0, encodingIsB = false
        var index = 0
        while index < pairs.count {
            let name = pairs[index].name
            buffer.append(0x3B) // ;
            append(name)
            buffer.append(0x3D) // =
            var last: String? = nil
            while index < pairs.count, pairs[index].name == name {
                let value = pairs[index].value
                index += 1
                if let last, last == value { continue }
                if last != nil { buffer.append(0x2C) } // ,
                append(value)
                last = value
                if name == "ENCODING" {
                    encodings += 1
                    encodingIsB = value == "B"
                }
            }
        }
        return encodings == 1 && encodingIsB
    }

    // MARK: Values

    /// `Canonical.escape(Canonical.text(VText.unescape(value)))`, lower-cased
    /// between the last two steps when `lowercase` (e-mail addresses).
    mutating func appendText(_ raw: UnsafeBufferPointer<UInt8>, lowercase: Bool = false) {
        guard raw.contains(VText.backslash) else {
            appendNormalized(raw, lowercase: lowercase)
            return
        }
        var steps = unescaped // moved out while `appendNormalized` mutates self
        unescaped = []
        steps.removeAll(keepingCapacity: true)
        VText.unescape(raw, into: &steps)
        steps.withUnsafeBufferPointer { appendNormalized($0, lowercase: lowercase) }
        unescaped = steps
    }

    /// `Canonical.structured` (no transform): each piece unescaped, normalized
    /// and escaped; empty pieces and trailing empty components left out.
    /// A piece without a backslash is read where it lies; only escaped pieces
    /// are copied, unescaped, into scratch.
    mutating func appendStructured(_ bytes: UnsafeBufferPointer<UInt8>) {
        var owedSeparators = 0
        var component = 0
        var first = true
        var piece = unescaped
        unescaped = []
        func emit(_ raw: UnsafeBufferPointer<UInt8>, escaped: Bool, component index: Int) {
            if index != component {
                owedSeparators += index - component
                component = index
                first = true
            }
            let before = buffer.count
            // Written after a provisional separator, which goes again if the item is empty.
            if first {
                for _ in 0..<owedSeparators { buffer.append(0x3B) }
            } else {
                buffer.append(0x2C)
            }
            let itemStart = buffer.count
            if escaped {
                piece.removeAll(keepingCapacity: true)
                VText.unescape(raw, into: &piece)
                piece.withUnsafeBufferPointer { appendNormalized($0, lowercase: false) }
            } else {
                appendNormalized(raw, lowercase: false)
            }
            if buffer.count == itemStart {
                buffer.removeSubrange(before...)
                return
            }
            if first {
                owedSeparators = 0
                first = false
            }
        }
        var i = 0
        var start = 0
        var escaped = false
        var index = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == VText.backslash, i + 1 < bytes.count {
                escaped = true
                i += 2
                continue
            }
            if byte == VText.semicolon || byte == VText.comma {
                emit(UnsafeBufferPointer(rebasing: bytes[start..<i]), escaped: escaped, component: index)
                if byte == VText.semicolon { index += 1 }
                start = i + 1
                escaped = false
            }
            i += 1
        }
        emit(UnsafeBufferPointer(rebasing: bytes[start...]), escaped: escaped, component: index)
        unescaped = piece
    }

    /// A phone number as `Canonical.phone` writes it.
    mutating func appendPhone(_ raw: UnsafeBufferPointer<UInt8>) {
        var bytes = raw[...]
        if bytes.count >= 4, bytes[0] | 0x20 == 0x74, bytes[1] | 0x20 == 0x65, bytes[2] | 0x20 == 0x6C, bytes[3] | 0x20 == 0x3A {
            bytes = bytes.dropFirst(4) // tel: (the `:` is unchanged by | 0x20)
        }
        let start = buffer.count
        for byte in bytes {
            if byte >= 0x30, byte <= 0x39 {
                buffer.append(byte)
            } else if byte == UInt8(ascii: "+"), buffer.count == start {
                buffer.append(byte)
            }
        }
    }

    /// A binary value as `Canonical.binary` writes it: without white space.
    mutating func appendBinary(_ bytes: UnsafeBufferPointer<UInt8>) {
        // The parser already took the white space out of what it read.
        guard bytes.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }) else {
            buffer.append(contentsOf: bytes)
            return
        }
        for byte in bytes where byte != 0x20 && byte != 0x09 && byte != 0x0D && byte != 0x0A { buffer.append(byte) }
    }

    /// Unescaped text made canonical (`Canonical.normalizeText`), then escaped into the line.
    private mutating func appendNormalized(_ text: UnsafeBufferPointer<UInt8>, lowercase: Bool) {
        if Canonical.isCleanText(text) {
            appendEscaped(text, lowercase: lowercase)
            return
        }
        var steps = normalized
        normalized = []
        steps.removeAll(keepingCapacity: true)
        Canonical.normalizeText(text, into: &steps)
        steps.withUnsafeBufferPointer { appendEscaped($0, lowercase: lowercase) }
        normalized = steps
    }

    /// `Canonical.escape`, after `String.lowercased()` when `lowercase`
    /// (done on the bytes for ASCII, by the standard library otherwise).
    private mutating func appendEscaped(_ text: UnsafeBufferPointer<UInt8>, lowercase: Bool) {
        if lowercase, text.contains(where: { $0 >= 0x80 }) {
            let lowered = String(decoding: text, as: UTF8.self).lowercased()
            var bytes = Array(lowered.utf8)
            bytes.withUnsafeMutableBufferPointer { appendEscaped(UnsafeBufferPointer($0), lowercase: false) }
            return
        }
        // Most values need no escape and no case change: one copy.
        if !text.contains(where: { $0 == 0x5C || $0 == 0x0A || $0 == 0x3B || $0 == 0x2C || (lowercase && $0 >= 0x41 && $0 <= 0x5A) }) {
            buffer.append(contentsOf: text)
            return
        }
        buffer.reserveCapacity(buffer.count + text.count)
        for var byte in text {
            switch byte {
            case 0x5C: buffer.append(0x5C); buffer.append(0x5C)
            case 0x0A: buffer.append(0x5C); buffer.append(UInt8(ascii: "n"))
            case 0x3B, 0x2C: buffer.append(0x5C); buffer.append(byte)
            default:
                if lowercase, byte >= 0x41, byte <= 0x5A { byte += 0x20 }
                buffer.append(byte)
            }
        }
    }

    // MARK: The record

    /// `KIND:kind`, then the lines sorted and de-duplicated, each ending in LF
    /// (as `Canonical.sortedUnique` orders `String`s), and where each line ends.
    mutating func finish(kind: RecordKind) -> (bytes: [UInt8], lineEnds: [Int]) {
        // Byte order is `String` order for text without combining marks (no
        // scalar from U+0300 on, whose lead bytes are 0xCC and up): all of it
        // is then in NFC, which `String` compares by scalar, as UTF-8 bytes sort.
        let bytewise = !buffer.contains { $0 >= 0xCC }
        guard bytewise else {
            let strings = lines.map { String(decoding: buffer[$0], as: UTF8.self) }
            return CanonicalRecord.joined(kind: kind, lines: Canonical.sortedUnique(strings))
        }
        var order = lines // sorted in place: `lines` gives up its buffer
        lines = []
        buffer.withUnsafeBufferPointer { all in
            order.sort { a, b in
                var i = a.lowerBound, j = b.lowerBound
                while i < a.upperBound, j < b.upperBound {
                    if all[i] != all[j] { return all[i] < all[j] }
                    i += 1
                    j += 1
                }
                return a.count < b.count
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(CanonicalRecord.headerLength(kind) + buffer.count + order.count)
        CanonicalRecord.appendHeader(kind, to: &bytes)
        var lineEnds: [Int] = []
        lineEnds.reserveCapacity(order.count)
        var previous: Range<Int>? = nil
        for line in order {
            if let previous, buffer[previous].elementsEqual(buffer[line]) { continue }
            bytes.append(contentsOf: buffer[line])
            lineEnds.append(bytes.count)
            bytes.append(0x0A)
            previous = line
        }
        return (bytes, lineEnds)
    }
}
