/// What makes two records "the same thing" although their contents differ:
/// the keys the matcher indexes (docs/RECORDS.md, "Match keys").
public struct MatchKey: Hashable, Sendable, CustomStringConvertible {
    /// Contacts: the folded name (`family|given`), else the formatted name,
    /// else `org:` + organization. Events: `summary|start|end`. Tasks:
    /// `summary|due`. Start, end and due are canonical (UTC where the zone is known).
    public var primary: String
    /// Contacts: lower-cased e-mail addresses.
    public var emails: Set<String>
    /// Contacts: the last 7 digits of each phone number with at least 6 digits,
    /// so `+49 30 1234567` and `030 1234567`, or `+1 555 0102` and `555-0102`, agree.
    public var phones: Set<String>

    /// A key from its parts; for a parsed record, `RecordSignature` builds it.
    public init(primary: String, emails: Set<String> = [], phones: Set<String> = []) {
        self.primary = primary
        self.emails = emails
        self.phones = phones
    }

    public var description: String {
        var text = primary
        if !emails.isEmpty { text += " emails=" + emails.sorted().joined(separator: ",") }
        if !phones.isEmpty { text += " phones=" + phones.sorted().joined(separator: ",") }
        return text
    }

    /// The keys of a record and its canonical form.
    init(_ record: VComponent, canonical: CanonicalRecord) {
        switch canonical.kind {
        case .contact:
            self = Self.contact(record)
        case .event, .task, .other:
            let zones = TimeZones(record)
            let main = record.name == "VCALENDAR" ? record.components.first { $0.name != "VTIMEZONE" } : record
            func when(_ name: String) -> String {
                guard let property = main?.first(name) else { return "" }
                let text = Canonical.date(property.value)
                return zones.utc(text, tzid: property.parameterValues("TZID").first) ?? text
            }
            let summary = TextFolding.fold(VText.unescape(main?.first("SUMMARY")?.value ?? ""))
            let primary = canonical.kind == .task
                ? summary + "|" + when("DUE")
                : summary + "|" + when("DTSTART") + "|" + when("DTEND")
            self.init(primary: primary)
        }
    }
}

extension MatchKey {
    /// A contact's keys, from one pass over its properties.
    static func contact(_ card: VComponent) -> MatchKey {
        var n: VProperty?, fn: VProperty?, org: VProperty?
        var emails = Set<String>(), phones = Set<String>()
        for property in card.properties {
            switch property.name {
            case "N": if n == nil { n = property }
            case "FN": if fn == nil { fn = property }
            case "ORG": if org == nil { org = property }
            case "EMAIL":
                let email = TextFolding.asciiLowercased(Canonical.text(VText.unescape(property.value)))
                if !email.isEmpty { emails.insert(email) }
            case "TEL":
                if let phone = phoneKey(property.value) { phones.insert(phone) }
            default: break
            }
        }
        var primary = ""
        if let n {
            let family = TextFolding.fold(VText.component(0, of: n.value) ?? "")
            let given = TextFolding.fold(VText.component(1, of: n.value) ?? "")
            if !family.isEmpty || !given.isEmpty { primary = family + "|" + given }
        }
        if primary.isEmpty, let fn {
            // Split "Given Family" the way N would hold it.
            let words = TextFolding.fold(VText.unescape(fn.value)).split(separator: " ")
            if let family = words.last {
                primary = String(family) + "|" + words.dropLast().joined(separator: " ")
            }
        }
        if primary.isEmpty, let org {
            let folded = TextFolding.fold(VText.unescape(org.value))
            if !folded.isEmpty { primary = "org:" + folded }
        }
        return MatchKey(primary: primary, emails: emails, phones: phones)
    }

    /// The last 7 digits of a number with at least 6 (its canonical digits
    /// without the `+`), else nil.
    static func phoneKey(_ value: String) -> String? {
        var digits = 0
        for byte in value.utf8 where byte >= 0x30 && byte <= 0x39 { digits += 1 }
        guard digits >= 6 else { return nil }
        var skip = max(0, digits - 7)
        return String(unsafeUninitializedCapacity: min(digits, 7)) { out in
            var count = 0
            for byte in value.utf8 where byte >= 0x30 && byte <= 0x39 {
                if skip > 0 { skip -= 1; continue }
                out[count] = byte
                count += 1
            }
            return count
        }
    }
}

/// A parsed record with everything the engine compares it by.
public struct RecordSignature: Hashable, Sendable {
    /// Contact, event, task or other, from the outermost component.
    public let kind: RecordKind
    /// The record's canonical form, which `fingerprint` is computed from.
    public let canonical: CanonicalRecord
    /// Equal for records that differ only in form (property order, folding, case), not in content.
    public let fingerprint: Fingerprint
    /// The keys that find the record's likely duplicates.
    public let matchKey: MatchKey

    /// Computes the canonical form, fingerprint and match key of a parsed record.
    public init(_ record: VComponent) {
        canonical = CanonicalRecord(record)
        kind = canonical.kind
        fingerprint = canonical.fingerprint
        matchKey = MatchKey(record, canonical: canonical)
    }

    /// Parses `bytes` (one record) and signs it.
    public init(parsing bytes: some Collection<UInt8>) throws(RecordError) {
        let records = try VObjectParser.parse(bytes)
        guard let first = records.first else {
            throw RecordError(.missingEnd, line: 1, "no BEGIN:VCARD or BEGIN:VCALENDAR in the record")
        }
        self.init(first)
    }
}
