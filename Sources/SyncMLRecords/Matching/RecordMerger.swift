/// Merges two versions of one record field by field: for a conflict (both
/// sides edited) and for a slow-sync match (both sides held it).
///
/// Multi-valued properties (TEL, EMAIL, ADR, URL, CATEGORIES, ATTENDEE,
/// X-…) are united without duplicates (compared in canonical form); a
/// single-valued property present on both sides comes from the winner, and
/// from whichever side has it otherwise. Nothing only one side had is dropped.
public enum RecordMerger {
    /// Which side's single values win a conflict.
    public enum Winner: Hashable, Sendable {
        /// The values of `merge`'s first argument win.
        case first
        /// The values of `merge`'s second argument win.
        case second
    }

    /// Properties of which a record may hold many.
    static func isMultiValued(_ name: String) -> Bool {
        switch name {
        case "TEL", "EMAIL", "ADR", "URL", "IMPP", "LABEL", "RELATED", "MEMBER", "CATEGORIES", "ATTENDEE",
             "EXDATE", "RDATE", "ATTACH", "COMMENT", "CONTACT", "RESOURCES", "X-ABLABEL", "X-ABRELATEDNAMES":
            true
        default:
            name.hasPrefix("X-")
        }
    }

    /// `first` and `second` merged; the result keeps the winner's VERSION and
    /// order, with what only the other side had appended.
    public static func merge(_ first: VComponent, _ second: VComponent, winner: Winner) -> VComponent {
        let (main, other) = winner == .first ? (first, second) : (second, first)
        var result = main
        result.properties = []
        let kind = RecordKind(of: main)
        let zones = TimeZones(main)
        func key(_ property: VProperty) -> String? {
            let canonical = kind == .contact
                ? ContactCanonicalizer.canonical(property)
                : CalendarCanonicalizer.canonical(property, zones: zones)
            return canonical?.line
        }

        // Empty placeholders (`EMAIL:`, `ORG:;;`, which SyncEvolution writes for every
        // field it knows) carry nothing: they neither block the other side's value nor survive it.
        func isEmpty(_ property: VProperty) -> Bool {
            property.value.utf8.allSatisfy { $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: ",") || $0 == 0x20 || $0 == 0x09 }
        }
        let kept = main.properties.filter { !isEmpty($0) }
        let mainNames = Set(kept.map(\.name))
        var seen = Set<String>()
        for property in kept {
            if let key = key(property) {
                if seen.contains(key) { continue }
                seen.insert(key)
            }
            result.properties.append(property)
        }
        for property in other.properties where !isEmpty(property) {
            if mainNames.contains(property.name), !isMultiValued(property.name) { continue }
            if property.name == "VERSION" || property.name == "PRODID" { continue }
            if let key = key(property), seen.contains(key) { continue }
            if let key = key(property) { seen.insert(key) }
            result.properties.append(property)
        }
        // Nested components (a calendar's events, an event's alarms): merge
        // those of one name pairwise in order; extra ones are kept.
        result.components = []
        var others = other.components
        for component in main.components {
            if let index = others.firstIndex(where: { $0.name == component.name }) {
                result.components.append(merge(component, others.remove(at: index), winner: .first))
            } else {
                result.components.append(component)
            }
        }
        result.components.append(contentsOf: others)
        return result
    }
}
