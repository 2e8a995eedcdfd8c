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

/// vCalendar 1.0 `TZ` and `DAYLIGHT` as an iCalendar VTIMEZONE: a fixed-offset STANDARD
/// observance, plus the DAYLIGHT period when `DAYLIGHT:TRUE` gives one (only the first
/// `DAYLIGHT` property: one year).
struct LegacyZone {
    var id: String
    var timezone: VComponent

    init?(_ calendar: VComponent) {
        guard let tz = calendar.first("TZ").flatMap({ DateTime.offset($0.value) }) else { return nil }
        let standardStart = "19700101T000000"
        func observance(_ name: String, _ start: String, from: Int, to: Int) -> VComponent {
            VComponent(name: name, properties: [
                VProperty(name: "DTSTART", value: start),
                VProperty(name: "TZOFFSETFROM", value: DateTime.offsetText(from)),
                VProperty(name: "TZOFFSETTO", value: DateTime.offsetText(to)),
            ])
        }
        var observances = [observance("STANDARD", standardStart, from: tz, to: tz)]
        id = "UTC" + DateTime.offsetText(tz, colon: true)
        if let daylight = calendar.first("DAYLIGHT")?.value {
            let parts = daylight.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            if parts.count >= 4, parts[0].uppercased() == "TRUE", let offset = DateTime.offset(parts[1]),
               let from = DateTime.seconds(Canonical.date(parts[2])), let to = DateTime.seconds(Canonical.date(parts[3])) {
                // Onsets in the local time before each change (RFC 5545 §3.6.5).
                observances.append(observance("DAYLIGHT", DateTime.formatLocal(from + tz), from: tz, to: offset))
                observances.append(observance("STANDARD", DateTime.formatLocal(to + offset), from: offset, to: tz))
                id += "/" + DateTime.offsetText(offset, colon: true)
                if parts.count >= 6, !parts[4].isEmpty, !parts[5].isEmpty { id = parts[4] + "/" + parts[5] }
            }
        }
        timezone = VComponent(name: "VTIMEZONE", properties: [VProperty(name: "TZID", value: id)], components: observances)
    }
}

/// vCalendar 1.0 `AALARM`/`DALARM` (`runTime;snoozeTime;repeatCount;audio or text`)
/// and iCalendar `VALARM`s with `ACTION:AUDIO`/`DISPLAY`.
enum LegacyAlarm {
    /// A time as seconds on one of two clocks: UTC, or floating local time (dates included).
    struct Instant: Equatable {
        var seconds: Int
        var utc: Bool
    }

    static func instant(_ raw: String, tzid: String?, zones: TimeZones) -> Instant? {
        let text = Canonical.date(raw)
        guard let local = DateTime.seconds(text) else { return nil }
        if text.count == 8 { return Instant(seconds: local, utc: false) }
        if let utc = zones.utc(text, tzid: tzid), let seconds = DateTime.seconds(utc) { return Instant(seconds: seconds, utc: true) }
        return tzid == nil ? Instant(seconds: local, utc: false) : nil
    }

    static func start(of item: VComponent, zones: TimeZones) -> Instant? {
        guard let start = item.first("DTSTART") else { return nil }
        return instant(start.value, tzid: start.parameterValues("TZID").first, zones: zones)
    }

    static func text(_ instant: Instant) -> String {
        instant.utc ? DateTime.format(instant.seconds) : DateTime.formatLocal(instant.seconds)
    }

