/// The canonical form of a record: what is left when everything that does not
/// change its meaning is taken away, written as bytes in a fixed order.
/// Two encodings of one record have the same canonical form; the fingerprint
/// is the hash of it. docs/RECORDS.md is the maintainer's description of
/// every rule here; change both together (and `Fingerprint.version`).
public struct CanonicalRecord: Hashable, Sendable {
    /// What the record is; it leads the hashed bytes.
    public var kind: RecordKind {
        didSet { if kind != oldValue { (bytes, lineEnds) = Self.joined(kind: kind, lines: lines(after: oldValue)) } }
    }
    /// The bytes hashed: a `KIND` line, then the lines, each ending in LF.
    /// Built once, when the record is made canonical.
    public private(set) var bytes: [UInt8]
    /// Where each line ends in `bytes` (the index of its LF).
    private var lineEnds: [Int]

    /// One line per property, sorted: `NAME;PARAM=A,B:value`.
    public var lines: [String] {
        get { lines(after: kind) }
        set { (bytes, lineEnds) = Self.joined(kind: kind, lines: newValue) }
    }

    /// How many lines there are (without making them `String`s).
    public var lineCount: Int { lineEnds.count }

    /// The fingerprint of `bytes`.
    public var fingerprint: Fingerprint { Fingerprint(of: bytes) }

    /// A contact's canonical form from its bytes and line ends, as
    /// `CanonicalLineWriter.finish` gives them (the signature's byte scan).
    init(contactBytes bytes: [UInt8], lineEnds: [Int]) {
        kind = .contact
        self.bytes = bytes
        self.lineEnds = lineEnds
    }

    /// The canonical form of a payload holding one plain vCard, straight from
    /// its bytes (`ContactSignatureScan`); nil for anything else, which is
    /// then parsed into a `VComponent`. Equal to what that gives.
    package static func scanningContact(_ bytes: some Collection<UInt8>) -> CanonicalRecord? {
        ContactSignatureScan.scan(bytes, keys: false)?.canonical
    }

    /// The canonical form of a parsed record (a VCARD or a VCALENDAR).
    public init(_ record: VComponent) {
        kind = RecordKind(of: record)
        switch kind {
        case .contact:
            (bytes, lineEnds) = ContactCanonicalizer.canonicalBytes(record)
        case .event, .task, .other:
            (bytes, lineEnds) = Self.joined(kind: kind, lines: CalendarCanonicalizer.lines(record))
        }
    }

    /// `KIND:kind` and LF: the first line hashed.
    static func header(_ kind: RecordKind) -> [UInt8] {
        var bytes: [UInt8] = []
        appendHeader(kind, to: &bytes)
        return bytes
    }

    /// Appends `header(kind)` to `bytes` (without an array of its own).
    static func appendHeader(_ kind: RecordKind, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: "KIND:".utf8)
        bytes.append(contentsOf: kind.rawValue.utf8)
        bytes.append(0x0A)
    }

    /// The length of `header(kind)`.
    static func headerLength(_ kind: RecordKind) -> Int { "KIND:".utf8.count + kind.rawValue.utf8.count + 1 }

    /// The bytes of `lines` (already sorted) after the `KIND` line, and where each ends.
    static func joined(kind: RecordKind, lines: [String]) -> (bytes: [UInt8], lineEnds: [Int]) {
        var bytes = header(kind)
        bytes.reserveCapacity(bytes.count + lines.reduce(0) { $0 + $1.utf8.count + 1 })
        var lineEnds: [Int] = []
        lineEnds.reserveCapacity(lines.count)
        for line in lines {
            bytes.append(contentsOf: line.utf8)
            lineEnds.append(bytes.count)
            bytes.append(0x0A)
        }
        return (bytes, lineEnds)
    }

    /// Where each line is in `bytes` (without its LF).
    var lineRanges: [Range<Int>] {
        var start = "KIND:".utf8.count + kind.rawValue.utf8.count + 1
        return lineEnds.map { end in
            defer { start = end + 1 }
            return start..<end
        }
    }

    /// Where line `index` is in `bytes` (without its LF).
    func lineRange(_ index: Int) -> Range<Int> {
        let start = index == 0 ? "KIND:".utf8.count + kind.rawValue.utf8.count + 1 : lineEnds[index - 1] + 1
        return start..<lineEnds[index]
    }

    /// Whether the lines are in byte order (a contact's always are: they are
    /// sorted that way, or by `String`, which is the same order when `comparesBytewise`).
    var linesAreSorted: Bool {
        var index = 1
        while index < lineEnds.count {
            guard !bytes[lineRange(index)].lexicographicallyPrecedes(bytes[lineRange(index - 1)]) else { return false }
            index += 1
        }
        return true
    }

    /// Whether comparing lines byte by byte gives `String` order and equality:
    /// no scalar from U+0300 on (lead byte 0xCC and up), so all is in NFC.
    var comparesBytewise: Bool { !bytes.contains { $0 >= 0xCC } }

    /// The lines of `bytes`, whose `KIND` line is that of `kind`.
    private func lines(after kind: RecordKind) -> [String] {
        var start = "KIND:".utf8.count + kind.rawValue.utf8.count + 1
        return lineEnds.map { end in
            defer { start = end + 1 }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
    }
}

