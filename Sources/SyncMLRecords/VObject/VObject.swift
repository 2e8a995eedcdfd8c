/// The vCard / iCalendar family's common model: components holding properties holding
/// parameters (vCard 2.1 §2.1, RFC 2425 §5.8, RFC 6350 §3.3, RFC 5545 §3.1).
///
/// The model is syntax, not semantics: names are uppercased, everything else is kept as
/// parsed so that later layers (normalization, fingerprints, matching) can decide.
/// See ``VObjectParser`` for exactly what ``VProperty/value`` holds.

/// `BEGIN:NAME` … `END:NAME`: a vCard, a calendar, an event, an alarm, a time zone…
public struct VComponent: Hashable, Sendable {
    /// Uppercased: `VCARD`, `VCALENDAR`, `VEVENT`, `VTODO`, `VALARM`, `VTIMEZONE`, `STANDARD`…
    public var name: String
    /// In the order parsed (the writer writes them in this order).
    public var properties: [VProperty]
    /// Nested components, in the order parsed. The writer writes them after all properties:
    /// the model does not record how properties and components were interleaved.
    public var components: [VComponent]

    /// A component named `name` (uppercase: `VCARD`).
    public init(name: String, properties: [VProperty] = [], components: [VComponent] = []) {
        self.name = name
        self.properties = properties
        self.components = components
    }

    /// Every property with this name (case-insensitive), in order.
    public func properties(named name: String) -> [VProperty] {
        let name = name.uppercased()
        return properties.filter { $0.name == name }
    }

    /// The first property with this name (case-insensitive).
    public func first(_ name: String) -> VProperty? {
        let name = name.uppercased()
        return properties.first { $0.name == name }
    }

    /// The format this component declares with its `VERSION` property: a `VCARD`'s
    /// 2.1/3.0/4.0, a `VCALENDAR`'s 1.0/2.0. `nil` for other components or an unknown version.
    public var format: VFormat? { VFormat(declaredBy: self) }
}

/// One content line: `[group.]NAME[;PARAM=…]*:value`.
public struct VProperty: Hashable, Sendable {
    /// The group prefix (`item1` in `item1.EMAIL`), as written.
    public var group: String?
    /// Uppercased.
    public var name: String
    /// In the order parsed. Transport parameters are gone after parsing: `CHARSET` and
    /// `ENCODING=QUOTED-PRINTABLE`/`8BIT`/`7BIT`. `ENCODING=b`/`BASE64` stay.
    public var parameters: [VParameter]
    /// The value after transport decoding (unfolded, quoted-printable decoded, converted to
    /// UTF-8) but with the format's backslash escapes (`\,` `\;` `\n` `\\`) as written.
    /// Base64 values are the base64 text without whitespace, not decoded.
    public var value: String

    /// A property; `value` with the format's escapes as written.
    public init(group: String? = nil, name: String, parameters: [VParameter] = [], value: String) {
        self.group = group
        self.name = name
        self.parameters = parameters
        self.value = value
    }

    /// The first parameter with this name (case-insensitive).
    package func parameter(_ name: String) -> VParameter? {
        let name = name.uppercased()
        return parameters.first { $0.name == name }
    }

    /// All values of all parameters with this name (case-insensitive), in order:
    /// `TEL;TYPE=WORK;TYPE=VOICE` and `TEL;TYPE=WORK,VOICE` both give `["WORK", "VOICE"]`.
    package func parameterValues(_ name: String) -> [String] {
        let name = name.uppercased()
        return parameters.filter { $0.name == name }.flatMap(\.values)
    }

    /// The structured value: `value` split on unescaped `;` into components and each on
    /// unescaped `,` into unescaped strings (`N:Doe;John;;;` → `[["Doe"], ["John"], [""], [""], [""]]`).
    /// Setting it escapes each string and joins them back.
    public var components: [[String]] {
        get { VText.split(value) }
        set { value = VText.join(newValue) }
    }

    /// The value as one text: escapes removed (`\n` → line feed, `\,` → `,`…).
    /// Setting it escapes `\`, `;`, `,` and line breaks.
    public var text: String {
        get { VText.unescape(value) }
        set { value = VText.escape(newValue) }
    }
}

