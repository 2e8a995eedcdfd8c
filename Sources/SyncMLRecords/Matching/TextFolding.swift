/// Case and accent folding for match keys: "Müller" and "MULLER" give the same
/// key, "Mueller" does not (that is a different spelling, not an encoding).
/// A fixed table over Latin-1 Supplement and Latin Extended-A/B, generated
/// once from Unicode's canonical decompositions, so keys never depend on the
/// platform's Unicode tables.
enum TextFolding {
    static func fold(_ text: String) -> String {
        if let folded = foldASCII(text) { return folded }
        // Written as bytes: appending to a String scalar by scalar costs more.
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{A0}" || scalar == ","
                || scalar == ";" {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(0x20)
                pendingSpace = false
            }
            if scalar.isASCII {
                let value = UInt8(scalar.value)
                out.append(value >= 0x41 && value <= 0x5A ? value + 32 : value)
            } else if let folded = table[scalar.value] {
                out.append(contentsOf: folded.utf8)
            } else if (0x300...0x36F).contains(scalar.value) {
                continue // a combining accent left over from a decomposed input
            } else {
                out.append(contentsOf: String(scalar).lowercased().utf8)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `fold` for an ASCII text, on its bytes; nil for any other text.
    private static func foldASCII(_ text: String) -> String? {
        let utf8 = text.utf8
        guard !utf8.contains(where: { $0 >= 0x80 }) else { return nil }
        return String(unsafeUninitializedCapacity: utf8.count) { out in
            var count = 0
            var pendingSpace = false
            for byte in utf8 {
                if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x2C || byte == 0x3B {
                    pendingSpace = count > 0
                    continue
                }
                if pendingSpace {
                    out[count] = 0x20
                    count += 1
                    pendingSpace = false
                }
                out[count] = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
                count += 1
            }
            return count
        }
    }

    /// `text.lowercased()`, on the bytes when it is ASCII (and unchanged,
    /// without a copy, when it has no capital).
    static func asciiLowercased(_ text: String) -> String {
        let utf8 = text.utf8
        var hasCapital = false
        for byte in utf8 {
            if byte >= 0x80 { return text.lowercased() }
            if byte >= 0x41, byte <= 0x5A { hasCapital = true }
        }
        guard hasCapital else { return text }
        return String(unsafeUninitializedCapacity: utf8.count) { out in
            for (index, byte) in utf8.enumerated() { out[index] = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte }
            return utf8.count
        }
    }

    private static let table: [UInt32: String] = [
        0xC0: "a", 0xC1: "a", 0xC2: "a", 0xC3: "a", 0xC4: "a", 0xC5: "a", 0xC6: "ae", 0xC7: "c",
        0xC8: "e", 0xC9: "e", 0xCA: "e", 0xCB: "e", 0xCC: "i", 0xCD: "i", 0xCE: "i", 0xCF: "i",
        0xD0: "d", 0xD1: "n", 0xD2: "o", 0xD3: "o", 0xD4: "o", 0xD5: "o", 0xD6: "o", 0xD8: "o",
        0xD9: "u", 0xDA: "u", 0xDB: "u", 0xDC: "u", 0xDD: "y", 0xDE: "th", 0xDF: "ss", 0xE0: "a",
        0xE1: "a", 0xE2: "a", 0xE3: "a", 0xE4: "a", 0xE5: "a", 0xE6: "ae", 0xE7: "c", 0xE8: "e",
        0xE9: "e", 0xEA: "e", 0xEB: "e", 0xEC: "i", 0xED: "i", 0xEE: "i", 0xEF: "i", 0xF0: "d",
        0xF1: "n", 0xF2: "o", 0xF3: "o", 0xF4: "o", 0xF5: "o", 0xF6: "o", 0xF8: "o", 0xF9: "u",
        0xFA: "u", 0xFB: "u", 0xFC: "u", 0xFD: "y", 0xFE: "th", 0xFF: "y", 0x100: "a", 0x101: "a",
        0x102: "a", 0x103: "a", 0x104: "a", 0x105: "a", 0x106: "c", 0x107: "c", 0x108: "c", 0x109: "c",
        0x10A: "c", 0x10B: "c", 0x10C: "c", 0x10D: "c", 0x10E: "d", 0x10F: "d", 0x110: "d", 0x111: "d",
        0x112: "e", 0x113: "e", 0x114: "e", 0x115: "e", 0x116: "e", 0x117: "e", 0x118: "e", 0x119: "e",
        0x11A: "e", 0x11B: "e", 0x11C: "g", 0x11D: "g", 0x11E: "g", 0x11F: "g", 0x120: "g", 0x121: "g",
        0x122: "g", 0x123: "g", 0x124: "h", 0x125: "h", 0x128: "i", 0x129: "i", 0x12A: "i", 0x12B: "i",
        0x12C: "i", 0x12D: "i", 0x12E: "i", 0x12F: "i", 0x130: "i", 0x131: "i", 0x134: "j", 0x135: "j",
        0x136: "k", 0x137: "k", 0x139: "l", 0x13A: "l", 0x13B: "l", 0x13C: "l", 0x13D: "l", 0x13E: "l",
        0x141: "l", 0x142: "l", 0x143: "n", 0x144: "n", 0x145: "n", 0x146: "n", 0x147: "n", 0x148: "n",
        0x14C: "o", 0x14D: "o", 0x14E: "o", 0x14F: "o", 0x150: "o", 0x151: "o", 0x152: "oe", 0x153: "oe",
        0x154: "r", 0x155: "r", 0x156: "r", 0x157: "r", 0x158: "r", 0x159: "r", 0x15A: "s", 0x15B: "s",
        0x15C: "s", 0x15D: "s", 0x15E: "s", 0x15F: "s", 0x160: "s", 0x161: "s", 0x162: "t", 0x163: "t",
        0x164: "t", 0x165: "t", 0x168: "u", 0x169: "u", 0x16A: "u", 0x16B: "u", 0x16C: "u", 0x16D: "u",
        0x16E: "u", 0x16F: "u", 0x170: "u", 0x171: "u", 0x172: "u", 0x173: "u", 0x174: "w", 0x175: "w",
        0x176: "y", 0x177: "y", 0x178: "y", 0x179: "z", 0x17A: "z", 0x17B: "z", 0x17C: "z", 0x17D: "z",
        0x17E: "z", 0x1A0: "o", 0x1A1: "o", 0x1AF: "u", 0x1B0: "u", 0x1CD: "a", 0x1CE: "a", 0x1CF: "i",
        0x1D0: "i", 0x1D1: "o", 0x1D2: "o", 0x1D3: "u", 0x1D4: "u", 0x1D5: "u", 0x1D6: "u", 0x1D7: "u",
        0x1D8: "u", 0x1D9: "u", 0x1DA: "u", 0x1DB: "u", 0x1DC: "u", 0x1DE: "a", 0x1DF: "a", 0x1E0: "a",
        0x1E1: "a", 0x1E6: "g", 0x1E7: "g", 0x1E8: "k", 0x1E9: "k", 0x1EA: "o", 0x1EB: "o", 0x1EC: "o",
        0x1ED: "o", 0x1F0: "j", 0x1F4: "g", 0x1F5: "g", 0x1F8: "n", 0x1F9: "n", 0x1FA: "a", 0x1FB: "a",
        0x200: "a", 0x201: "a", 0x202: "a", 0x203: "a", 0x204: "e", 0x205: "e", 0x206: "e", 0x207: "e",
        0x208: "i", 0x209: "i", 0x20A: "i", 0x20B: "i", 0x20C: "o", 0x20D: "o", 0x20E: "o", 0x20F: "o",
        0x210: "r", 0x211: "r", 0x212: "r", 0x213: "r", 0x214: "u", 0x215: "u", 0x216: "u", 0x217: "u",
        0x218: "s", 0x219: "s", 0x21A: "t", 0x21B: "t", 0x21E: "h", 0x21F: "h", 0x226: "a", 0x227: "a",
        0x228: "e", 0x229: "e", 0x22A: "o", 0x22B: "o", 0x22C: "o", 0x22D: "o", 0x22E: "o", 0x22F: "o",
        0x230: "o", 0x231: "o", 0x232: "y", 0x233: "y",
    ]
}