/// One property reduced to its meaning.
struct CanonicalProperty: Hashable, Comparable {
    let name: String
    /// Parameter name → sorted, de-duplicated values; sorted by name.
    let parameters: [(name: String, values: [String])]
    let value: String
    /// `NAME;PARAM=A,B:value`, built once: sets and sorts compare it often.
    let line: String

    init(name: String, parameters: [(name: String, values: [String])], value: String) {
        self.name = name
        self.parameters = parameters
        self.value = value
        // Appended into one buffer: this runs for every property of every record.
        var line = name
        var length = name.utf8.count + value.utf8.count + 1
        for parameter in parameters {
            length += parameter.name.utf8.count + 2
            for item in parameter.values { length += item.utf8.count + 1 }
        }
        line.reserveCapacity(length)
        for parameter in parameters {
            line.append(";")
            line.append(parameter.name)
            line.append("=")
            for (index, item) in parameter.values.enumerated() {
                if index > 0 { line.append(",") }
                line.append(item)
            }
        }
        line.append(":")
        line.append(value)
        self.line = line
    }

    static func == (a: Self, b: Self) -> Bool { a.line == b.line }
    func hash(into hasher: inout Hasher) { hasher.combine(line) }
    static func < (a: Self, b: Self) -> Bool { a.line < b.line }
}

/// Rules shared by every kind of record.
enum Canonical {
    /// Lines sorted and de-duplicated: what inserting them into a `Set` and
    /// sorting it gives (the first of equal lines is kept), without hashing
    /// each line (String hashing normalizes Unicode) or growing a table.
    static func sortedUnique(_ lines: [String]) -> [String] {
        guard lines.count > 1 else { return lines }
        var order = Array(lines.indices)
        // Ties broken by position, so the first of two equal lines comes first
        // whatever the sort's stability.
        order.sort { a, b in
            let x = lines[a], y = lines[b]
            if x < y { return true }
            if y < x { return false }
            return a < b
        }
        var result: [String] = []
        result.reserveCapacity(lines.count)
        for index in order where result.last != lines[index] { result.append(lines[index]) }
        return result
    }

    /// `text.uppercased()`, without the call when an ASCII text has no
    /// lowercase letter (parameter names and most TYPE values).
    static func uppercased(_ text: String) -> String {
        for byte in text.utf8 where byte >= 0x61 {
            return text.uppercased() // a lowercase ASCII letter, or non-ASCII: the full rule
        }
        return text
    }

