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
        var keys = ContactKeys()
        for property in card.properties where ContactKeys.reads(property.name) {
            var value = property.value
            value.withUTF8 { keys.add(property.name, value: $0) }
        }
        return keys.matchKey
    }

    /// The last 7 digits of a number with at least 6 (its canonical digits
    /// without the `+`), else nil.
    static func phoneKey(_ value: UnsafeBufferPointer<UInt8>) -> String? {
        var digits = 0
        for byte in value where byte >= 0x30 && byte <= 0x39 { digits += 1 }
        guard digits >= 6 else { return nil }
        var skip = max(0, digits - 7)
        return String(unsafeUninitializedCapacity: min(digits, 7)) { out in
            var count = 0
            for byte in value where byte >= 0x30 && byte <= 0x39 {
                if skip > 0 { skip -= 1; continue }
                out[count] = byte
                count += 1
            }
            return count
        }
    }
}

/// A contact's match keys gathered property by property, from the parser's
/// model (`MatchKey.contact`) or straight from the byte scan
/// (`ContactSignatureScan`): one rule for both. The primary key is taken from
/// the first `N`, else the first `FN`, else the first `ORG`; each is worked out
/// when it arrives, unless one before it in that order already gave a key.
struct ContactKeys {
    private var fromN: String?, fromFN: String?, fromORG: String?
    private(set) var emails = Set<String>(), phones = Set<String>()

    /// Whether `add` uses a property called `name`.
    static func reads(_ name: String) -> Bool {
        ContactField(name).keySource != .none
    }

    /// Takes a property's value as the parser gives it (escapes as written).
    mutating func add(_ name: String, value: UnsafeBufferPointer<UInt8>) {
        add(ContactField(name).keySource, value: value)
    }

    /// `add` for a property whose `ContactField` is known (the byte scan's).
    mutating func add(_ source: ContactField.KeySource, value: UnsafeBufferPointer<UInt8>) {
        switch source {
        case .n:
            guard fromN == nil else { return }
            let family = TextFolding.fold(VText.component(0, of: value) ?? "")
            let given = TextFolding.fold(VText.component(1, of: value) ?? "")
            fromN = family.isEmpty && given.isEmpty ? "" : family + "|" + given
        case .fn:
            guard fromFN == nil, fromN?.isEmpty != false else { return }
            // Split "Given Family" the way N would hold it.
            let words = TextFolding.fold(VText.unescape(String(decoding: value, as: UTF8.self))).split(separator: " ")
            fromFN = words.last.map { String($0) + "|" + words.dropLast().joined(separator: " ") } ?? ""
        case .org:
            guard fromORG == nil, fromN?.isEmpty != false, fromFN?.isEmpty != false else { return }
            let folded = TextFolding.fold(VText.unescape(String(decoding: value, as: UTF8.self)))
            fromORG = folded.isEmpty ? "" : "org:" + folded
        case .email:
            let text = VText.unescape(String(decoding: value, as: UTF8.self))
            let email = TextFolding.asciiLowercased(Canonical.text(text))
            if !email.isEmpty { Self.insert(email, into: &emails) }
        case .tel:
            if let phone = MatchKey.phoneKey(value) { Self.insert(phone, into: &phones) }
        case .none: break
        }
    }

    /// Inserts into a set given room for a contact's usual few at the first:
    /// no regrowth at the second and third.
    private static func insert(_ key: String, into set: inout Set<String>) {
        if set.isEmpty { set.reserveCapacity(4) }
        set.insert(key)
    }

    var matchKey: MatchKey {
        var primary = fromN ?? ""
        if primary.isEmpty { primary = fromFN ?? "" }
        if primary.isEmpty { primary = fromORG ?? "" }
        return MatchKey(primary: primary, emails: emails, phones: phones)
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

    /// A signature from its parts (the byte scan's).
    init(canonical: CanonicalRecord, matchKey: MatchKey) {
        self.canonical = canonical
        kind = canonical.kind
        fingerprint = canonical.fingerprint
        self.matchKey = matchKey
    }

    /// The signature of a payload holding one plain vCard, straight from its
    /// bytes (`ContactSignatureScan`); nil for anything else, which is then
    /// parsed and signed as a `VComponent`. Equal to what that gives.
    package static func scanningContact(_ bytes: some Collection<UInt8>) -> RecordSignature? {
        guard let scanned = ContactSignatureScan.scan(bytes, keys: true), let matchKey = scanned.matchKey else { return nil }
        return RecordSignature(canonical: scanned.canonical, matchKey: matchKey)
    }

    /// Parses `bytes` (one record) and signs it: a plain vCard straight from its bytes.
    public init(parsing bytes: some Collection<UInt8>) throws(RecordError) {
        if let scanned = Self.scanningContact(bytes) {
            self = scanned
            return
        }
        let records = try VObjectParser.parse(bytes)
        guard let first = records.first else {
            throw RecordError(.missingEnd, line: 1, "no BEGIN:VCARD or BEGIN:VCALENDAR in the record")
        }
        self.init(first)
    }
}
