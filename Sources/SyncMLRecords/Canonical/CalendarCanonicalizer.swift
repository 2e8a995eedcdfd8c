/// vCalendar 1.0 and iCalendar 2.0 events and tasks.
enum CalendarCanonicalizer {
    /// Left out: they describe the copy or its history, not the event.
    static func isVolatile(_ name: String) -> Bool {
        switch name {
        case "DTSTAMP", "LAST-MODIFIED", "CREATED", "DCREATED", "SEQUENCE", "UID", "PRODID", "VERSION":
            true
        default:
            name.hasPrefix("X-EVOLUTION-") || name.hasPrefix("X-MOZ-") || name.hasPrefix("X-LIC-")
                || name.hasPrefix("X-SYNCEVOLUTION-")
        }
    }

    static let dateProperties: Set<String> = ["DTSTART", "DTEND", "DUE", "COMPLETED", "RECURRENCE-ID", "EXDATE", "RDATE"]

    static func lines(_ record: VComponent) -> [String] {
        // A vCalendar 1.0 record means what its iCalendar 2.0 conversion says.
        let record = record.format == .vCalendar10 ? CalendarConversion.fromLegacy(record) : record
        let zones = TimeZones(record)
        let components = record.name == "VCALENDAR"
            ? record.components.filter { $0.name != "VTIMEZONE" }
            : [record]
        // Order-independent: each component's block, blocks sorted.
        let blocks = components.map { component -> [String] in
            ["BEGIN:\(component.name)"] + componentLines(component, zones: zones) + ["END:\(component.name)"]
        }
        if blocks.count == 1 { return Array(blocks[0].dropFirst().dropLast()) }
        return blocks.sorted { $0.joined(separator: "\n") < $1.joined(separator: "\n") }.flatMap { $0 }
    }

    static func componentLines(_ component: VComponent, zones: TimeZones) -> [String] {
        var unsorted: [String] = []
        unsorted.reserveCapacity(component.properties.count)
        for property in component.properties where !isVolatile(property.name) {
            if let canonical = canonical(property, zones: zones) { unsorted.append(canonical.line) }
        }
        var lines = Canonical.sortedUnique(unsorted)
        // Alarms (and other nested components) as one line each.
        let nested = component.components.map { child in
            var lines = componentLines(child, zones: zones)
            if child.name == "VALARM", let trigger = trigger(child, in: component, zones: zones) {
                lines.removeAll { $0.hasPrefix("TRIGGER:") || $0.hasPrefix("TRIGGER;") }
                lines.append(trigger)
                lines.sort()
            }
            return "\(child.name):" + lines.joined(separator: "|")
        }
        lines.append(contentsOf: nested.sorted())
        return lines
    }

    static func canonical(_ property: VProperty, zones: TimeZones) -> CanonicalProperty? {
        let name = property.name
        var tzid: String? = nil
        var parameters = Canonical.parameters(property) { parameter, value in
            switch (parameter, value) {
            case ("VALUE", "DATE-TIME"), ("VALUE", "TEXT"): true
            default: false
            }
        }
        let value: String
        if dateProperties.contains(name) || (name == "TRIGGER" && property.parameterValues("VALUE").contains { $0.uppercased() == "DATE-TIME" }) {
            tzid = property.parameterValues("TZID").first
            var converted = true
            value = property.value.split(separator: ",").map { piece -> String in
                let text = Canonical.date(String(piece))
                guard let utc = zones.utc(text, tzid: tzid) else { converted = false; return text }
                return utc
            }.sorted().joined(separator: ",")
            if converted, tzid != nil { parameters.removeAll { $0.name == "TZID" } }
            parameters.removeAll { $0.name == "VALUE" && $0.values == ["DATE"] && !value.contains("T") }
        } else {
            switch name {
            case "STATUS", "CLASS", "TRANSP", "ACTION":
                value = Canonical.text(VText.unescape(property.value)).uppercased().replacingSpaces(with: "-")
                // RFC 5545 defaults: writing them or not says the same (Evolution always does, Outlook never).
                if (name == "TRANSP" && value == "OPAQUE") || (name == "CLASS" && value == "PUBLIC") { return nil }
            case "RRULE", "EXRULE":
                value = recurrence(property.value, zones: zones)
            case "PRIORITY":
                value = priority(property.value)
            case "CATEGORIES", "RESOURCES", "GEO":
                value = Canonical.structured(property)
            case "ATTENDEE", "ORGANIZER":
                value = Canonical.text(property.value).lowercased()
            default:
                value = Canonical.escape(Canonical.text(VText.unescape(property.value)))
            }
        }
        if value.isEmpty { return nil }
        return CanonicalProperty(name: name, parameters: parameters, value: value)
    }

