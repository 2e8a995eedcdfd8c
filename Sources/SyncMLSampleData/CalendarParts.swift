import SyncMLRecords
/// What events and tasks share: the calendar around the item, text
/// properties, and the bookkeeping times (`DTSTAMP`, `CREATED`, `LAST-MODIFIED`).
enum CalendarParts {
    /// 2024-01-01, the first day items fall on; they spread over three years.
    static let firstDay = 19_723
    static let dayCount = 3 * 365

    /// A text property, escaped by SyncMLRecords (`\,` `\;` `\n`).
    static func text(_ name: String, _ value: String) -> VProperty {
        var property = VProperty(name: name, value: "")
        property.text = value
        return property
    }

    /// A date-time property: in UTC, in `zone` (with `TZID`), or floating when both are absent.
    static func time(_ name: String, seconds: Int, utc: Bool, zone: SampleTimeZone?) -> VProperty {
        let time = CivilTime(seconds: seconds)
        if let zone { return VProperty(name: name, parameters: [VParameter("TZID", zone.id)], value: time.local) }
        return VProperty(name: name, value: utc ? time.utc : time.local)
    }

    /// A date property (`VALUE=DATE`).
    static func date(_ name: String, days: Int) -> VProperty {
        VProperty(name: name, parameters: [VParameter("VALUE", "DATE")], value: CivilTime(days: days).date)
    }

    /// `UID`, `DTSTAMP`, `CREATED` and `LAST-MODIFIED` of an item created before its day.
    static func bookkeeping(day: Int, random: inout SplitMix64) -> [VProperty] {
        let created = (day - 1 - random.below(300)) * 86_400 + random.below(86_400)
        let modified = created + random.below(30 * 86_400)
        return [
            VProperty(name: "UID", value: random.uuid()),
            VProperty(name: "DTSTAMP", value: CivilTime(seconds: modified).utc),
            VProperty(name: "CREATED", value: CivilTime(seconds: created).utc),
            VProperty(name: "LAST-MODIFIED", value: CivilTime(seconds: modified).utc),
        ]
    }

    /// An iCalendar 2.0 `VCALENDAR` holding `item`, and the VTIMEZONE of `zone` before it.
    static func calendar(_ item: VComponent, zone: SampleTimeZone?, random: inout SplitMix64) -> VComponent {
        VComponent(
            name: "VCALENDAR",
            properties: [VProperty(name: "VERSION", value: "2.0"), VProperty(name: "PRODID", value: random.pick(CalendarPools.productIDs))],
            components: (zone.map { [$0.timezone] } ?? []) + [item])
    }

    /// A reminder `before` (an RFC 5545 duration such as `-PT15M`) the start, or the end with `relatedToEnd`.
    static func alarm(before trigger: String, relatedToEnd: Bool = false, display text: String?) -> VComponent {
        var properties = [VProperty(name: "ACTION", value: text == nil ? "AUDIO" : "DISPLAY")]
        properties.append(VProperty(name: "TRIGGER", parameters: relatedToEnd ? [VParameter("RELATED", "END")] : [], value: trigger))
        if let text { properties.append(Self.text("DESCRIPTION", text)) }
        return VComponent(name: "VALARM", properties: properties)
    }
}
