// Writing a SIF document: fields in order, text escaped for XML.

extension SIF {
    /// The item as a SIF document: `<?xml version="1.0" encoding="UTF-8"?><contact>…`,
    /// fields in order, text escaped (`&` `<` `>`, CR as `&#13;` so that it survives XML
    /// line-end normalization; other control characters, which XML 1.0 cannot carry, dropped).
    package static func write(_ item: SIFItem) -> [UInt8] {
        var out = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>".utf8)
        out.append(contentsOf: "<\(item.kind.rootElement)>".utf8)
        for field in item.fields { append(field, to: &out) }
        out.append(contentsOf: "</\(item.kind.rootElement)>".utf8)
        return out
    }

    static func append(_ field: SIFField, to out: inout [UInt8]) {
        out.append(0x3C)
        out.append(contentsOf: field.name.utf8)
        out.append(0x3E)
        if field.children.isEmpty {
            appendEscaped(field.value, to: &out)
        } else {
            for child in field.children { append(child, to: &out) }
        }
        out.append(contentsOf: "</".utf8)
        out.append(contentsOf: field.name.utf8)
        out.append(0x3E)
    }

    static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case 0x26: out.append(contentsOf: "&amp;".utf8)
            case 0x3C: out.append(contentsOf: "&lt;".utf8)
            case 0x3E: out.append(contentsOf: "&gt;".utf8)
            case 0x0D: out.append(contentsOf: "&#13;".utf8)
            case 0x09, 0x0A: out.append(byte)
            case ..<0x20, 0x7F: continue
            default: out.append(byte)
            }
        }
    }

    /// Whether `name` can be written as an XML element name (used for names taken
    /// from `X-SIF-…` properties of records that did not come from SIF).
    static func isElementName(_ name: String) -> Bool {
        func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F }
        guard let first = name.utf8.first, isLetter(first), name.utf8.count <= 128 else { return false }
        return name.utf8.allSatisfy { isLetter($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x2E }
    }
}