    /// When an alarm fires, relative to the start (`TRIGGER:START-900`) when the start is
    /// on the same clock (UTC or floating), else in UTC: an absolute trigger, one relative to
    /// the end and one relative to the start that fire at the same time are the same alarm.
    static func trigger(_ alarm: VComponent, in item: VComponent, zones: TimeZones) -> String? {
        guard let fire = LegacyAlarm.fireTime(alarm, in: item, zones: zones) else { return nil }
        if let start = LegacyAlarm.start(of: item, zones: zones), start.utc == fire.utc {
            let offset = fire.seconds - start.seconds
            return "TRIGGER:START" + (offset < 0 ? "-" : "+") + String(abs(offset))
        }
        return fire.utc ? "TRIGGER:" + DateTime.format(fire.seconds) : nil
    }

    /// `PRIORITY` as the three levels vCalendar 1.0 can say: 1–4 high (1), 5 normal,
    /// 6–9 low (9); 0 (undefined) is dropped.
    static func priority(_ raw: String) -> String {
        let text = Canonical.text(raw)
        guard let value = Int(text), (0...9).contains(value) else { return Canonical.escape(text) }
        switch value {
        case 0: return ""
        case 1...4: return "1"
        case 5: return "5"
        default: return "9"
        }
    }

    /// iCalendar RRULE parts sorted, defaults (`INTERVAL=1`, `WKST=MO`) left
    /// out, `UNTIL` as a UTC date-time. vCalendar 1.0 rules (`W1 MO #5`) are converted to
    /// their RFC 5545 form first; those ``LegacyRecurrence`` does not read stay as written.
    static func recurrence(_ raw: String, zones: TimeZones) -> String {
        var raw = raw
        if !raw.contains("=") {
            guard let rule = LegacyRecurrence.iCalendar(raw) else { return "V1:" + Canonical.text(raw).uppercased() }
            raw = rule
        }
        var parts: [String] = []
        for part in raw.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingASCIIWhitespace().uppercased() }
            guard pair.count == 2 else { continue }
            switch (pair[0], pair[1]) {
            case ("INTERVAL", "1"), ("WKST", "MO"): continue
            case ("UNTIL", let until): parts.append("UNTIL=" + (zones.utc(Canonical.date(until), tzid: nil) ?? Canonical.date(until)))
            case ("BYDAY", let days), ("BYMONTH", let days), ("BYMONTHDAY", let days):
                parts.append(pair[0] + "=" + days.split(separator: ",").sorted().joined(separator: ","))
            default: parts.append(pair[0] + "=" + pair[1])
            }
        }
        return parts.sorted().joined(separator: ";")
    }
}

extension String {
    func replacingSpaces(with replacement: String) -> String {
        split(separator: " ", omittingEmptySubsequences: true).joined(separator: replacement)
    }
}

/// Local times to UTC: iCalendar VTIMEZONEs (fixed offsets, and yearly
/// `BYMONTH`/`BYDAY` daylight rules) and vCalendar 1.0 `TZ`/`DAYLIGHT`.
/// Times without a zone (floating) and zones it cannot evaluate stay local.
struct TimeZones {
    struct Observance {
        var start: Int        // local seconds of the first onset
        var offsetTo: Int     // seconds east of UTC
        var month: Int?       // yearly rule: BYMONTH
        var weekday: Int?     // 0 = Sunday
        var ordinal: Int?     // 1...5 or -1...-5
    }

    private var zones: [String: [Observance]] = [:]
    /// vCalendar 1.0: `TZ` offset, and a `DAYLIGHT` period with its offset.
    private var legacyOffset: Int?
    private var legacyDaylight: (offset: Int, from: Int, to: Int)?

    init(_ record: VComponent) {
        for zone in record.components where zone.name == "VTIMEZONE" {
            guard let id = zone.first("TZID")?.value else { continue }
            var observances: [Observance] = []
            for observance in zone.components where observance.name == "STANDARD" || observance.name == "DAYLIGHT" {
                guard let startText = observance.first("DTSTART")?.value,
                      let start = DateTime.seconds(Canonical.date(startText)),
                      let offsetText = observance.first("TZOFFSETTO")?.value,
                      let offset = DateTime.offset(offsetText) else { continue }
                var entry = Observance(start: start, offsetTo: offset)
                if let rule = observance.first("RRULE")?.value {
                    for part in rule.uppercased().split(separator: ";") {
                        let pair = part.split(separator: "=", maxSplits: 1)
                        guard pair.count == 2 else { continue }
                        if pair[0] == "BYMONTH" { entry.month = Int(pair[1]) }
                        if pair[0] == "BYDAY", let (ordinal, weekday) = DateTime.weekdayRule(String(pair[1])) {
                            entry.ordinal = ordinal
                            entry.weekday = weekday
                        }
                    }
                }
                observances.append(entry)
            }
            if !observances.isEmpty { zones[id] = observances }
        }
        if let tz = record.first("TZ")?.value { legacyOffset = DateTime.offset(tz) }
        if let daylight = record.first("DAYLIGHT")?.value {
            let parts = daylight.split(separator: ";").map(String.init)
            if parts.count >= 4, parts[0].uppercased() == "TRUE", let offset = DateTime.offset(parts[1]),
               let from = DateTime.seconds(Canonical.date(parts[2])), let to = DateTime.seconds(Canonical.date(parts[3])) {
                legacyDaylight = (offset, from, to)
            }
        }
    }

