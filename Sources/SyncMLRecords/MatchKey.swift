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
            var primary = ""
            if let n = record.first("N") {
                let parts = n.components.map { TextFolding.fold($0.joined(separator: " ")) }
                let family = parts.first ?? ""
                let given = parts.count > 1 ? parts[1] : ""
                if !family.isEmpty || !given.isEmpty { primary = family + "|" + given }
            }
            if primary.isEmpty, let fn = record.first("FN") {
                // Split "Given Family" the way N would hold it.
                let words = TextFolding.fold(VText.unescape(fn.value)).split(separator: " ")
                if let family = words.last {
                    primary = String(family) + "|" + words.dropLast().joined(separator: " ")
                }
            }
            if primary.isEmpty, let org = record.first("ORG") {
                let folded = TextFolding.fold(VText.unescape(org.value))
                if !folded.isEmpty { primary = "org:" + folded }
            }
            let emails = record.properties(named: "EMAIL").map { Canonical.text(VText.unescape($0.value)).lowercased() }
            let phones = record.properties(named: "TEL").compactMap { property -> String? in
                let digits = Canonical.phone(property.value).filter { $0 != "+" }
                return digits.count >= 6 ? String(digits.suffix(7)) : nil
            }
            self.init(primary: primary, emails: Set(emails.filter { !$0.isEmpty }), phones: Set(phones))
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