    /// Text: unescaped, CR LF and CR made LF, white space runs on a line made
    /// one space, lines trimmed, empty lines at start and end dropped.
    static func text(_ raw: String) -> String {
        var raw = raw
        let changed: String? = raw.withUTF8 { input in
            if isCleanText(input) { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(input.count)
            normalizeText(input, into: &out)
            return String(decoding: out, as: UTF8.self)
        }
        return changed ?? raw
    }

    /// Whether `text` leaves `normalizeText` unchanged, found without writing:
    /// no CR, LF, tab or no-break space, no space at either end or after another.
    static func isCleanText(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        var previous: UInt8 = 0x20
        for byte in input {
            if byte == 0x0D || byte == 0x0A || byte == 0x09 || byte == 0xC2 || (byte == 0x20 && previous == 0x20) {
                return false
            }
            previous = byte
        }
        return previous != 0x20
    }

    /// Appends `text` made canonical to `out` (the rules of `text`).
    /// A byte loop: every property of every record passes through here.
    static func normalizeText(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let base = out.count
        var lineStart = base       // where the current line starts in `out`
        var pendingSpace = false
        var previousCR = false
        var i = 0
        let count = input.count
        while i < count {
            let byte = input[i]
            i += 1
            switch byte {
            case 0x0D, 0x0A:
                // A LF right after a CR ends no second line. Trailing spaces never
                // get written (they stay pending), so only empty lines matter here.
                if byte == 0x0D || !previousCR {
                    out.append(0x0A)
                    lineStart = out.count
                    pendingSpace = false
                }
            case 0x20, 0x09:
                pendingSpace = out.count > lineStart
            case 0xC2 where i < count && input[i] == 0xA0:
                // U+00A0 NO-BREAK SPACE is C2 A0 in UTF-8.
                i += 1
                pendingSpace = out.count > lineStart
            default:
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(byte)
            }
            previousCR = byte == 0x0D
        }
        // Drop empty lines at the start and the end.
        var start = base
        while start < out.count, out[start] == 0x0A { start += 1 }
        var end = out.count
        while end > start, out[end - 1] == 0x0A { end -= 1 }
        out.removeSubrange(end...)
        out.removeSubrange(base..<start)
    }

    /// Escapes a canonical text for a line: `\` `\n` `;` `,` as in vCard 3.0.
    static func escape(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == 0x5C || $0 == 0x0A || $0 == 0x3B || $0 == 0x2C }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 8)
        for byte in utf8 {
            switch byte {
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x3B, 0x2C: out.append(0x5C); out.append(byte)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A structured value: components of comma lists, each text normalized,
    /// empty list items and trailing empty components dropped.
    static func structured(_ property: VProperty, transform: (String) -> String = { $0 }) -> String {
        // One pass into one string: components joined with `;`, a component's
        // non-empty items with `,`; separators before trailing empty components
        // are never written (they stay owed).
        var out = ""
        var owedSeparators = 0
        var component = 0
        var first = true
        VText.forEachPiece(property.value) { index, raw in
            if index != component {
                owedSeparators += index - component
                component = index
                first = true
            }
            let item = transform(text(raw))
            if item.isEmpty { return }
            if first {
                for _ in 0..<owedSeparators { out.append(";") }
                owedSeparators = 0
                first = false
            } else {
                out.append(",")
            }
            out.append(escape(item))
        }
        return out
    }

    /// Phone numbers: the digits, with a `+` if one came before the first digit.
    /// `tel:` URIs (vCard 4.0) are read as their number.
    static func phone(_ raw: String) -> String {
        var bytes = Array(raw.utf8)[...]
        if bytes.count >= 4, bytes.prefix(4).map({ $0 | 0x20 }) == Array("tel:".utf8) { bytes = bytes.dropFirst(4) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            if byte >= 0x30, byte <= 0x39 {
                out.append(byte)
            } else if byte == UInt8(ascii: "+"), out.isEmpty {
                out.append(byte) // a + before the first digit: an international number
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Dates and date-times: separators removed (`1970-01-02` → `19700102`).
    static func date(_ raw: String) -> String {
        String(text(VText.unescape(raw)).filter { $0 != "-" && $0 != ":" }).uppercased()
    }

    /// Binary values: base64 text without white space.
    static func binary(_ raw: String) -> String {
        let utf8 = raw.utf8
        guard utf8.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }) else { return raw }
        return String(decoding: utf8.filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
    }

    /// Parameters: names and TYPE-like values uppercased, lists split on commas,
    /// sorted and de-duplicated; `ENCODING=BASE64` and `b` made `B`.
    static func parameters(_ property: VProperty, dropping: (String, String) -> Bool) -> [(name: String, values: [String])] {
        guard !property.parameters.isEmpty else { return [] }
        // A handful of pairs per property: an array sorted once beats sets and dictionaries.
        var pairs: [(name: String, value: String)] = []
        collectParameters(property, into: &pairs, dropping: dropping)
        pairs.sort { ($0.name, $0.value) < ($1.name, $1.value) }
        var result: [(name: String, values: [String])] = []
        for pair in pairs {
            if let last = result.last, last.name == pair.name {
                if last.values.last != pair.value { result[result.count - 1].values.append(pair.value) }
            } else {
                result.append((name: pair.name, values: [pair.value]))
            }
        }
        return result
    }

    /// Appends the parameters of `property` as (name, value) pairs in the form
    /// `parameters` sorts and groups: names and TYPE-like values uppercased,
    /// lists split, `BASE64` made `B`, empty and `dropping` ones left out.
    static func collectParameters(_ property: VProperty, into pairs: inout [(name: String, value: String)],
                                  dropping: (String, String) -> Bool) {
        for parameter in property.parameters {
            let name = uppercased(parameter.name)
            guard keepsParameter(name) else { continue }
            for raw in parameter.values { collectParameter(name, raw, into: &pairs, dropping: dropping) }
        }
    }

    /// Whether a canonical form keeps parameter `name` (uppercased) at all.
    static func keepsParameter(_ name: String) -> Bool {
        !(name.hasPrefix("X-EVOLUTION-") || name == "CHARSET")
    }

    /// Appends one value of a kept parameter `name` (uppercased) as
    /// `collectParameters` does: split on commas, trimmed, normalized.
    static func collectParameter(_ name: String, _ raw: String, into pairs: inout [(name: String, value: String)],
                                 dropping: (String, String) -> Bool) {
        // Most values are one clean word: no split, no trimming.
        guard raw.utf8.contains(where: { $0 == 0x2C || $0 <= 0x20 }) else {
            appendParameter(name, raw, to: &pairs, dropping: dropping)
            return
        }
        for piece in raw.split(separator: ",") {
            appendParameter(name, String(piece).trimmingASCIIWhitespace(), to: &pairs, dropping: dropping)
        }
    }

    private static func appendParameter(_ name: String, _ piece: String, to pairs: inout [(name: String, value: String)],
                                        dropping: (String, String) -> Bool) {
        var value = piece
        if name == "TYPE" || name == "ENCODING" || name == "VALUE" { value = uppercased(value) }
        if name == "ENCODING", value == "BASE64" { value = "B" }
        if name == "VALUE", value == "URL" { value = "URI" } // vCard 2.1 / vCalendar 1.0 spelling
        if value.isEmpty || dropping(name, value) { return }
        pairs.append((name, value))
    }
}

/// vCard 2.1, 3.0 and 4.0 contacts.
enum ContactCanonicalizer {
    /// Left out: they describe the copy, not the contact (docs/RECORDS.md).
    static func isVolatile(_ name: String) -> Bool {
        switch name {
        case "VERSION", "PRODID", "REV", "UID", "X-IRMC-LUID", "X-ABUID", "NAME", "PROFILE", "SOURCE", "CLIENTPIDMAP":
            true
        default:
            name.hasPrefix("X-EVOLUTION-") || name.hasPrefix("X-SYNCEVOLUTION-")
        }
    }

    /// The canonical bytes of a card and where each line ends (`CanonicalRecord`).
    static func canonicalBytes(_ card: VComponent) -> (bytes: [UInt8], lineEnds: [Int]) {
        var writer = CanonicalLineWriter(capacity: card.properties.reduce(0) { $0 + $1.value.utf8.count + 24 })
        var hasFN = false
        for property in card.properties where !isVolatile(property.name) {
            // Most properties are their own only form: no array built for them.
            guard hasEquivalents(property) else {
                if write(property, into: &writer), property.name == "FN" { hasFN = true }
                continue
            }
            for form in equivalents(property) {
                if write(form, into: &writer), form.name == "FN" { hasFN = true }
            }
        }
        // vCard 2.1 does not require FN; 3.0 does, and converters derive it from N.
        if !hasFN, let fn = derivedFN(card) { writer.appendLine("FN:" + Canonical.escape(fn)) }
        for vendorCard in card.components { writer.appendLine("BEGIN:" + vendorCard.name) }
        return writer.finish(kind: .contact)
    }

    /// The canonical lines, as `String`s (`canonicalBytes` is what records use).
    static func lines(_ card: VComponent) -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(card.properties.count + 2)
        var hasFN = false
        func add(_ form: VProperty) {
            guard let canonical = canonical(form) else { return }
            if canonical.name == "FN" { hasFN = true }
            lines.append(canonical.line)
        }
        for property in card.properties where !isVolatile(property.name) {
            guard hasEquivalents(property) else {
                add(property)
                continue
            }
            equivalents(property).forEach(add)
        }
        if !hasFN, let fn = derivedFN(card) {
            lines.append(CanonicalProperty(name: "FN", parameters: [], value: Canonical.escape(fn)).line)
        }
        for vendorCard in card.components {
            lines.append(CanonicalProperty(name: "BEGIN", parameters: [], value: vendorCard.name).line)
        }
        return Canonical.sortedUnique(lines)
    }

    /// "given family" from `N`, for a card without `FN`; nil when that is empty.
    static func derivedFN(_ card: VComponent) -> String? {
        guard let n = card.first("N") else { return nil }
        let parts = n.components.map { Canonical.text($0.joined(separator: " ")) }
        let given = parts.count > 1 ? parts[1] : ""
        let family = parts.first ?? ""
        let fn = Canonical.text([given, family].joined(separator: " "))
        return fn.isEmpty ? nil : fn
    }

    /// `PHOTO`, `LOGO`, `SOUND`, `KEY` (`ContactConversion.mediaProperties`),
    /// by comparison rather than by hashing the name.
    static func isMedia(_ name: String) -> Bool {
        name == "PHOTO" || name == "LOGO" || name == "SOUND" || name == "KEY"
    }

    /// Parameters a contact's canonical form leaves out: defaults, and `PREF`,
    /// which becomes `TYPE=PREF`.
    static func drops(_ parameter: String, _ value: String, of field: ContactField) -> Bool {
        switch parameter {
        case "PREF": true
        case "TYPE": field.valueRule == .email ? value == "INTERNET" : field.valueRule == .phone && value == "VOICE"
        case "VALUE": drops(parameter, value, of: field.lineName)
        default: false
        }
    }

    /// `drops` by the property's canonical name (the model's path).
    static func drops(_ parameter: String, _ value: String, of name: String) -> Bool {
        switch (name, parameter, value) {
        case ("EMAIL", "TYPE", "INTERNET"), ("TEL", "TYPE", "VOICE"): true // the defaults
        case (_, "VALUE", "URI") where name == "TEL" || name == "URL" || isMedia(name): true
        case (_, "VALUE", "URL") where name == "URL" || isMedia(name): true
        case (_, "VALUE", "TEXT"): true
        case (_, "PREF", _): true // turned into TYPE=PREF
        default: false
        }
    }

    /// Writes the canonical line of `property` (what `canonical(_:)` gives);
    /// false when its value is empty, so there is none.
    static func write(_ property: VProperty, into writer: inout CanonicalLineWriter) -> Bool {
        let name = canonicalName(property.name)
        writer.pairs.removeAll(keepingCapacity: true)
        if !property.parameters.isEmpty {
            Canonical.collectParameters(property, into: &writer.pairs) { drops($0, $1, of: name) }
            if property.parameter("PREF") != nil { addPreferred(to: &writer) }
        }
        var value = property.value
        return value.withUTF8 { write(name, value: $0, into: &writer) }
    }

    /// The name a property's line carries (`X-GENDER` is `GENDER`).
    static func canonicalName(_ name: String) -> String { name == "X-GENDER" ? "GENDER" : name }

    /// vCard 4.0 PREF=1 means what 2.1/3.0 say with TYPE=PREF.
    static func addPreferred(to writer: inout CanonicalLineWriter) {
        writer.pairs.append((name: "TYPE", value: "PREF"))
    }

    /// Writes the line of a property called `name` (canonical) whose
    /// parameters are collected in `writer.pairs`, from its value as the
    /// parser gives it; false when the value is empty, so there is none.
    /// The model's properties and the byte scan's both come here.
    static func write(_ name: String, value: UnsafeBufferPointer<UInt8>, into writer: inout CanonicalLineWriter) -> Bool {
        write(ContactField(name), value: value, into: &writer)
    }

    /// `write` for a property whose `ContactField` is known (the byte scan's).
    static func write(_ field: ContactField, value: UnsafeBufferPointer<UInt8>, into writer: inout CanonicalLineWriter) -> Bool {
        writer.beginLine()
        writer.append(field.lineName)
        let isBinary = writer.appendPairs()
        writer.append(byte: 0x3A) // :
        let valueStart = writer.buffer.count
        switch field.valueRule {
        case _ where isBinary:
            writer.appendBinary(value)
        case .phone:
            writer.appendPhone(value)
        case .email:
            writer.appendText(value, lowercase: true)
        case .gender:
            writer.append(Gender.canonical(String(decoding: value, as: UTF8.self)))
        case .date:
            writer.append(Canonical.date(String(decoding: value, as: UTF8.self)))
        case .structured:
            writer.appendStructured(value)
        case .text:
            writer.appendText(value)
        }
        guard writer.buffer.count > valueStart else {
            writer.discardLine()
            return false
        }
        writer.endLine()
        return true
    }

    /// Whether `equivalents` may rewrite `property` (an `ADR;LABEL=`, or a media
    /// property, which it reads for a `data:` URI); false means it returns it unchanged.
    static func hasEquivalents(_ property: VProperty) -> Bool {
        if property.name == "ADR" { return property.parameter("LABEL") != nil }
        return isMedia(property.name) && startsWithData(property.value)
    }

    /// Whether `value` begins with `data:` in any case: what `Media.dataURI`
    /// needs first, read without counting the characters of a whole photo.
    static func startsWithData(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { startsWithData($0) }
    }

    /// `startsWithData` of a value's bytes.
    static func startsWithData(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        value.count >= 5 && zip(value.prefix(5), "data:".utf8).allSatisfy { $0 | 0x20 == $1 }
    }

    /// A property in the form the other vCard versions would give it (docs/RECORDS.md):
    /// a 4.0 `data:` URI as 3.0 base64 with its `TYPE`, 4.0 `ADR;LABEL=` as the address
    /// and a 3.0 `LABEL` with the address's types.
    static func equivalents(_ property: VProperty) -> [VProperty] {
        var property = property
        if isMedia(property.name), let data = Media.dataURI(property.value) {
            property.parameters.removeAll { $0.name == "VALUE" || $0.name == "MEDIATYPE" }
            property.parameters.append(VParameter("ENCODING", "B"))
            if let subtype = data.subtype { property.parameters.append(VParameter("TYPE", subtype)) }
            property.value = data.base64
        }
        if property.name == "ADR", let label = property.parameter("LABEL") {
            property.parameters.removeAll { $0.name == "LABEL" }
            let labelProperty = VProperty(
                name: "LABEL", parameters: property.parameters.filter { $0.name == "TYPE" || $0.name == "PREF" },
                value: VText.escape(Label.decode(label.values.joined(separator: ","))))
            return [property, labelProperty]
        }
        return [property]
    }

    static func canonical(_ property: VProperty) -> CanonicalProperty? {
        var name = property.name
        if name == "X-GENDER" { name = "GENDER" }
        var parameters = Canonical.parameters(property) { drops($0, $1, of: name) }
        if property.parameter("PREF") != nil {
            // vCard 4.0 PREF=1 means what 2.1/3.0 say with TYPE=PREF.
            if let index = parameters.firstIndex(where: { $0.name == "TYPE" }) {
                if !parameters[index].values.contains("PREF") {
                    parameters[index].values = (parameters[index].values + ["PREF"]).sorted()
                }
            } else {
                parameters.append((name: "TYPE", values: ["PREF"]))
                parameters.sort { $0.name < $1.name }
            }
        }
        let isBinary = parameters.contains { $0.name == "ENCODING" && $0.values == ["B"] }
        let value: String
        switch name {
        case _ where isBinary:
            value = Canonical.binary(property.value)
        case "TEL":
            value = Canonical.phone(property.value)
        case "EMAIL":
            value = Canonical.escape(Canonical.text(VText.unescape(property.value)).lowercased())
        case "GENDER":
            value = Gender.canonical(property.value)
        case "BDAY", "ANNIVERSARY", "X-ANNIVERSARY":
            value = Canonical.date(property.value)
        case "N", "ADR", "ORG", "CATEGORIES", "NICKNAME", "GEO":
            value = Canonical.structured(property)
        default:
            value = Canonical.escape(Canonical.text(VText.unescape(property.value)))
        }
        if value.isEmpty { return nil }
        return CanonicalProperty(name: name, parameters: parameters, value: value)
    }
}
