/// What a group of duplicates would become: one record, the field merge of all
/// of them, with what each member had side by side.
public struct DuplicateProposal: Hashable, Sendable {
    /// The group this proposal merges.
    public var group: DuplicateGroup
    /// The member that stays (and receives the merge); the others go.
    /// The richest record (most canonical properties), the first in id order on a tie.
    public var survivor: String
    /// The merged record, in the survivor's version.
    public var merged: VComponent
    /// How the survivor was written; the merge is written the same way (`payload()`).
    public var encoding: RecordEncoding
    /// Each member's fingerprint when the proposal was made: applying it checks
    /// that nothing changed since (`SyncStore.applyDedupe`, the folder writer).
    public var fingerprints: [String: Fingerprint]
    /// The members as they were read, in `group.members` order.
    public var records: [DuplicateRecord]

    /// The merged record's fingerprint and match keys (computed on each use).
    public var mergedSignature: RecordSignature { RecordSignature(merged) }

    /// Every property any member has, with each member's values and the merge's, in a
    /// reading order. Computed on each use (a host that only merges never pays for it).
    public var fields: [DuplicateField] {
        let hub: VFormat = group.kind == .contact ? .vCard30 : .iCalendar20
        return (try? DuplicateMerger.compare(members: records.map(\.record), merged: merged, hub: hub)) ?? []
    }

    /// Properties whose values are not the same in every member.
    package var differingProperties: [String] { fields.filter(\.differs).map(\.name) }

    /// Values a member had that the merge does not keep (a single-valued property
    /// such as `NOTE` or `TITLE` that the survivor has too, with another value).
    /// They stay in the journal (a store) or the backup folder (files).
    package var droppedValues: [(id: String, name: String, text: String)] {
        fields.flatMap { field in
            zip(group.members, field.values).flatMap { id, values in
                values.filter { $0.status == .dropped }.map { (id, field.name, $0.text) }
            }
        }
    }

    /// The merged record written as the survivor was.
    public func payload() throws(RecordError) -> [UInt8] { try RecordPayload.write(merged, as: encoding) }

    /// Equal when they merge the same group the same way from the same records.
    public static func == (a: Self, b: Self) -> Bool {
        a.group == b.group && a.survivor == b.survivor && a.merged == b.merged && a.fingerprints == b.fingerprints
    }

    /// Hashes the group and the survivor (what `==` compares first).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(group)
        hasher.combine(survivor)
    }
}

/// One property across the members of a group.
public struct DuplicateField: Hashable, Sendable {
    /// One value of a property in one member.
    public struct Value: Hashable, Sendable {
        /// For people: `(cell) +49 30 1234567`, `Müller; Jürgen`, `[PHOTO, 3.1 KB]`.
        public var text: String
        /// Whether the merge keeps it, and whether the others have it.
        public var status: Status
    }

    /// How one member's value fares in the merge.
    public enum Status: String, Hashable, Sendable {
        /// Every member has this very value.
        case common
        /// Every member has it, written differently (another phone format, type or case).
        case equivalent
        /// Only some members have it; the merge keeps it.
        case partial
        /// The merge does not keep it: the survivor's value of a single-valued property wins.
        case dropped
    }

    /// The property name (`TEL`, `NOTE`, `DTSTART`, `VALARM`…).
    public var name: String
    /// Per member, in `DuplicateGroup.members` order.
    public var values: [[Value]]
    /// The merged record's values.
    public var merged: [String]
    /// Whether the members' values differ (in canonical form, so `Müller` and `MÜLLER` differ, phone formats too).
    public var differs: Bool
}

/// Why a proposal could not be made.
public struct DedupeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, for people.
    public var description: String
    package init(_ description: String) { self.description = description }
}

