/// Converts records between the versions of their family: vCard 2.1 ↔ 3.0 ↔ 4.0 and
/// vCalendar 1.0 ↔ iCalendar 2.0, so that the server can hand each client the type its
/// DevInf prefers (OMA DS 1.2 DevInf §5.3.4 `CTCap`, vCard 2.1, RFC 2426, RFC 6350,
/// vCalendar 1.0, RFC 5545).
///
/// The contract is the canonical form (docs/RECORDS.md): converting never changes a
/// record's fingerprint. Where a version cannot say something the other can, the value is
/// kept as written (an unknown property is still a property) rather than dropped; the
/// rules and their exceptions are listed in docs/RECORDS.md, "Conversion".
///
/// Conversions go through a hub: vCards through 3.0, calendars through 2.0. The result is a
/// model; ``VObjectWriter/write(_:as:)-(VComponent,_)`` writes it (and owns the transport:
/// charsets, quoted-printable, folding, bare 2.1 types).
public enum RecordConverter {
    /// `record` (a `VCARD` or a `VCALENDAR`) as `format`, with its `VERSION` set.
    ///
    /// A record without a `VERSION` is read as vCard 3.0 or iCalendar 2.0. Asking for a
    /// format of the other family throws ``RecordError/Kind/unsupportedConversion``.
    public static func convert(_ record: VComponent, to format: VFormat) throws(RecordError) -> VComponent {
        switch (record.name, format) {
        case ("VCARD", .vCard21), ("VCARD", .vCard30), ("VCARD", .vCard40):
            return ContactConversion.convert(record, from: record.format ?? .vCard30, to: format)
        case ("VCALENDAR", .vCalendar10), ("VCALENDAR", .iCalendar20):
            return CalendarConversion.convert(record, from: record.format ?? .iCalendar20, to: format)
        default:
            throw RecordError(.unsupportedConversion, line: 1, "cannot convert a \(record.name) to \(format.displayName)")
        }
    }

    /// `VERSION` first (vCard 4.0 requires it right after `BEGIN`), any other removed.
    static func setVersion(_ component: inout VComponent, _ format: VFormat) {
        component.properties.removeAll { $0.name == "VERSION" }
        component.properties.insert(VProperty(name: "VERSION", value: format.version), at: 0)
    }
}

extension VFormat {
    /// `vCard 2.1`, `iCalendar 2.0`…
    public var displayName: String {
        switch self {
        case .vCard21, .vCard30, .vCard40: "vCard \(version)"
        case .vCalendar10: "vCalendar 1.0"
        case .iCalendar20: "iCalendar 2.0"
        }
    }
}

/// Value rewrites shared by the conversions: legacy (2.1/1.0) values hold real line breaks
/// and leave `,` unescaped; 3.0/4.0/2.0 values escape both.
enum ValueSyntax {
    /// Raw CR LF, CR and LF become `\n`; with `escapeCommas`, unescaped `,` and `;` become
    /// `\,` and `\;` (for plain text properties, whose 2.1 value may hold them bare).
    static func modern(_ value: String, escapeCommas: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        var previousCR = false, escaped = false
        for byte in value.utf8 {
            defer { previousCR = byte == 0x0D }
            if escaped {
                out.append(byte)
                escaped = false
                continue
            }
            switch byte {
            case 0x5C: out.append(byte); escaped = true
            case 0x0D: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0A: if !previousCR { out.append(contentsOf: [0x5C, 0x6E]) }
            case 0x2C where escapeCommas, 0x3B where escapeCommas: out.append(0x5C); out.append(byte)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `\n` becomes CR LF; with `unescapeCommas`, `\,` becomes `,` (vCard 2.1 and vCalendar
    /// 1.0 do not escape commas in plain text). `\;` and `\\` stay.
    static func legacy(_ value: String, unescapeCommas: Bool) -> String {
        guard value.utf8.contains(0x5C) else { return value }
        var out: [UInt8] = []
        var bytes = value.utf8.makeIterator()
        while let byte = bytes.next() {
            guard byte == 0x5C, let next = bytes.next() else { out.append(byte); continue }
            switch next {
            case UInt8(ascii: "n"), UInt8(ascii: "N"): out.append(contentsOf: [0x0D, 0x0A])
            case 0x2C where unescapeCommas: out.append(next)
            default: out.append(byte); out.append(next)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isBinary(_ property: VProperty) -> Bool {
        property.parameters.contains(where: VObjectWriter.isBase64)
    }
}