    /// The VALARM a 1.0 alarm property means. The trigger is relative to the start when
    /// both are on one clock, else absolute.
    static func valarm(_ property: VProperty, in item: VComponent, zones: TimeZones) -> VComponent? {
        let fields = property.components.map { $0.joined(separator: ",") }
        guard let runText = fields.first, let run = instant(runText, tzid: nil, zones: zones) else { return nil }
        let audio = property.name == "AALARM"
        var properties = [VProperty(name: "ACTION", value: audio ? "AUDIO" : "DISPLAY")]
        if let start = start(of: item, zones: zones), start.utc == run.utc {
            properties.append(VProperty(name: "TRIGGER", value: Duration.text(run.seconds - start.seconds)))
        } else {
            properties.append(VProperty(name: "TRIGGER", parameters: [VParameter("VALUE", "DATE-TIME")], value: text(run)))
        }
        let snooze = fields.count > 1 ? fields[1].trimmingASCIIWhitespace() : ""
        let repeats = fields.count > 2 ? Int(fields[2].trimmingASCIIWhitespace()) ?? 0 : 0
        if !snooze.isEmpty, repeats > 0, Duration.seconds(snooze) != nil {
            properties.append(VProperty(name: "DURATION", value: snooze))
            properties.append(VProperty(name: "REPEAT", value: String(repeats)))
        }
        let content = fields.count > 3 ? Canonical.text(fields[3...].joined(separator: ";")) : ""
        if audio {
            if !content.isEmpty { properties.append(VProperty(name: "ATTACH", value: content)) }
        } else {
            let summary = item.first("SUMMARY").map { Canonical.text(VText.unescape($0.value)) } ?? ""
            let description = content.isEmpty ? (summary.isEmpty ? "Reminder" : summary) : content
            properties.append(VProperty(name: "DESCRIPTION", value: VText.escape(description)))
        }
        return VComponent(name: "VALARM", properties: properties)
    }

    /// When a VALARM fires: absolute, or relative to the start or end of `item`.
    static func fireTime(_ alarm: VComponent, in item: VComponent, zones: TimeZones) -> Instant? {
        guard let trigger = alarm.first("TRIGGER") else { return nil }
        if trigger.parameterValues("VALUE").contains(where: { $0.uppercased() == "DATE-TIME" }) {
            return instant(trigger.value, tzid: nil, zones: zones)
        }
        guard let offset = Duration.seconds(trigger.value) else { return nil }
        let related = trigger.parameterValues("RELATED").first?.uppercased() ?? "START"
        let anchorName = related == "END" ? (item.name == "VTODO" ? "DUE" : "DTEND") : "DTSTART"
        guard let anchor = item.first(anchorName),
              let base = instant(anchor.value, tzid: anchor.parameterValues("TZID").first, zones: zones) else { return nil }
        return Instant(seconds: base.seconds + offset, utc: base.utc)
    }

    /// The 1.0 property for a VALARM, or nil when 1.0 cannot say all of it (other actions,
    /// parameters on ATTACH/DESCRIPTION, properties beyond the four fields).
    static func property(_ alarm: VComponent, in item: VComponent, zones: TimeZones) -> VProperty? {
        guard alarm.components.isEmpty, let action = alarm.first("ACTION")?.value.uppercased(),
              action == "AUDIO" || action == "DISPLAY", let run = fireTime(alarm, in: item, zones: zones) else { return nil }
        let allowed: Set<String> = action == "AUDIO"
            ? ["ACTION", "TRIGGER", "DURATION", "REPEAT", "ATTACH"] : ["ACTION", "TRIGGER", "DURATION", "REPEAT", "DESCRIPTION"]
        for property in alarm.properties where !CalendarCanonicalizer.isVolatile(property.name) {
            guard allowed.contains(property.name), alarm.properties(named: property.name).count == 1 else { return nil }
            if property.name == "ATTACH" || property.name == "DESCRIPTION" || property.name == "REPEAT" || property.name == "DURATION",
               !property.parameters.isEmpty { return nil }
        }
        if action == "DISPLAY", alarm.first("DESCRIPTION").map({ Canonical.text(VText.unescape($0.value)).isEmpty }) ?? true {
            return nil
        }
        let repeats = alarm.first("REPEAT").flatMap { Int($0.value.trimmingASCIIWhitespace()) } ?? 0
        let snooze = alarm.first("DURATION")?.value.trimmingASCIIWhitespace() ?? ""
        if (repeats > 0) != !snooze.isEmpty { return nil }
        let content = action == "AUDIO"
            ? alarm.first("ATTACH")?.value ?? "" : Canonical.text(VText.unescape(alarm.first("DESCRIPTION")!.value))
        let fields = [[text(run)], [repeats > 0 ? snooze : ""], [String(repeats)], [content]]
        return VProperty(name: action == "AUDIO" ? "AALARM" : "DALARM", value: VText.join(fields))
    }
}