/// Builds the merge of a group (`DuplicateProposal`).
public enum DuplicateMerger {
    /// The proposal for `group`; `records` must hold every member. `survivor`,
    /// when given and a member, overrides the choice of the richest record.
    public static func propose(_ group: DuplicateGroup, records: [String: DuplicateRecord], survivor chosen: String? = nil) throws -> DuplicateProposal {
        let members = try group.members.map { id -> DuplicateRecord in
            guard let record = records[id] else { throw DedupeError("record \(id) of the group was not read") }
            return record
        }
        guard members.count >= 2 else { throw DedupeError("a group needs two records, not \(members.count)") }
        let canonical = members.map { CanonicalRecord($0.record) }
        let survivorIndex: Int
        if let chosen, let index = group.members.firstIndex(of: chosen) {
            survivorIndex = index
        } else {
            // The richest, the first on a tie.
            survivorIndex = canonical.indices.max { (canonical[$0].lineCount, -$0) < (canonical[$1].lineCount, -$1) }!
        }
        let survivor = members[survivorIndex]
        let format = RecordPayload.modelFormat(survivor.encoding, kind: canonical[survivorIndex].kind)
        let converted = try members.map { member throws(RecordError) in try inFormat(member.record, format) }

        var merged = converted[survivorIndex]
        for index in converted.indices where index != survivorIndex {
            merged = RecordMerger.merge(merged, withoutEquivalents(converted[index], of: merged), winner: .first)
        }
        var fingerprints: [String: Fingerprint] = [:]
        for (member, form) in zip(members, canonical) { fingerprints[member.id] = form.fingerprint }
        return DuplicateProposal(group: group, survivor: survivor.id, merged: merged, encoding: survivor.encoding,
                                 fingerprints: fingerprints, records: members)
    }

    private static func inFormat(_ record: VComponent, _ format: VFormat) throws(RecordError) -> VComponent {
        record.format == format ? record : try RecordConverter.convert(record, to: format)
    }

    /// `other` without the phones and e-mail addresses `merged` already has in
    /// another spelling (`030/1234567` for `+49 30 1234567`, another `TYPE`,
    /// another case), so a merge holds each number once, in the survivor's form.
    static func withoutEquivalents(_ other: VComponent, of merged: VComponent) -> VComponent {
        guard other.name == "VCARD" else { return other }
        let present = merged.properties.compactMap { property -> Entry? in
            guard property.name == "TEL" || property.name == "EMAIL" else { return nil }
            return ContactCanonicalizer.canonical(property).map { Entry(name: $0.name, line: $0.line, value: $0.value, text: "") }
        }
        var result = other
        result.properties.removeAll { property in
            guard property.name == "TEL" || property.name == "EMAIL", let canonical = ContactCanonicalizer.canonical(property) else { return false }
            let entry = Entry(name: canonical.name, line: canonical.line, value: canonical.value, text: "")
            return present.contains { $0.isEquivalent(to: entry) }
        }
        return result
    }

    // MARK: Side by side

    /// One property value of one record: its canonical line and value, and a text for people.
    struct Entry {
        var name: String
        var line: String
        var value: String
        var text: String

        /// The same value, perhaps written or typed differently: equal canonical values,
        /// or two phone numbers one of which is the other in national form.
        func isEquivalent(to other: Entry) -> Bool {
            guard name == other.name else { return false }
            if line == other.line || value == other.value { return true }
            return name == "TEL" && PhoneNumbers.same(value, other.value)
        }
    }

    static func compare(members: [VComponent], merged: VComponent, hub: VFormat) throws(RecordError) -> [DuplicateField] {
        let memberEntries = try members.map { record throws(RecordError) in entries(try inFormat(record, hub)) }
        let mergedEntries = entries(try inFormat(merged, hub))
        var names: [String] = []
        for entry in memberEntries.joined() + mergedEntries where !names.contains(entry.name) { names.append(entry.name) }
        names.sort { a, b in
            let order = hub == .vCard30 ? contactOrder : calendarOrder
            let (x, y) = (order.firstIndex(of: a) ?? order.count, order.firstIndex(of: b) ?? order.count)
            return x != y ? x < y : a < b
        }
        return names.map { name in
            let perMember = memberEntries.map { $0.filter { $0.name == name } }
            let inMerge = mergedEntries.filter { $0.name == name }
            let values = perMember.map { entries in
                entries.map { entry -> DuplicateField.Value in
                    let status: DuplicateField.Status
                    if !inMerge.contains(where: { $0.isEquivalent(to: entry) }) {
                        status = .dropped
                    } else if perMember.allSatisfy({ $0.contains { $0.line == entry.line } }) {
                        status = .common
                    } else if perMember.allSatisfy({ $0.contains { $0.isEquivalent(to: entry) } }) {
                        status = .equivalent
                    } else {
                        status = .partial
                    }
                    return .init(text: entry.text, status: status)
                }
            }
            let lineSets = perMember.map { Set($0.map(\.line)) }
            return DuplicateField(name: name, values: values, merged: inMerge.map(\.text), differs: Set(lineSets).count > 1)
        }
    }

