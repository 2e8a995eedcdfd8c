import SyncMLCodec

/// SIF: the XML item formats of the Funambol / Sync4j Outlook plug-ins
/// (`text/x-s4j-sifc`, `-sife`, `-sift`, `-sifn`), read and written, and converted
/// to and from the vCard / iCalendar model so that the engine compares, matches and
/// merges Outlook's items like any other (docs/RECORDS.md, "SIF").
///
/// A SIF item is a flat XML document: a root element naming the kind
/// (`<contact>`, `<appointment>`, `<task>`, `<note>`) holding one element per Outlook
/// field (`<FirstName>John</FirstName>`), plus `<SIFVersion>`. The only nesting is in
/// appointments and tasks: `<Exceptions>` (and SIF 1.2's `<Timezone>`). Items usually
/// travel base64-encoded in `<Data>` with Meta Format `b64`; see ``SIF/decodeBase64(_:)``.

/// The four SIF item kinds.
public enum SIFKind: String, Hashable, Sendable, CaseIterable {
    /// SIF-C: an Outlook contact.
    case contact
    /// SIF-E: an Outlook appointment.
    case event
    /// SIF-T: an Outlook task.
    case task
    /// SIF-N: an Outlook note.
    case note

    /// The MIME type peers put in Meta Type (`text/x-s4j-sifc`…).
    public var mimeType: String {
        switch self {
        case .contact: "text/x-s4j-sifc"
        case .event: "text/x-s4j-sife"
        case .task: "text/x-s4j-sift"
        case .note: "text/x-s4j-sifn"
        }
    }

    /// The kind a MIME type names (case-insensitive), or nil.
    public init?(mimeType: String) {
        let lowered = mimeType.trimmingASCIIWhitespace().lowercased()
        guard let kind = SIFKind.allCases.first(where: { $0.mimeType == lowered }) else { return nil }
        self = kind
    }

    /// The document's root element.
    public var rootElement: String {
        switch self {
        case .contact: "contact"
        case .event: "appointment"
        case .task: "task"
        case .note: "note"
        }
    }

    init?(rootElement: String) {
        guard let kind = SIFKind.allCases.first(where: { $0.rootElement == rootElement }) else { return nil }
        self = kind
    }
}

/// One field of a SIF item: `<Name>value</Name>`, or a group such as
/// `<Exceptions>` whose content is further fields.
public struct SIFField: Hashable, Sendable {
    /// The element name, case as written (XML names are case-sensitive).
    public var name: String
    /// The text content with references resolved, verbatim otherwise (no trimming).
    /// Empty for a group.
    public var value: String
    /// The child elements of a group, in order; empty for a plain field.
    public var children: [SIFField]

    public init(_ name: String, _ value: String, children: [SIFField] = []) {
        self.name = name
        self.value = value
        self.children = children
    }
}

/// A parsed SIF item: its kind and its fields in document order.
public struct SIFItem: Hashable, Sendable {
    public var kind: SIFKind
    /// Every child of the root, `<SIFVersion>` included, in order.
    public var fields: [SIFField]

    public init(kind: SIFKind, fields: [SIFField] = []) {
        self.kind = kind
        self.fields = fields
    }

    /// The value of the first field with this exact name.
    public subscript(name: String) -> String? {
        get { fields.first { $0.name == name }?.value }
        set {
            if let index = fields.firstIndex(where: { $0.name == name }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append(SIFField(name, newValue))
            }
        }
    }

    /// The fields as a dictionary (first occurrence of each name wins; groups give "").
    public var dictionary: [String: String] {
        var result: [String: String] = [:]
        for field in fields where result[field.name] == nil { result[field.name] = field.value }
        return result
    }
}

/// Reading, writing and converting SIF items.
public enum SIF {
    /// The `SIFVersion` written (what the Funambol plug-ins for Outlook send).
    public static let version = "1.1"
    /// Largest item accepted, in bytes (before base64 decoding: 4/3 of it). A photo at
    /// SyncML's usual `MaxObjSize` fits.
    public static let maxItemBytes = 8 << 20

    // MARK: - Parsing

