// The byte classes and literals of XML syntax the tokenizer compares against.

extension XMLTokenizer {
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// XML 1.0 §2.3 NameStartChar, with every non-ASCII byte allowed.
    static func isNameStart(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x41 ... 0x5A, 0x61 ... 0x7A, ASCII.underscore, ASCII.colon, 0x80...: true
        default: false
        }
    }

    static func isNameChar(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == ASCII.dash || byte == ASCII.dot
    }

    static let maxReferenceLength = 32
    static let commentOpen: [UInt8] = Array("<!--".utf8)
    static let cdataOpen: [UInt8] = Array("<![CDATA[".utf8)
    static let doctypeOpen: [UInt8] = Array("<!DOCTYPE".utf8)
    static let xmlnsPrefix: [UInt8] = Array("xmlns".utf8)
    static let encodingKey: [UInt8] = Array("encoding".utf8)
    static let ampName: [UInt8] = Array("amp".utf8)
    static let quotName: [UInt8] = Array("quot".utf8)
    static let aposName: [UInt8] = Array("apos".utf8)

    /// The ASCII bytes the tokenizer compares against, by name.
    enum ASCII {
        static let lt = UInt8(ascii: "<")
        static let gt = UInt8(ascii: ">")
        static let amp = UInt8(ascii: "&")
        static let slash = UInt8(ascii: "/")
        static let question = UInt8(ascii: "?")
        static let bang = UInt8(ascii: "!")
        static let quot = UInt8(ascii: "\"")
        static let apos = UInt8(ascii: "'")
        static let equals = UInt8(ascii: "=")
        static let colon = UInt8(ascii: ":")
        static let semicolon = UInt8(ascii: ";")
        static let hash = UInt8(ascii: "#")
        static let dash = UInt8(ascii: "-")
        static let dot = UInt8(ascii: ".")
        static let underscore = UInt8(ascii: "_")
        static let lbracket = UInt8(ascii: "[")
        static let rbracket = UInt8(ascii: "]")
        static let x = UInt8(ascii: "x")
        static let m = UInt8(ascii: "m")
        static let l = UInt8(ascii: "l")
        static let t = UInt8(ascii: "t")
        static let g = UInt8(ascii: "g")
    }
}
