/// The canonical form of a record: what is left when everything that does not
/// change its meaning is taken away, written as bytes in a fixed order.
/// Two encodings of one record have the same canonical form; the fingerprint
/// is the hash of it. docs/RECORDS.md is the maintainer's description of
/// every rule here; change both together (and `Fingerprint.version`).
public struct CanonicalRecord: Hashable, Sendable {
    public var kind: RecordKind
    /// One line per property, sorted: `NAME;PARAM=A,B:value`.
    public var lines: [String]
    /// The bytes hashed: the lines joined with LF, after a `KIND` line.
    public var bytes: [UInt8] {
        var out = Array("KIND:\(kind.rawValue)\n".utf8)
        for line in lines {
            out.append(contentsOf: line.utf8)
            out.append(0x0A)
        }
        return out
    }

    public var fingerprint: Fingerprint { Fingerprint(of: bytes) }

    /// The canonical form of a parsed record (a VCARD or a VCALENDAR).
    public init(_ record: VComponent) {
        kind = RecordKind(of: record)
        switch kind {
        case .contact:
            lines = ContactCanonicalizer.lines(record)
        case .event, .task, .other:
            lines = CalendarCanonicalizer.lines(record)
        }
    }
}

/// One property reduced to its meaning.
struct CanonicalProperty: Hashable, Comparable {
    var name: String
    /// Parameter name → sorted, de-duplicated values; sorted by name.
    var parameters: [(name: String, values: [String])]
    var value: String

    var line: String {
        var line = name
        for parameter in parameters {
            line += ";" + parameter.name + "=" + parameter.values.joined(separator: ",")
        }
        return line + ":" + value
    }

    static func == (a: Self, b: Self) -> Bool { a.line == b.line }
    func hash(into hasher: inout Hasher) { hasher.combine(line) }
    static func < (a: Self, b: Self) -> Bool { a.line < b.line }
}