/// One parameter: `TYPE=HOME,WORK` or `CN="Doe, John"`.
///
/// vCard 2.1 bare parameters (`TEL;WORK;VOICE:`) become one `TYPE` parameter per word
/// (`[TYPE=[WORK], TYPE=[VOICE]]`), except the bare encodings (`BASE64`, `QUOTED-PRINTABLE`,
/// `8BIT`, `7BIT`) which are `ENCODING` and the bare value kinds (`INLINE`, `URL`,
/// `CONTENT-ID`, `CID`) which are `VALUE`.
public struct VParameter: Hashable, Sendable {
    /// Uppercased.
    public var name: String
    /// Unquoted, in order; case as written.
    public var values: [String]

    /// A parameter with its values.
    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }

    /// A parameter with its values: `VParameter("TYPE", "WORK", "VOICE")`.
    public init(_ name: String, _ values: String...) {
        self.init(name: name, values: values)
    }
}

/// The syntaxes of the family. They differ in transport (charset, quoted-printable,
/// folding, bare parameters), which is what the writer needs to know.
public enum VFormat: Hashable, Sendable, CaseIterable {
    /// vCard 2.1, 3.0 and 4.0; vCalendar 1.0; iCalendar 2.0 (RFC 5545).
    case vCard21, vCard30, vCard40, vCalendar10, iCalendar20

    /// `VERSION` value for this format.
    public var version: String {
        switch self {
        case .vCard21: "2.1"
        case .vCard30: "3.0"
        case .vCard40: "4.0"
        case .vCalendar10: "1.0"
        case .iCalendar20: "2.0"
        }
    }

    /// vCard 2.1 and vCalendar 1.0: bare `TYPE` parameters, `CHARSET`, quoted-printable.
    package var isLegacy: Bool { self == .vCard21 || self == .vCalendar10 }

    /// The format a `VCARD` or `VCALENDAR` declares with its `VERSION` property.
    package init?(declaredBy component: VComponent) {
        guard let version = component.first("VERSION")?.value.trimmingASCIIWhitespace() else { return nil }
        switch (component.name, version) {
        case ("VCARD", "2.1"): self = .vCard21
        case ("VCARD", "3.0"): self = .vCard30
        case ("VCARD", "4.0"): self = .vCard40
        case ("VCALENDAR", "1.0"): self = .vCalendar10
        case ("VCALENDAR", "2.0"): self = .iCalendar20
        default: return nil
        }
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let utf8 = self.utf8
        var start = utf8.startIndex, end = utf8.endIndex
        while start < end, utf8[start] == 0x20 || utf8[start] == 0x09 { start = utf8.index(after: start) }
        while start < end {
            let before = utf8.index(before: end)
            guard utf8[before] == 0x20 || utf8[before] == 0x09 else { break }
            end = before
        }
        return String(self[start..<end])
    }
}

/// Backslash escaping of text values (RFC 6350 §3.4, RFC 5545 §3.3.11).
enum VText {
    static let backslash: UInt8 = 0x5C, semicolon: UInt8 = 0x3B, comma: UInt8 = 0x2C