    /// Parses a SIF document (plain XML, not base64).
    ///
    /// Errors: input that is not well-formed XML, ends early or is not UTF-8 →
    /// ``RecordError``(`.malformedLine`, `.missingEnd`, `.invalidUTF8`) with the line of the
    /// problem; a root element that is none of the four kinds → `.malformedLine`; nesting
    /// deeper than a group inside a field → `.limitExceeded`.
    public static func parse(_ bytes: some Collection<UInt8>) throws(RecordError) -> SIFItem {
        let input = Array(bytes)
        guard input.count <= maxItemBytes else {
            throw RecordError(.limitExceeded, line: 1, "SIF item of \(input.count) bytes is larger than \(maxItemBytes)")
        }
        var tokenizer = XMLTokenizer(limits: XMLLimits(maxDepth: 4, maxTokenSize: maxItemBytes))
        tokenizer.feed(input)
        tokenizer.finish()

        func fail(_ error: SyncMLDecodingError) -> RecordError {
            let line = lineNumber(of: error.offset, in: input)
            let kind: RecordError.Kind = switch error.kind {
            case .truncated: .missingEnd
            case .limitExceeded: .limitExceeded
            default: .malformedLine
            }
            return RecordError(kind, line: line, "SIF: \(error.reason)")
        }
        func next() throws(RecordError) -> MarkupToken? {
            do {
                switch try tokenizer.next() {
                case .token(let token): return token
                case .endOfDocument, .needsInput: return nil
                }
            } catch {
                throw fail(error)
            }
        }

        // The root.
        guard case .start(let rootName)? = try next() else {
            throw RecordError(.malformedLine, line: 1, "SIF: no root element")
        }
        guard let kind = SIFKind(rootElement: rootName.localName) else {
            throw RecordError(.malformedLine, line: 1, "SIF: root element <\(rootName.localName)> is not contact, appointment, task or note")
        }

        /// Reads the content of an element whose start was consumed, up to its end.
        func element(_ name: String, depth: Int) throws(RecordError) -> SIFField {
            var text: [UInt8] = []
            var children: [SIFField] = []
            while true {
                guard let token = try next() else {
                    throw RecordError(.missingEnd, line: lineNumber(of: tokenizer.offset, in: input), "SIF: <\(name)> not closed")
                }
                switch token {
                case .end:
                    guard let value = String(validating: text, as: UTF8.self) else {
                        throw RecordError(.invalidUTF8, line: lineNumber(of: tokenizer.offset, in: input), "SIF: <\(name)> is not valid UTF-8")
                    }
                    // Text that only separated child elements is layout.
                    if !children.isEmpty { return SIFField(name, "", children: children) }
                    return SIFField(name, value)
                case .start(let child):
                    children.append(try element(child.localName, depth: depth + 1))
                case .text(let bytes):
                    text.append(contentsOf: bytes)
                case .character(let scalar):
                    text.append(contentsOf: String(Character(scalar)).utf8)
                case .opaque(let bytes):
                    text.append(contentsOf: bytes)
                }
            }
        }

        var fields: [SIFField] = []
        while true {
            guard let token = try next() else {
                throw RecordError(.missingEnd, line: lineNumber(of: tokenizer.offset, in: input), "SIF: <\(kind.rootElement)> not closed")
            }
            switch token {
            case .end:
                return SIFItem(kind: kind, fields: fields)
            case .start(let name):
                fields.append(try element(name.localName, depth: 1))
            case .text, .character, .opaque:
                continue // white space between fields (or stray text: ignored)
            }
        }
    }

    /// Parses a SIF item given as base64 text (Meta Format `b64`).
    public static func parse(base64 bytes: some Collection<UInt8>) throws(RecordError) -> SIFItem {
        try parse(decodeBase64(bytes))
    }

    static func lineNumber(of offset: Int, in bytes: [UInt8]) -> Int {
        1 + bytes.prefix(max(0, min(offset, bytes.count))).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    // MARK: - Writing

    /// The item as a SIF document: `<?xml version="1.0" encoding="UTF-8"?><contact>…`,
    /// fields in order, text escaped (`&` `<` `>`, CR as `&#13;` so that it survives XML
    /// line-end normalization; other control characters, which XML 1.0 cannot carry, dropped).
    public static func write(_ item: SIFItem) -> [UInt8] {
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

    // MARK: - Conversions

    /// A SIF item (plain XML, or base64 text if `base64`) as a vCard 3.0 (SIF-C) or an
    /// iCalendar 2.0 `VCALENDAR` holding one `VEVENT` (SIF-E), `VTODO` (SIF-T) or
    /// `VJOURNAL` (SIF-N). docs/RECORDS.md, "SIF", has the field mapping.
    public static func toVComponent(_ bytes: some Collection<UInt8>, base64: Bool = false) throws(RecordError) -> VComponent {
        let item = base64 ? try parse(base64: bytes) : try parse(bytes)
        return toVComponent(item)
    }

    /// A parsed SIF item as a vCard 3.0 or an iCalendar 2.0 `VCALENDAR`.
    public static func toVComponent(_ item: SIFItem) -> VComponent {
        switch item.kind {
        case .contact: SIFContact.vCard(item)
        case .event, .task, .note: SIFCalendar.vCalendar(item)
        }
    }

    /// `record` as a SIF document of `kind` (base64 text if `base64`).
    ///
    /// `record` must fit the kind: a `VCARD` for `.contact`; a `VCALENDAR` (or the bare
    /// component) holding a `VEVENT` for `.event`, a `VTODO` for `.task`, a `VJOURNAL`
    /// (or, failing that, any component with a `SUMMARY`/`DESCRIPTION`) for `.note`.
    /// Anything else is a ``RecordError`` (`.malformedLine`).
    public static func fromVComponent(_ record: VComponent, as kind: SIFKind, base64: Bool = false) throws(RecordError) -> [UInt8] {
        let document = write(try item(from: record, as: kind))
        return base64 ? encodeBase64(document) : document
    }

    /// `record` as a SIF item of `kind`; see ``fromVComponent(_:as:base64:)``.
    public static func item(from record: VComponent, as kind: SIFKind) throws(RecordError) -> SIFItem {
        switch kind {
        case .contact:
            guard record.name == "VCARD" else {
                throw RecordError(.malformedLine, line: 1, "SIF-C needs a VCARD, not a \(record.name)")
            }
            return SIFContact.item(record)
        case .event, .task, .note:
            return try SIFCalendar.item(record, as: kind)
        }
    }

    // MARK: - Base64 (RFC 4648 §4)

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