/// Rules shared by every kind of record.
enum Canonical {
    /// Text: unescaped, CR LF and CR made LF, white space runs on a line made
    /// one space, lines trimmed, empty lines at start and end dropped.
    static func text(_ raw: String) -> String {
        var lines: [String] = []
        var current = ""
        var pendingSpace = false
        var previousCR = false
        for scalar in raw.unicodeScalars {
            if scalar == "\r" || (scalar == "\n" && !previousCR) {
                lines.append(current)
                current = ""
                pendingSpace = false
            } else if scalar == "\n" {
                // LF after CR: already ended the line.
            } else if scalar == " " || scalar == "\t" || scalar == "\u{A0}" {
                pendingSpace = !current.isEmpty
            } else {
                if pendingSpace { current.append(" ") }
                pendingSpace = false
                current.unicodeScalars.append(scalar)
            }
            previousCR = scalar == "\r"
        }
        lines.append(current)
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// Escapes a canonical text for a line: `\` `\n` `;` `,` as in vCard 3.0.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case ";": out += "\\;"
            case ",": out += "\\,"
            default: out.append(character)
            }
        }
        return out
    }

    /// A structured value: components of comma lists, each text normalized,
    /// empty list items and trailing empty components dropped.
    static func structured(_ property: VProperty, transform: (String) -> String = { $0 }) -> String {
        var components = property.components.map { list in
            list.map { transform(text($0)) }.filter { !$0.isEmpty }.map(escape).joined(separator: ",")
        }
        while components.last?.isEmpty == true { components.removeLast() }
        return components.joined(separator: ";")
    }

    /// Phone numbers: the digits, with a leading `+` if the number had one.
    /// `tel:` URIs (vCard 4.0) are read as their number.
    static func phone(_ raw: String) -> String {
        var value = Substring(VText.unescape(raw))
        if value.lowercased().hasPrefix("tel:") { value = value.dropFirst(4) }
        let trimmed = value.drop { $0 == " " || $0 == "\t" }
        let digits = trimmed.unicodeScalars.filter { ("0"..."9").contains($0) }
        return (trimmed.first == "+" ? "+" : "") + String(String.UnicodeScalarView(digits))
    }

    /// Dates and date-times: separators removed (`1970-01-02` → `19700102`).
    static func date(_ raw: String) -> String {
        String(text(VText.unescape(raw)).filter { $0 != "-" && $0 != ":" }).uppercased()
    }

    /// Binary values: base64 text without white space.
    static func binary(_ raw: String) -> String {
        String(raw.filter { !$0.isWhitespace })
    }

    /// Parameters: names and TYPE-like values uppercased, lists split on commas,
    /// sorted and de-duplicated; `ENCODING=BASE64` and `b` made `B`.
    static func parameters(_ property: VProperty, dropping: (String, String) -> Bool) -> [(name: String, values: [String])] {
        var merged: [String: Set<String>] = [:]
        for parameter in property.parameters {
            let name = parameter.name.uppercased()
            if name.hasPrefix("X-EVOLUTION-") || name == "CHARSET" { continue }
            for raw in parameter.values {
                for piece in raw.split(separator: ",") {
                    var value = String(piece).trimmingASCIIWhitespace()
                    if name == "TYPE" || name == "ENCODING" || name == "VALUE" { value = value.uppercased() }
                    if name == "ENCODING", value == "BASE64" { value = "B" }
                    if name == "VALUE", value == "URL" { value = "URI" } // vCard 2.1 / vCalendar 1.0 spelling
                    if value.isEmpty || dropping(name, value) { continue }
                    merged[name, default: []].insert(value)
                }
            }
        }
        return merged.sorted { $0.key < $1.key }.map { (name: $0.key, values: $0.value.sorted()) }
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

    static func lines(_ card: VComponent) -> [String] {
        var properties: Set<CanonicalProperty> = []
        var hasFN = false
        for property in card.properties where !isVolatile(property.name) {
            for form in equivalents(property) {
                guard let canonical = canonical(form) else { continue }
                if canonical.name == "FN" { hasFN = true }
                properties.insert(canonical)
            }
        }
        // vCard 2.1 does not require FN; 3.0 does, and converters derive it from N.
        if !hasFN, let n = card.first("N") {
            let parts = n.components.map { Canonical.text($0.joined(separator: " ")) }
            let given = parts.count > 1 ? parts[1] : ""
            let family = parts.first ?? ""
            let fn = Canonical.text([given, family].joined(separator: " "))
            if !fn.isEmpty { properties.insert(CanonicalProperty(name: "FN", parameters: [], value: Canonical.escape(fn))) }
        }
        for vendorCard in card.components {
            properties.insert(CanonicalProperty(name: "BEGIN", parameters: [], value: vendorCard.name))
        }
        return properties.sorted().map(\.line)
    }

    /// A property in the form the other vCard versions would give it (docs/RECORDS.md):
    /// a 4.0 `data:` URI as 3.0 base64 with its `TYPE`, 4.0 `ADR;LABEL=` as the address
    /// and a 3.0 `LABEL` with the address's types.
    static func equivalents(_ property: VProperty) -> [VProperty] {
        var property = property
        if ContactConversion.mediaProperties.contains(property.name), let data = Media.dataURI(property.value) {
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
        var parameters = Canonical.parameters(property) { parameter, value in
            switch (name, parameter, value) {
            case ("EMAIL", "TYPE", "INTERNET"), ("TEL", "TYPE", "VOICE"): true // the defaults
            case (_, "VALUE", "URI") where name == "TEL" || name == "URL" || ContactConversion.mediaProperties.contains(name): true
            case (_, "VALUE", "URL") where name == "URL" || ContactConversion.mediaProperties.contains(name): true
            case (_, "VALUE", "TEXT"): true
            case (_, "PREF", _): true // turned into TYPE=PREF below
            default: false
            }
        }
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