    /// Splits on unescaped `;`, then on unescaped `,`, then unescapes each piece.
    static func split(_ value: String) -> [[String]] {
        let bytes = Array(value.utf8)
        var result: [[String]] = []
        var component: [String] = []
        var piece: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == backslash, i + 1 < bytes.count {
                appendUnescaped(bytes[i + 1], to: &piece)
                i += 2
                continue
            }
            if byte == semicolon {
                component.append(String(decoding: piece, as: UTF8.self))
                result.append(component)
                component = []
                piece.removeAll(keepingCapacity: true)
            } else if byte == comma {
                component.append(String(decoding: piece, as: UTF8.self))
                piece.removeAll(keepingCapacity: true)
            } else {
                piece.append(byte)
            }
            i += 1
        }
        component.append(String(decoding: piece, as: UTF8.self))
        result.append(component)
        return result
    }

    /// What `split` gives, one piece at a time with the index of its component,
    /// without building the arrays (canonical forms read every structured value).
    static func forEachPiece(_ value: String, _ body: (_ component: Int, _ piece: String) -> Void) {
        var value = value
        value.withUTF8 { bytes in
            var component = 0
            var piece: [UInt8] = []
            var i = 0
            while i < bytes.count {
                let byte = bytes[i]
                if byte == backslash, i + 1 < bytes.count {
                    appendUnescaped(bytes[i + 1], to: &piece)
                    i += 2
                    continue
                }
                if byte == semicolon || byte == comma {
                    body(component, String(decoding: piece, as: UTF8.self))
                    piece.removeAll(keepingCapacity: true)
                    if byte == semicolon { component += 1 }
                } else {
                    piece.append(byte)
                }
                i += 1
            }
            body(component, String(decoding: piece, as: UTF8.self))
        }
    }

    /// Component `index` of a structured value as `split` gives it, its pieces
    /// joined with a space (`N`'s family or given names); nil when the value
    /// has fewer components.
    static func component(_ index: Int, of value: String) -> String? {
        var value = value
        return value.withUTF8 { component(index, of: $0) }
    }

    /// `component(_:of:)` of a value's bytes.
    static func component(_ index: Int, of bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var component = 0
        var i = 0
        // Find where the component starts.
        while component < index, i < bytes.count {
            if bytes[i] == backslash, i + 1 < bytes.count {
                i += 2
                continue
            }
            if bytes[i] == semicolon { component += 1 }
            i += 1
        }
        guard component == index else { return nil }
        var end = i
        while end < bytes.count, bytes[end] != semicolon { end += bytes[end] == backslash && end + 1 < bytes.count ? 2 : 1 }
        // Unescaping never lengthens: a short component stays a small string, without a heap buffer.
        return String(unsafeUninitializedCapacity: end - i) { out in
            var count = 0
            func put(_ byte: UInt8) {
                out[count] = byte
                count += 1
            }
            while i < end {
                let byte = bytes[i]
                if byte == backslash, i + 1 < end {
                    let meant = unescaped(bytes[i + 1])
                    put(meant.first)
                    if let second = meant.second { put(second) }
                    i += 2
                    continue
                }
                put(byte == comma ? 0x20 : byte)
                i += 1
            }
            return count
        }
    }

    static func join(_ components: [[String]]) -> String {
        components.map { $0.map(escape).joined(separator: ",") }.joined(separator: ";")
    }

    /// `\n`/`\N` → LF, `\\` `\;` `\,` `\:` → the character; any other `\x` is kept as written.
    static func unescape(_ value: String) -> String {
        guard value.utf8.contains(backslash) else { return value }
        var value = value
        return value.withUTF8 { bytes in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            unescape(bytes, into: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Appends `bytes` unescaped (the rules of `unescape`) to `out`.
    static func unescape(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var i = 0
        while i < bytes.count {
            if bytes[i] == backslash, i + 1 < bytes.count {
                appendUnescaped(bytes[i + 1], to: &out)
                i += 2
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
    }

    static func appendUnescaped(_ byte: UInt8, to out: inout [UInt8]) {
        let meant = unescaped(byte)
        out.append(meant.first)
        if let second = meant.second { out.append(second) }
    }

    /// What `\` and `byte` stand for: one byte, or both as written.
    @inline(__always)
    static func unescaped(_ byte: UInt8) -> (first: UInt8, second: UInt8?) {
        switch byte {
        case UInt8(ascii: "n"), UInt8(ascii: "N"): (0x0A, nil)
        case backslash, semicolon, comma, UInt8(ascii: ":"): (byte, nil)
        default: (backslash, byte)
        }
    }

    /// Escapes `\` `;` `,` and turns CRLF, CR and LF into `\n`.
    static func escape(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var previousCR = false
        for byte in text.utf8 {
            switch byte {
            case backslash, semicolon, comma: out.append(backslash); out.append(byte)
            case 0x0D: out.append(backslash); out.append(UInt8(ascii: "n"))
            case 0x0A: if !previousCR { out.append(backslash); out.append(UInt8(ascii: "n")) }
            default: out.append(byte)
            }
            previousCR = byte == 0x0D
        }
        return String(decoding: out, as: UTF8.self)
    }
}
