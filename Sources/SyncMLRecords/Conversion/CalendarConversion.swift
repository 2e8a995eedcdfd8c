/// vCalendar 1.0 ↔ iCalendar 2.0 (vCalendar 1.0 §2–3, RFC 5545). The rules are listed in
/// docs/RECORDS.md, "Conversion"; the canonical form of a 1.0 record is that of its 2.0
/// conversion, so the two agree by construction in that direction.
enum CalendarConversion {
    static let timeProperties: Set<String> = ["DTSTART", "DTEND", "DUE", "COMPLETED", "RECURRENCE-ID", "EXDATE", "RDATE"]
    static let textProperties: Set<String> = ["SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT"]
    static let itemNames: Set<String> = ["VEVENT", "VTODO", "VJOURNAL"]

    static func convert(_ calendar: VComponent, from source: VFormat, to target: VFormat) -> VComponent {
        var result = calendar
        if source != target { result = target == .iCalendar20 ? fromLegacy(calendar) : toLegacy(calendar) }
        RecordConverter.setVersion(&result, target)
        return result
    }

    // MARK: - 1.0 → 2.0

    static func fromLegacy(_ calendar: VComponent) -> VComponent {
        let zones = TimeZones(calendar)
        let zone = LegacyZone(calendar)
        var result = calendar
        result.properties.removeAll { $0.name == "TZ" || $0.name == "DAYLIGHT" }
        var usesZone = false
        result.components = calendar.components.map { item in
            itemNames.contains(item.name) ? modern(item, zones: zones, tzid: zone?.id, usesZone: &usesZone) : item
        }
        if usesZone, let zone { result.components.insert(zone.timezone, at: 0) }
        RecordConverter.setVersion(&result, .iCalendar20)
        return result
    }

    /// vCalendar 1.0 all-day events: `DTSTART` and `DTEND` both at local midnight
    /// (`…T000000`, no `Z`), the end after the start. They become `VALUE=DATE` days.
    static func isLegacyAllDay(_ item: VComponent) -> Bool {
        guard item.name == "VEVENT", let start = item.first("DTSTART").map({ Canonical.date($0.value) }),
              let end = item.first("DTEND").map({ Canonical.date($0.value) }),
              start.count == 15, end.count == 15, start.hasSuffix("T000000"), end.hasSuffix("T000000") else { return false }
        return end > start
    }

    static func modern(_ item: VComponent, zones: TimeZones, tzid: String?, usesZone: inout Bool) -> VComponent {
        var item = item
        let allDay = isLegacyAllDay(item)
        var properties: [VProperty] = []
        var alarms: [VComponent] = []
        for original in item.properties {
            var property = original
            switch property.name {
            case _ where timeProperties.contains(property.name):
                let pieces = Self.pieces(property.value)
                if allDay && (property.name == "DTSTART" || property.name == "DTEND") {
                    property.value = String(Canonical.date(property.value).prefix(8))
                } else {
                    property.value = pieces.map { piece in
                        guard piece.count > 8, !piece.hasSuffix("Z"), property.name == "COMPLETED",
                              let utc = zones.utc(piece, tzid: nil) else { return piece }
                        return utc
                    }.joined(separator: ",")
                }
                let values = Self.pieces(property.value)
                if values.allSatisfy({ $0.count == 8 }) {
                    if property.parameter("VALUE") == nil { property.parameters.append(VParameter("VALUE", "DATE")) }
                } else if let tzid, property.parameter("TZID") == nil, values.contains(where: { !$0.hasSuffix("Z") }) {
                    property.parameters.insert(VParameter("TZID", tzid), at: 0)
                    usesZone = true
                }
            case "RRULE", "EXRULE":
                if !property.value.contains("="),
                   let rule = LegacyRecurrence.iCalendar(property.value, until: { zones.utc($0, tzid: nil) ?? $0 }) {
                    property.value = rule
                }
            case "STATUS":
                property.value = Canonical.text(VText.unescape(property.value)).uppercased().replacingSpaces(with: "-")
            case "PRIORITY":
                if let value = Int(property.value.trimmingASCIIWhitespace()), (1...3).contains(value) {
                    property.value = String([1, 5, 9][value - 1])
                }
            case "TRANSP":
                if let value = Int(property.value.trimmingASCIIWhitespace()) {
                    property.value = value == 0 ? "OPAQUE" : "TRANSPARENT"
                }
            case "CATEGORIES", "RESOURCES":
                property.value = VText.join([property.components.flatMap { $0 }.map { Canonical.text($0) }.filter { !$0.isEmpty }])
            case "DCREATED":
                property.name = "CREATED"
            case "AALARM", "DALARM":
                if let alarm = LegacyAlarm.valarm(property, in: item, zones: zones) {
                    alarms.append(alarm)
                    continue
                }
            case _ where textProperties.contains(property.name):
                property.value = ValueSyntax.modern(property.value, escapeCommas: true)
            default:
                if !ValueSyntax.isBinary(property) { property.value = ValueSyntax.modern(property.value, escapeCommas: false) }
            }
            properties.append(property)
        }
        item.properties = properties
        item.components += alarms
        return item
    }

