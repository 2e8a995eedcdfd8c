// Outlook's recurrence pattern fields (RecurrenceType, Interval, DayOfWeekMask,
// Instance, …, Exceptions) ↔ an iCalendar RRULE with its EXDATEs and RDATEs.

extension SIFCalendar {
    /// The `RRULE`, `EXDATE`s and `RDATE`s of Outlook's recurrence pattern fields.
    /// A pattern that cannot be read leaves its fields to be kept as `X-SIF-…`.
    static func recurrence(_ reader: inout Reader, start: String?, allDay: Bool) -> [VProperty] {
        guard reader.flag("IsRecurring") else {
            for field in recurrenceFields { _ = reader.take(field) }
            _ = reader.take("Exceptions")
            return []
        }
        guard let type = Int(reader.peek("RecurrenceType")) else {
            reader.used.remove("IsRecurring")
            return []
        }
        let interval = max(1, Int(reader.peek("Interval")) ?? 1)
        let mask = Int(reader.peek("DayOfWeekMask")) ?? 0
        let dayOfMonth = Int(reader.peek("DayOfMonth")) ?? 0
        let month = Int(reader.peek("MonthOfYear")) ?? 0
        let instance = Int(reader.peek("Instance")) ?? 0
        let days = weekdays.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element)
        let position = instance == 5 ? -1 : instance

        var parts: [String]
        var taken = ["IsRecurring", "RecurrenceType", "Interval"]
        switch type {
        case 0:
            parts = ["FREQ=DAILY"]
        case 1 where !days.isEmpty:
            parts = ["FREQ=WEEKLY", "BYDAY=" + days.joined(separator: ",")]
            taken += ["DayOfWeekMask"]
        case 2 where (1...31).contains(dayOfMonth):
            parts = ["FREQ=MONTHLY", "BYMONTHDAY=\(dayOfMonth)"]
            taken += ["DayOfMonth"]
        case 3 where !days.isEmpty && (1...5).contains(instance):
            parts = ["FREQ=MONTHLY"] + nth(days, position)
            taken += ["DayOfWeekMask", "Instance"]
        case 5 where (1...31).contains(dayOfMonth) && (1...12).contains(month):
            parts = ["FREQ=YEARLY", "BYMONTH=\(month)", "BYMONTHDAY=\(dayOfMonth)"]
            taken += ["DayOfMonth", "MonthOfYear"]
        case 6 where !days.isEmpty && (1...5).contains(instance) && (1...12).contains(month):
            parts = ["FREQ=YEARLY", "BYMONTH=\(month)"] + nth(days, position)
            taken += ["DayOfWeekMask", "Instance", "MonthOfYear"]
        default:
            reader.used.remove("IsRecurring")
            return [] // the pattern is kept as X-SIF-… fields
        }
        // Yearly patterns: some Outlook versions count the interval in months (12).
        let yearly = type == 5 || type == 6
        let years = yearly && interval >= 12 && interval % 12 == 0 ? interval / 12 : interval
        if years > 1 { parts.insert("INTERVAL=\(years)", at: 1) }
        for field in taken { _ = reader.take(field) }
        // Fields of other pattern types say nothing.
        for field in ["DayOfWeekMask", "DayOfMonth", "MonthOfYear", "Instance"] where !taken.contains(field) {
            if ["", "0"].contains(reader.peek(field)) { _ = reader.take(field) }
        }

        // End: never, after n occurrences, or on a date. Outlook fills Occurrences and
        // PatternEndDate both; the count wins (it does not depend on the time zone).
        let noEnd = reader.flag("NoEndDate")
        let occurrences = reader.int("Occurrences") ?? 0
        let until = reader.date("PatternEndDate")
        if !noEnd {
            if occurrences > 0 {
                parts.append("COUNT=\(occurrences)")
            } else if let until {
                parts.append("UNTIL=" + (allDay ? String(until.prefix(8)) : until.count == 8 ? until + "T235959Z" : until))
            }
        }
        // The pattern starts with the first occurrence: a PatternStartDate on the start's day says nothing.
        if let patternStart = SIFFields.compactDate(reader.peek("PatternStartDate")),
           let start, patternStart.prefix(8) == start.prefix(8) {
            _ = reader.take("PatternStartDate")
        }