    static let contactOrder = ["FN", "N", "NICKNAME", "ORG", "TITLE", "ROLE", "TEL", "EMAIL", "ADR", "LABEL", "URL", "IMPP", "BDAY",
                               "ANNIVERSARY", "X-ANNIVERSARY", "GENDER", "CATEGORIES", "NOTE", "PHOTO", "LOGO"]
    static let calendarOrder = ["SUMMARY", "DTSTART", "DTEND", "DUE", "DURATION", "LOCATION", "DESCRIPTION", "RRULE", "EXDATE",
                                "RDATE", "STATUS", "PRIORITY", "PERCENT-COMPLETE", "COMPLETED", "CLASS", "TRANSP", "CATEGORIES",
                                "ORGANIZER", "ATTENDEE", "VALARM"]

    /// The properties of a record in its hub version (vCard 3.0, iCalendar 2.0) that
    /// its canonical form keeps; for a calendar, those of its event or task, and its alarms.
    static func entries(_ record: VComponent) -> [Entry] {
        if record.name == "VCARD" {
            return record.properties.filter { !ContactCanonicalizer.isVolatile($0.name) }.flatMap { property in
                let forms = ContactCanonicalizer.hasEquivalents(property) ? ContactCanonicalizer.equivalents(property) : [property]
                return forms.compactMap { form in
                    ContactCanonicalizer.canonical(form).map { Entry(name: $0.name, line: $0.line, value: $0.value, text: text(form)) }
                }
            }
        }
        let zones = TimeZones(record)
        guard let main = record.name == "VCALENDAR" ? record.components.first(where: { $0.name != "VTIMEZONE" }) : record else { return [] }
        var result = main.properties.filter { !CalendarCanonicalizer.isVolatile($0.name) }.compactMap { property in
            CalendarCanonicalizer.canonical(property, zones: zones).map { Entry(name: $0.name, line: $0.line, value: $0.value, text: text(property)) }
        }
        for child in main.components {
            let lines = CalendarCanonicalizer.componentLines(child, zones: zones)
            let line = child.name + ":" + lines.joined(separator: "|")
            let text = child.properties.filter { ["ACTION", "TRIGGER", "DESCRIPTION"].contains($0.name) }.map { "\($0.name.lowercased()) \(self.text($0))" }
            result.append(Entry(name: child.name, line: line, value: line, text: text.joined(separator: ", ")))
        }
        return result
    }

    /// A property's value for people: types in parentheses, structured parts
    /// joined by `; `, binary values by their size.
    static func text(_ property: VProperty) -> String {
        let types = property.parameterValues("TYPE").flatMap { $0.split(separator: ",") }.map { $0.lowercased() }
            .filter { $0 != "voice" && $0 != "internet" }
        let prefix = types.isEmpty ? "" : "(" + types.joined(separator: ", ") + ") "
        let encoding = property.parameterValues("ENCODING").first?.uppercased()
        if encoding == "B" || encoding == "BASE64" || property.value.hasPrefix("data:") {
            let bytes = property.value.utf8.filter { $0 > 0x20 }.count * 3 / 4
            return prefix + "[\(property.name), \(bytes >= 1024 ? "\(bytes * 10 / 1024 / 10).\(bytes * 10 / 1024 % 10) KB" : "\(bytes) B")]"
        }
        switch property.name {
        case "N", "ADR", "ORG", "GEO":
            let parts = property.components.map { $0.filter { !$0.isEmpty }.joined(separator: ", ") }
            return prefix + parts.filter { !$0.isEmpty }.joined(separator: "; ")
        default:
            return prefix + property.text
        }
    }
}

/// Whether two phone numbers are one, written nationally or internationally.
enum PhoneNumbers {
    /// The digits after an international prefix (`+`, `00`) or a national trunk `0`, and which it was.
    static func core(_ canonical: String) -> (digits: Substring, international: Bool) {
        if canonical.hasPrefix("+") { return (canonical.dropFirst(), true) }
        if canonical.hasPrefix("00") { return (canonical.dropFirst(2), true) }
        if canonical.hasPrefix("0") { return (canonical.dropFirst(), false) }
        return (canonical[...], false)
    }

    /// `+49 30 1234567`, `0049301234567` and `030 1234567` are one number:
    /// equal cores, or a national core of at least 6 digits that ends the international one.
    static func same(_ a: String, _ b: String) -> Bool {
        let (x, y) = (core(Canonical.phone(a)), core(Canonical.phone(b)))
        if x.digits == y.digits { return !x.digits.isEmpty }
        let (national, international) = x.international == y.international ? (nil, nil) : x.international ? (y, x) : (x, y)
        guard let national, let international, national.digits.count >= 6 else { return false }
        return international.digits.hasSuffix(national.digits)
    }
}