    /// `text` (a canonical date or date-time) in UTC, or nil if it stays as is:
    /// a date, a floating time, or a zone that cannot be evaluated.
    func utc(_ text: String, tzid: String?) -> String? {
        if text.count == 8 { return text } // a date: all-day, no zone
        if text.hasSuffix("Z") {
            return DateTime.seconds(text).map(DateTime.format)
        }
        guard let local = DateTime.seconds(text) else { return nil }
        if let tzid {
            guard let observances = zones[tzid], let offset = offset(at: local, observances) else { return nil }
            return DateTime.format(local - offset)
        }
        guard let legacyOffset else { return nil } // floating
        if let daylight = legacyDaylight, local - daylight.offset >= daylight.from, local - daylight.offset < daylight.to {
            return DateTime.format(local - daylight.offset)
        }
        return DateTime.format(local - legacyOffset)
    }

    /// The offset of the observance whose latest onset is at or before `local`.
    private func offset(at local: Int, _ observances: [Observance]) -> Int? {
        var best: (onset: Int, offset: Int)? = nil
        let year = DateTime.year(of: local)
        for observance in observances {
            var onsets: [Int] = []
            if let month = observance.month, let weekday = observance.weekday, let ordinal = observance.ordinal {
                let timeOfDay = observance.start - DateTime.startOfDay(observance.start)
                for y in [year - 1, year] where y >= DateTime.year(of: observance.start) {
                    if let day = DateTime.nthWeekday(year: y, month: month, weekday: weekday, ordinal: ordinal) {
                        onsets.append(day + timeOfDay)
                    }
                }
            } else if observance.month == nil {
                onsets = [observance.start]
            } else {
                return nil // a rule we do not evaluate
            }
            for onset in onsets where onset <= local && (best == nil || onset > best!.onset) {
                best = (onset, observance.offsetTo)
            }
        }
        return best?.offset ?? observances.min { $0.start < $1.start }?.offsetTo
    }
}

/// Civil date arithmetic on `YYYYMMDD[THHMMSS[Z]]` in seconds since 1970, proleptic Gregorian.
enum DateTime {
    static func seconds(_ text: String) -> Int? {
        let digits = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= digits.count else { return nil }
            var value = 0
            for byte in digits[range] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var time = 0
        if digits.count >= 15, digits[8] == UInt8(ascii: "T") {
            guard let h = number(9..<11), let m = number(11..<13), let s = number(13..<15) else { return nil }
            time = h * 3600 + m * 60 + s
        } else if digits.count != 8 {
            return nil
        }
        return daysFromCivil(year, month, day) * 86400 + time
    }

    static func format(_ seconds: Int) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let time = seconds - days * 86400
        let (y, m, d) = civilFromDays(days)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(y, 4) + pad(m, 2) + pad(d, 2) + "T" + pad(time / 3600, 2) + pad(time / 60 % 60, 2) + pad(time % 60, 2) + "Z"
    }

    /// `+0200`, `-05:00`, `+01` → seconds east of UTC.
    static func offset(_ text: String) -> Int? {
        let trimmed = text.trimmingASCIIWhitespace()
        guard let sign = trimmed.first, sign == "+" || sign == "-" else { return nil }
        let digits = trimmed.dropFirst().filter { $0 != ":" }
        guard digits.count == 2 || digits.count == 4 || digits.count == 6, digits.allSatisfy(\.isNumber),
              let hours = Int(digits.prefix(2)) else { return nil }
        let minutes = digits.count >= 4 ? Int(digits.dropFirst(2).prefix(2)) ?? 0 : 0
        let value = hours * 3600 + minutes * 60
        return sign == "-" ? -value : value
    }

    /// `-1SU` → (-1, 0); `2SA` → (2, 6).
    static func weekdayRule(_ text: String) -> (Int, Int)? {
        let names = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]
        guard text.count >= 3, let weekday = names.firstIndex(of: String(text.suffix(2))),
              let ordinal = Int(text.dropLast(2)), ordinal != 0 else { return nil }
        return (ordinal, weekday)
    }

    static func year(of seconds: Int) -> Int { civilFromDays(seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400).0 }
    static func startOfDay(_ seconds: Int) -> Int { (seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400) * 86400 }

    /// Local midnight (seconds) of the `ordinal`th `weekday` of a month (negative: from the end).
    static func nthWeekday(year: Int, month: Int, weekday: Int, ordinal: Int) -> Int? {
        let first = daysFromCivil(year, month, 1)
        let next = month == 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1)
        let firstWeekday = ((first % 7) + 7 + 4) % 7 // 1970-01-01 was a Thursday
        var day: Int
        if ordinal > 0 {
            day = first + (weekday - firstWeekday + 7) % 7 + (ordinal - 1) * 7
        } else {
            let last = next - 1
            let lastWeekday = ((last % 7) + 7 + 4) % 7
            day = last - (lastWeekday - weekday + 7) % 7 + (ordinal + 1) * 7
        }
        guard day >= first, day < next else { return nil }
        return day * 86400
    }

    // Howard Hinnant's days_from_civil / civil_from_days algorithms.
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