        var properties = [VProperty(name: "RRULE", value: parts.joined(separator: ";"))]
        if let exceptions = reader.values["Exceptions"] {
            _ = reader.take("Exceptions")
            for child in exceptions.children {
                guard let date = SIFFields.compactDate(child.value) else { continue }
                let name = child.name == "IncludeDate" ? "RDATE" : "EXDATE"
                var value = date
                // A date-only exception of a timed event is the occurrence on that day.
                if !allDay, date.count == 8, let start, start.count > 8 { value = date + start.dropFirst(8) }
                properties.append(value.count == 8 && !allDay
                    ? VProperty(name: name, parameters: [VParameter("VALUE", "DATE")], value: value)
                    : when(name, value))
            }
        }
        return properties
    }

    static func nth(_ days: [String], _ position: Int) -> [String] {
        days.count == 1 ? ["BYDAY=\(position)\(days[0])"] : ["BYDAY=" + days.joined(separator: ","), "BYSETPOS=\(position)"]
    }

    /// Outlook's pattern fields for the first `RRULE` (iCalendar 2.0 form). A rule
    /// Outlook cannot express (hourly, several BYMONTHDAYs…) is written as not recurring.
    static func recurrence(_ component: VComponent, start: String?, allDay: Bool, zones: TimeZones, into writer: inout Writer) {
        guard let rule = component.first("RRULE")?.value, rule.contains("="),
              let fields = patternFields(rule, start: start, allDay: allDay, zones: zones) else {
            writer.set("IsRecurring", "0")
            return
        }
        writer.set("IsRecurring", "1")
        for (name, value) in fields { writer.set(name, value) }
        if let kept = component.first("X-SIF-PATTERNSTARTDATE")?.text {
            writer.set("PatternStartDate", kept)
        } else if let start {
            writer.set("PatternStartDate", start.count == 8 ? SIFFields.dashedDate(start) : start)
        }
        var exceptions: [SIFField] = []
        for (name, element) in [("EXDATE", "ExcludeDate"), ("RDATE", "IncludeDate")] {
            for property in component.properties(named: name) {
                for piece in property.value.split(separator: ",") {
                    let text = Canonical.date(String(piece))
                    let value = zones.utc(text, tzid: property.parameterValues("TZID").first) ?? text
                    exceptions.append(SIFField(element, SIFFields.dashedDate(value)))
                }
            }
        }
        if !exceptions.isEmpty { writer.append(SIFField("Exceptions", "", children: exceptions)) }
    }

    static func patternFields(_ rule: String, start: String?, allDay: Bool, zones: TimeZones) -> [(String, String)]? {
        var parts: [String: String] = [:]
        for part in rule.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingASCIIWhitespace().uppercased() }
            if pair.count == 2 { parts[pair[0]] = pair[1] }
        }
        let interval = Int(parts["INTERVAL"] ?? "1") ?? 1
        guard interval >= 1 else { return nil }
        let startDay = start.flatMap { Int($0.dropFirst(6).prefix(2)) }
        let startMonth = start.flatMap { Int($0.dropFirst(4).prefix(2)) }
        let startWeekday = start.flatMap { DateTime.seconds(String($0.prefix(8))) }.map { (($0 / 86400) % 7 + 7 + 4) % 7 }

        // BYDAY: plain days, or one ordinal day (2TU, -1FR).
        var mask = 0
        var ordinal: Int? = nil
        for day in (parts["BYDAY"] ?? "").split(separator: ",") {
            guard let index = weekdays.firstIndex(of: String(day.suffix(2))) else { return nil }
            mask |= 1 << index
            if day.count > 2 {
                guard let n = Int(day.dropLast(2)), n != 0, ordinal == nil || ordinal == n else { return nil }
                ordinal = n
            }
        }
        if let position = parts["BYSETPOS"] {
            guard ordinal == nil, let n = Int(position), n != 0 else { return nil }
            ordinal = n
        }
        if let n = ordinal, !(1...4).contains(n) && n != -1 { return nil }
        let instance = ordinal.map { $0 == -1 ? "5" : String($0) }
        let monthDay = parts["BYMONTHDAY"].flatMap { Int($0) }
        if parts["BYMONTHDAY"] != nil, monthDay == nil || !(1...31).contains(monthDay!) { return nil }
        let month = parts["BYMONTH"].flatMap { Int($0) }
        if parts["BYMONTH"] != nil, month == nil || !(1...12).contains(month!) { return nil }

        var fields: [(String, String)]
        switch parts["FREQ"] {
        case "DAILY" where mask == 0:
            fields = [("RecurrenceType", "0"), ("Interval", String(interval))]
        case "DAILY" where ordinal == nil && interval == 1, "WEEKLY" where ordinal == nil:
            let days = mask != 0 ? mask : startWeekday.map { 1 << $0 } ?? 0
            guard days != 0 else { return nil }
            fields = [("RecurrenceType", "1"), ("Interval", String(interval)), ("DayOfWeekMask", String(days))]
        case "MONTHLY" where ordinal != nil && mask != 0:
            fields = [("RecurrenceType", "3"), ("Interval", String(interval)), ("DayOfWeekMask", String(mask)), ("Instance", instance!)]
        case "MONTHLY" where mask == 0:
            guard let day = monthDay ?? startDay else { return nil }
            fields = [("RecurrenceType", "2"), ("Interval", String(interval)), ("DayOfMonth", String(day))]
        case "YEARLY" where ordinal != nil && mask != 0:
            guard let month = month ?? startMonth else { return nil }
            fields = [("RecurrenceType", "6"), ("Interval", String(interval)), ("DayOfWeekMask", String(mask)),
                      ("Instance", instance!), ("MonthOfYear", String(month))]
        case "YEARLY" where mask == 0:
            guard let day = monthDay ?? startDay, let month = month ?? startMonth else { return nil }
            fields = [("RecurrenceType", "5"), ("Interval", String(interval)), ("DayOfMonth", String(day)), ("MonthOfYear", String(month))]
        default:
            return nil
        }
        if let count = parts["COUNT"].flatMap({ Int($0) }), count > 0 {
            fields += [("NoEndDate", "0"), ("Occurrences", String(count))]
        } else if let until = parts["UNTIL"] {
            let text = Canonical.date(until)
            let value = zones.utc(text, tzid: nil) ?? text
            fields += [("NoEndDate", "0"), ("PatternEndDate", value.count == 8 ? SIFFields.dashedDate(value) : value)]
        } else {
            fields += [("NoEndDate", "1")]
        }
        return fields
    }
}