/// RFC 5545 §3.3.6 durations: `-PT15M`, `P1DT2H`, `P1W`.
enum Duration {
    static func seconds(_ raw: String) -> Int? {
        var text = Substring(raw.trimmingASCIIWhitespace().uppercased())
        var sign = 1
        if text.first == "-" { sign = -1; text = text.dropFirst() } else if text.first == "+" { text = text.dropFirst() }
        guard text.first == "P" else { return nil }
        text = text.dropFirst()
        var total = 0, number = "", inTime = false, any = false
        for character in text {
            switch character {
            case "0"..."9": number.append(character)
            case "T": inTime = true
            case "W", "D", "H", "M", "S":
                guard let value = Int(number) else { return nil }
                let unit: Int
                switch (character, inTime) {
                case ("W", _): unit = 604_800
                case ("D", _): unit = 86_400
                case ("H", true): unit = 3600
                case ("M", true): unit = 60
                case ("S", true): unit = 1
                default: return nil
                }
                total += value * unit
                number = ""
                any = true
            default: return nil
            }
        }
        return any && number.isEmpty ? sign * total : nil
    }

    static func text(_ seconds: Int) -> String {
        if seconds == 0 { return "PT0S" }
        var rest = abs(seconds)
        var out = seconds < 0 ? "-P" : "P"
        if rest >= 86_400 { out += "\(rest / 86_400)D"; rest %= 86_400 }
        if rest > 0 {
            out += "T"
            if rest >= 3600 { out += "\(rest / 3600)H"; rest %= 3600 }
            if rest >= 60 { out += "\(rest / 60)M"; rest %= 60 }
            if rest > 0 { out += "\(rest)S" }
        }
        return out
    }
}