    /// A 1.0 (`;`) or 2.0 (`,`) list of dates, each without separators.
    static func pieces(_ value: String) -> [String] {
        value.split(whereSeparator: { $0 == ";" || $0 == "," }).map { Canonical.date(String($0)) }.filter { !$0.isEmpty }
    }

    // MARK: - 2.0 → 1.0

    /// Times with a known zone are written in UTC and the zones dropped (1.0 `TZ`/`DAYLIGHT`
    /// cannot describe a zone over several years); floating times, dates and times in a
    /// zone that cannot be evaluated stay as written (the latter keep `TZID` and their VTIMEZONE).
    static func toLegacy(_ calendar: VComponent) -> VComponent {
        let zones = TimeZones(calendar)
        var result = calendar
        result.properties.removeAll { $0.name == "CALSCALE" || $0.name == "METHOD" }
        result.components = calendar.components.compactMap { item in
            itemNames.contains(item.name) ? legacy(item, zones: zones) : item
        }
        let referenced = Set(result.components.flatMap { $0.properties.flatMap { $0.parameterValues("TZID") } })
        result.components.removeAll { $0.name == "VTIMEZONE" && !referenced.contains($0.first("TZID")?.value ?? "") }
        RecordConverter.setVersion(&result, .vCalendar10)
        return result
    }

    static func legacy(_ item: VComponent, zones: TimeZones) -> VComponent {
        var item = item
        let allDay = item.name == "VEVENT" && item.first("DTSTART").map { Canonical.date($0.value).count == 8 } == true
            && item.first("DTEND").map { Canonical.date($0.value).count == 8 } == true
        var properties: [VProperty] = []
        for original in item.properties {
            var property = original
            switch property.name {
            case _ where timeProperties.contains(property.name):
                let tzid = property.parameterValues("TZID").first
                var resolved = true
                let values = Self.pieces(property.value).map { piece -> String in
                    if piece.count == 8 { return allDay && (property.name == "DTSTART" || property.name == "DTEND") ? piece + "T000000" : piece }
                    guard piece.hasSuffix("Z") || tzid != nil else { return piece }
                    guard let utc = zones.utc(piece, tzid: tzid) else { resolved = false; return piece }
                    return utc
                }
                property.value = values.joined(separator: ";")
                property.parameters.removeAll { $0.name == "VALUE" || ($0.name == "TZID" && resolved) }
            case "RRULE", "EXRULE":
                if let rule = LegacyRecurrence.vCalendar(property.value) { property.value = rule }
            case "STATUS":
                if property.value.uppercased() == "NEEDS-ACTION" { property.value = "NEEDS ACTION" }
            case "PRIORITY":
                if let value = Int(property.value.trimmingASCIIWhitespace()), (1...9).contains(value) {
                    property.value = value <= 4 ? "1" : value == 5 ? "2" : "3"
                }
            case "TRANSP":
                switch property.value.uppercased() {
                case "OPAQUE": property.value = "0"
                case "TRANSPARENT": property.value = "1"
                default: break
                }
            case "CATEGORIES", "RESOURCES":
                property.value = VText.join(property.components.flatMap { $0 }.map { [$0] })
            case "CREATED":
                property.name = "DCREATED"
            case "DTSTAMP":
                continue // no 1.0 equivalent; it describes the copy
            default:
                if !ValueSyntax.isBinary(property) {
                    property.value = ValueSyntax.legacy(property.value, unescapeCommas: textProperties.contains(property.name))
                }
            }
            properties.append(property)
        }
        var kept: [VComponent] = []
        for child in item.components {
            if child.name == "VALARM", let alarm = LegacyAlarm.property(child, in: item, zones: zones) {
                properties.append(alarm)
            } else {
                kept.append(child)
            }
        }
        item.properties = properties
        item.components = kept
        return item
    }
}
