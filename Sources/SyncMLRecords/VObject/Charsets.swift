/// The legacy charsets vCard 2.1 / vCalendar 1.0 peers declare with `CHARSET=`,
/// converted to UTF-8 byte by byte.
enum LegacyCharset {
    case utf8, latin1, windows1252

    /// Recognizes a `CHARSET` value (case-insensitive). US-ASCII is read as UTF-8 (its superset).
    init?(name: String) {
        switch name.uppercased() {
        case "UTF-8", "UTF8", "US-ASCII", "ASCII", "ANSI_X3.4-1968": self = .utf8
        case "ISO-8859-1", "ISO8859-1", "ISO_8859-1", "LATIN1", "LATIN-1", "L1", "CP819": self = .latin1
        case "WINDOWS-1252", "CP1252", "WINDOWS1252", "X-CP1252": self = .windows1252
        default: return nil
        }
    }

    /// Windows-1252 0x80–0x9F (https://www.unicode.org/Public/MAPPINGS/VENDORS/MICSFT/WINDOWS/CP1252.TXT).
    /// The five undefined bytes (0x81 0x8D 0x8F 0x90 0x9D) map to the C1 controls of the same
    /// value, as the WHATWG Encoding Standard does.
    static let windows1252High: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 80–87
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,  // 88–8F
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 90–97
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,  // 98–9F
    ]

    /// Appends `bytes` (in this charset) to `out` as UTF-8. Only for `.latin1`/`.windows1252`.
    func transcode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + bytes.count * 2)
        for byte in bytes {
            if byte < 0x80 {
                out.append(byte)
                continue
            }
            let scalar: UInt16 = (self == .windows1252 && byte < 0xA0)
                ? Self.windows1252High[Int(byte - 0x80)] : UInt16(byte)
            if scalar < 0x800 {
                out.append(0xC0 | UInt8(scalar >> 6))
                out.append(0x80 | UInt8(scalar & 0x3F))
            } else {
                out.append(0xE0 | UInt8(scalar >> 12))
                out.append(0x80 | UInt8((scalar >> 6) & 0x3F))
                out.append(0x80 | UInt8(scalar & 0x3F))
            }
        }
    }
}

/// UTF-8 checks as byte loops (`String(validating:as:)` is generic over the encoding and
/// several times slower on this hot path).
enum UTF8Check {
    /// Whether `bytes` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF).
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let count = bytes.count
        while i < count {
            let lead = bytes[i]
            if lead < 0x80 { i += 1; continue }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false
            }
            guard i + length <= count else { return false }
            let second = bytes[i + 1]
            guard second >= low, second <= high else { return false }
            for k in 2..<max(length, 2) where bytes[i + k] & 0xC0 != 0x80 { return false }
            i += length
        }
        return true
    }

    /// A `String` from `bytes` if they are well-formed UTF-8.
    @inline(__always)
    static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        isValid(bytes) ? String(decoding: bytes, as: UTF8.self) : nil
    }

    static func string(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { string($0) }
    }
}
