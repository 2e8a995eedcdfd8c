/// What a record is, from its outermost component.
public enum RecordKind: String, Hashable, Sendable, CaseIterable {
    /// A `VCARD`.
    case contact
    /// A `VCALENDAR` whose first component is a `VEVENT`.
    case event
    /// A `VCALENDAR` whose first component is a `VTODO`.
    case task
    /// A `VCALENDAR` with a `VJOURNAL`, or anything else.
    case other

    /// The kind of a parsed record.
    package init(of component: VComponent) {
        switch component.name {
        case "VCARD": self = .contact
        case "VEVENT": self = .event
        case "VTODO": self = .task
        case "VCALENDAR":
            let first = component.components.first { $0.name != "VTIMEZONE" }
            self = first.map { RecordKind(of: $0) } ?? .other
        default: self = .other
        }
    }
}