/// vCalendar 1.0 recurrence rules (vCalendar 1.0 §3.7 "Recurrence Rule Grammar") and the
/// RFC 5545 rules they mean: `D1`, `W1 MO TU`, `W2 FR`, `MD1 15`, `MD1 1-`, `MP1 1+ MO`,
/// `YM1 6`, `YD1 100`, each with `#n` (`#0` = forever) or an end time; no duration means
/// `#2` (the 1.0 default).
enum LegacyRecurrence {
    static let weekdays: Set<String> = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]

    /// `W1 MO TU #5` → `FREQ=WEEKLY;BYDAY=MO,TU;COUNT=5`; nil for rules not read here.
    /// `until` rewrites an end time (to UTC, when the calendar's zone is known).
    static func iCalendar(_ rule: String, until: (String) -> String = { $0 }) -> String? {
        let tokens = rule.uppercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let head = tokens.first else { return nil }
        let kinds = ["MD", "MP", "YM", "YD", "D", "W"]
        guard let kind = kinds.first(where: { head.hasPrefix($0) }),
              let interval = Int(head.dropFirst(kind.count)), interval > 0 else { return nil }
        var count: Int? = 2, end: String? = nil
        var byDay: [String] = [], numbers: [Int] = [], pending: [Int] = []
        var afterWeekday = false
        for token in tokens.dropFirst() {
            if token.hasPrefix("#") {
                guard let n = Int(token.dropFirst()), n >= 0 else { return nil }
                count = n; end = nil
            } else if token.count >= 8, token.first!.isNumber, DateTime.seconds(Canonical.date(token)) != nil {
                end = Canonical.date(token); count = nil
            } else if weekdays.contains(String(token.prefix(2))), token.count == 2 || token.dropFirst(2) == "$" {
                let day = String(token.prefix(2))
                switch kind {
                case "W": byDay.append(day)
                case "MP":
                    guard !pending.isEmpty else { return nil }
                    byDay += pending.map { "\($0)\(day)" }
                    afterWeekday = true
                default: return nil
                }
            } else if let n = number(token) {
                switch kind {
                case "MP":
                    if afterWeekday { pending = []; afterWeekday = false }
                    pending.append(n)
                case "MD", "YM", "YD": numbers.append(n)
                default: return nil
                }
            } else {
                return nil
            }
        }
        if kind == "MP", byDay.isEmpty { return nil }
        var parts: [String]
        switch kind {
        case "D": parts = ["FREQ=DAILY"]
        case "W": parts = ["FREQ=WEEKLY"] + (byDay.isEmpty ? [] : ["BYDAY=" + byDay.joined(separator: ",")])
        case "MD": parts = ["FREQ=MONTHLY"] + (numbers.isEmpty ? [] : ["BYMONTHDAY=" + numbers.map(String.init).joined(separator: ",")])
        case "MP": parts = ["FREQ=MONTHLY", "BYDAY=" + byDay.joined(separator: ",")]
        case "YM":
            guard numbers.allSatisfy({ (1...12).contains($0) }) else { return nil }
            parts = ["FREQ=YEARLY"] + (numbers.isEmpty ? [] : ["BYMONTH=" + numbers.map(String.init).joined(separator: ",")])
        default: parts = ["FREQ=YEARLY"] + (numbers.isEmpty ? [] : ["BYYEARDAY=" + numbers.map(String.init).joined(separator: ",")])
        }
        if interval != 1 { parts.append("INTERVAL=\(interval)") }
        if let end { parts.append("UNTIL=" + until(end)) }
        if let count, count > 0 { parts.append("COUNT=\(count)") }
        return parts.joined(separator: ";")
    }

    /// `15`, `15+` → 15; `1-` → -1; `LD` (last day) → -1.
    static func number(_ token: String) -> Int? {
        if token == "LD" { return -1 }
        var digits = Substring(token), sign = 1
        if digits.hasSuffix("+") { digits = digits.dropLast() } else if digits.hasSuffix("-") { digits = digits.dropLast(); sign = -1 }
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber), let value = Int(digits), value > 0 else { return nil }
        return sign * value
    }

    /// The 1.0 form of an RFC 5545 rule, or nil when 1.0 cannot say it (the rule is then
    /// kept in 2.0 syntax; docs/RECORDS.md).
    static func vCalendar(_ rule: String) -> String? {
        var parts: [String: String] = [:]
        for part in rule.uppercased().split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingASCIIWhitespace() }
            guard pair.count == 2, parts[pair[0]] == nil else { return nil }
            parts[pair[0]] = pair[1]
        }
        guard let freq = parts.removeValue(forKey: "FREQ") else { return nil }
        let interval = parts.removeValue(forKey: "INTERVAL").map { Int($0) } ?? 1
        guard let interval, interval > 0 else { return nil }
        if parts["WKST"] == "MO" { parts["WKST"] = nil }
        let count = parts.removeValue(forKey: "COUNT"), until = parts.removeValue(forKey: "UNTIL")
        if count != nil && until != nil { return nil }
        if let count, Int(count).map({ $0 <= 0 }) ?? true { return nil }
        var head: String, list: [String] = []
        func take(_ key: String) -> [String] { parts.removeValue(forKey: key)?.split(separator: ",").map(String.init) ?? [] }
        switch freq {
        case "DAILY": head = "D"
        case "WEEKLY":
            head = "W"
            list = take("BYDAY")
            guard list.allSatisfy(weekdays.contains) else { return nil }
        case "MONTHLY" where parts["BYDAY"] != nil:
            head = "MP"
            for day in take("BYDAY") {
                guard day.count >= 3, weekdays.contains(String(day.suffix(2))),
                      let n = Int(day.dropLast(2)), n != 0, abs(n) <= 5 else { return nil }
                list += [n > 0 ? "\(n)+" : "\(-n)-", String(day.suffix(2))]
            }
        case "MONTHLY":
            head = "MD"
            for day in take("BYMONTHDAY") {
                guard let n = Int(day), n != 0 else { return nil }
                list.append(n > 0 ? "\(n)" : "\(-n)-")
            }
        case "YEARLY" where parts["BYYEARDAY"] != nil:
            head = "YD"
            list = take("BYYEARDAY")
            guard list.allSatisfy({ Int($0).map { $0 > 0 } ?? false }) else { return nil }
        case "YEARLY":
            list = take("BYMONTH")
            head = list.isEmpty ? "YD" : "YM"
            guard list.allSatisfy({ Int($0).map { (1...12).contains($0) } ?? false }) else { return nil }
        default: return nil
        }
        guard parts.isEmpty else { return nil }
        let duration = until ?? "#" + (count ?? "0")
        return ([head + String(interval)] + list + [duration]).joined(separator: " ")
    }
}

extension DateTime {
    /// `YYYYMMDDTHHMMSS` (local, no `Z`).
    static func formatLocal(_ seconds: Int) -> String { String(format(seconds).dropLast()) }

    /// Seconds east of UTC as `+0100` (or `+01:00`).
    static func offsetText(_ seconds: Int, colon: Bool = false) -> String {
        let minutes = abs(seconds) / 60
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return (seconds < 0 ? "-" : "+") + pad(minutes / 60) + (colon ? ":" : "") + pad(minutes % 60)
    }
}
