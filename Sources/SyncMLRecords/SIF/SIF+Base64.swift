// Base64 (RFC 4648 §4): how SIF items travel in `<Data>` with Meta Format `b64`.

extension SIF {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Decodes base64 text, ignoring white space (peers wrap lines). Missing padding is
    /// accepted; a character outside the alphabet, data after padding, more than two
    /// `=` or a length that leaves a lone 6-bit group is ``RecordError`` `.badBase64`.
    public static func decodeBase64(_ text: some Collection<UInt8>) throws(RecordError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3)
        var accumulator: UInt32 = 0
        var count = 0
        var padding = 0
        var line = 1
        for byte in text {
            switch byte {
            case 0x20, 0x09, 0x0D: continue
            case 0x0A: line += 1; continue
            case UInt8(ascii: "="):
                padding += 1
                guard padding <= 2 else { throw RecordError(.badBase64, line: line, "SIF: too much base64 padding") }
                continue
            default:
                break
            }
            let value = decodeTable[Int(byte)]
            guard value != 0xFF else {
                throw RecordError(.badBase64, line: line, "SIF: byte 0x\(String(byte, radix: 16)) is not base64")
            }
            guard padding == 0 else { throw RecordError(.badBase64, line: line, "SIF: base64 data after padding") }
            accumulator = accumulator << 6 | UInt32(value)
            count += 1
            if count == 4 {
                out.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                out.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator = 0
                count = 0
            }
        }
        switch count {
        case 0: break
        case 2: out.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        case 3:
            out.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            out.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        default:
            throw RecordError(.badBase64, line: line, "SIF: base64 text ends inside a byte")
        }
        return out
    }

    /// Base64 text (padded, no line breaks) of `bytes`.
    public static func encodeBase64(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= input.count {
            let group = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int(group >> UInt32(shift) & 63)]) }
            i += 3
        }
        let rest = input.count - i
        if rest > 0 {
            let group = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
            out.append(alphabet[Int(group >> 18 & 63)])
            out.append(alphabet[Int(group >> 12 & 63)])
            out.append(rest == 2 ? alphabet[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return out
    }
}
