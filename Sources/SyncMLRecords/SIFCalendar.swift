/// SIF-E (appointments), SIF-T (tasks) and SIF-N (notes) ↔ iCalendar 2.0
/// `VEVENT`, `VTODO` and `VJOURNAL`. The mapping is tabled in docs/RECORDS.md, "SIF".
enum SIFCalendar {
    static let recurrenceFields = ["IsRecurring", "RecurrenceType", "Interval", "DayOfWeekMask", "DayOfMonth",
                                   "MonthOfYear", "Instance", "PatternStartDate", "NoEndDate", "PatternEndDate",
                                   "Occurrences"]
    /// Fields whose Outlook default says nothing (not a meeting, no work recorded):
    /// not kept, not written back.
    static let silentDefaults: [(String, String)] = [("MeetingStatus", "0"), ("NoAging", "0"), ("TeamTask", "0"),
                                                     ("ActualWork", "0"), ("TotalWork", "0")]
    /// Outlook's `DayOfWeekMask` bits (olSunday = 1 … olSaturday = 64) as iCalendar days.
    static let weekdays = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]

    // MARK: SIF → iCalendar

    static func vCalendar(_ item: SIFItem) -> VComponent {
        var reader = Reader(item)
        let component: VComponent = switch item.kind {
        case .event: event(&reader)
        case .task: task(&reader)
        case .note, .contact: note(&reader)
        }
        var main = component
        for (field, value) in silentDefaults where reader.peek(field) == value { _ = reader.take(field) }
        main.properties.append(contentsOf: reader.rest())
        return VComponent(name: "VCALENDAR",
                          properties: [VProperty(name: "VERSION", value: "2.0"), VProperty(name: "PRODID", value: "-//swift-syncml//SIF//EN")],
                          components: [main])
    }

    /// The fields of an item, each taken at most once; what is not taken ends up
    /// as `X-SIF-…` properties.
    struct Reader {
        var values: [String: SIFField] = [:]
        var order: [SIFField] = []
        var used: Set<String> = ["SIFVersion"]

        init(_ item: SIFItem) {
            // A repeated field: the first non-empty one counts.
            for field in item.fields where values[field.name].map({ $0.value.isEmpty && $0.children.isEmpty }) ?? true {
                if let index = order.firstIndex(where: { $0.name == field.name }) { order[index] = field } else { order.append(field) }
                values[field.name] = field
            }
        }

        mutating func take(_ name: String) -> String {
            used.insert(name)
            return values[name]?.value.trimmingASCIIWhitespace() ?? ""
        }

        /// The text of a field, verbatim (bodies keep their spaces).
        mutating func takeText(_ name: String) -> String {
            used.insert(name)
            return values[name]?.value ?? ""
        }

        /// The value without taking it.
        func peek(_ name: String) -> String { values[name]?.value.trimmingASCIIWhitespace() ?? "" }

        /// An integer field; taken only if it is one (else it is kept as X-SIF-…).
        mutating func int(_ name: String) -> Int? {
            guard let value = Int(peek(name)) else { return nil }
            used.insert(name)
            return value
        }

        /// A date or date-time field in compact form; taken only if it parses.
        mutating func date(_ name: String) -> String? {
            guard let value = SIFFields.compactDate(peek(name)) else {
                // Outlook's "none" date and empty values say nothing.
                if peek(name).isEmpty || peek(name).hasPrefix("4501") { used.insert(name) }
                return nil
            }
            used.insert(name)
            return value
        }

        mutating func flag(_ name: String) -> Bool {
            let value = take(name).lowercased()
            return value == "1" || value == "true" || value == "-1"
        }

        func rest() -> [VProperty] {
            order.filter { !used.contains($0.name) }.compactMap(SIFFields.property(for:))
        }
    }

    static func common(_ reader: inout Reader, into properties: inout [VProperty]) {
        if case let subject = reader.takeText("Subject"), !subject.isEmpty { properties.append(SIFFields.text("SUMMARY", subject)) }
        if case let body = reader.takeText("Body"), !body.isEmpty { properties.append(SIFFields.text("DESCRIPTION", body)) }
        let categories = SIFFields.categories(reader.take("Categories"))
        if !categories.isEmpty { properties.append(VProperty(name: "CATEGORIES", value: VText.join([categories]))) }
    }

    /// `DTSTART`/`DTEND`/`DUE` for a compact date or date-time.
    static func when(_ name: String, _ compact: String) -> VProperty {
        compact.count == 8
            ? VProperty(name: name, parameters: [VParameter("VALUE", "DATE")], value: compact)
            : VProperty(name: name, value: compact)
    }

    /// Sensitivity (olNormal 0, olPersonal 1, olPrivate 2, olConfidential 3) as `CLASS`;
    /// normal is iCalendar's default `PUBLIC` and not written.
    static func sensitivity(_ reader: inout Reader, into properties: inout [VProperty]) {
        guard let value = reader.int("Sensitivity") else { return }
        switch value {
        case 1: properties.append(VProperty(name: "CLASS", value: "X-PERSONAL"))
        case 2: properties.append(VProperty(name: "CLASS", value: "PRIVATE"))
        case 3: properties.append(VProperty(name: "CLASS", value: "CONFIDENTIAL"))
        default: break
        }
    }

    /// Importance (low 0, normal 1, high 2) as `PRIORITY` 9, 5, 1.
    static func priority(_ importance: Int) -> String? {
        switch importance {
        case 0: "9"
        case 1: "5"
        case 2: "1"
        default: nil
        }
    }

    static func event(_ reader: inout Reader) -> VComponent {
        var properties: [VProperty] = []
        common(&reader, into: &properties)
        if case let location = reader.takeText("Location"), !location.isEmpty { properties.append(SIFFields.text("LOCATION", location)) }

        let allDay = reader.flag("AllDayEvent")
        let start = reader.date("Start")
        let end = reader.date("End")
        if allDay, let start, start.count == 8 {
            // Outlook's End is the last day of an all-day event; iCalendar's DTEND the day after.
            let last = end.map { $0.prefix(8) >= start ? String($0.prefix(8)) : start } ?? start
            properties.append(when("DTSTART", start))
            properties.append(when("DTEND", SIFFields.addDays(last, 1)))
        } else {
            if let start { properties.append(when("DTSTART", start)) }
            if let end { properties.append(when("DTEND", end)) }
            if allDay { properties.append(VProperty(name: "X-MICROSOFT-CDO-ALLDAYEVENT", value: "TRUE")) }
        }

        if let importance = reader.int("Importance"), importance != 1, let value = priority(importance) {
            properties.append(VProperty(name: "PRIORITY", value: value))
        }
        sensitivity(&reader, into: &properties)
        // BusyStatus: olFree 0, olTentative 1, olBusy 2 (the default: TRANSP:OPAQUE, not written), olOutOfOffice 3.
        switch reader.int("BusyStatus") {
        case 0: properties.append(VProperty(name: "TRANSP", value: "TRANSPARENT"))
        case 1: properties.append(VProperty(name: "X-MICROSOFT-CDO-BUSYSTATUS", value: "TENTATIVE"))
        case 3: properties.append(VProperty(name: "X-MICROSOFT-CDO-BUSYSTATUS", value: "OOF"))
        default: break
        }
        properties.append(contentsOf: recurrence(&reader, start: start, allDay: allDay && start?.count == 8))

        var alarms: [VComponent] = []
        let reminder = reader.flag("ReminderSet")
        let minutes = reader.int("ReminderMinutesBeforeStart")
        if reminder {
            alarms.append(alarm(trigger: VProperty(name: "TRIGGER", value: duration(minutes: -(minutes ?? 15)))))
        }
        return VComponent(name: "VEVENT", properties: properties, components: alarms)
    }

    static func alarm(trigger: VProperty) -> VComponent {
        VComponent(name: "VALARM", properties: [VProperty(name: "ACTION", value: "DISPLAY"), trigger,
                                                VProperty(name: "DESCRIPTION", value: "Reminder")])
    }

    /// `-PT15M`, `-PT1H`, `-P1D`: the largest unit that divides the minutes.
    static func duration(minutes: Int) -> String {
        let sign = minutes < 0 ? "-" : ""
        let magnitude = abs(minutes)
        if magnitude == 0 { return "PT0S" }
        if magnitude % 10080 == 0 { return "\(sign)P\(magnitude / 10080)W" }
        if magnitude % 1440 == 0 { return "\(sign)P\(magnitude / 1440)D" }
        if magnitude % 60 == 0 { return "\(sign)PT\(magnitude / 60)H" }
        return "\(sign)PT\(magnitude)M"
    }

    /// An iCalendar duration (RFC 5545 §3.3.6) in seconds.
    static func seconds(duration raw: String) -> Int? {
        var text = Substring(raw.trimmingASCIIWhitespace().uppercased())
        var sign = 1
        if text.first == "-" { sign = -1; text = text.dropFirst() } else if text.first == "+" { text = text.dropFirst() }
        guard text.first == "P" else { return nil }
        text = text.dropFirst()
        var total = 0, number = 0, digits = 0, inTime = false
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                number = number * 10 + digit
                digits += 1
                guard number < 100_000_000 else { return nil }
                continue
            }
            if character == "T" { inTime = true; continue }
            guard digits > 0 else { return nil }
            switch (character, inTime) {
            case ("W", false): total += number * 604_800
            case ("D", false): total += number * 86_400
            case ("H", true): total += number * 3600
            case ("M", true): total += number * 60
            case ("S", true): total += number
            default: return nil
            }
            number = 0
            digits = 0
        }
        guard digits == 0 else { return nil }
        return sign * total
    }

    static func task(_ reader: inout Reader) -> VComponent {
        var properties: [VProperty] = []
        common(&reader, into: &properties)
        if let start = reader.date("StartDate") { properties.append(when("DTSTART", start)) }
        let due = reader.date("DueDate")
        if let due { properties.append(when("DUE", due)) }

        // Status: olTaskNotStarted 0, InProgress 1, Complete 2, Waiting 3, Deferred 4.
        let complete = reader.flag("Complete")
        let status = Int(reader.peek("Status"))
        if complete || status == 2 {
            properties.append(VProperty(name: "STATUS", value: "COMPLETED"))
            _ = reader.take("Status")
            if let date = reader.date("DateCompleted") {
                properties.append(VProperty(name: "COMPLETED", value: date.count == 8 ? date + "T000000Z" : date))
            }
        } else {
            _ = reader.date("DateCompleted") // meaningless while not complete
            switch status {
            case 0: properties.append(VProperty(name: "STATUS", value: "NEEDS-ACTION")); _ = reader.take("Status")
            case 1: properties.append(VProperty(name: "STATUS", value: "IN-PROCESS")); _ = reader.take("Status")
            case 3, 4: properties.append(VProperty(name: "STATUS", value: "NEEDS-ACTION")) // and X-SIF-STATUS
            default: break
            }
        }
        if let percent = reader.int("PercentComplete"), percent > 0 {
            properties.append(VProperty(name: "PERCENT-COMPLETE", value: String(percent)))
        }
        if let importance = reader.int("Importance"), let value = priority(importance) {
            properties.append(VProperty(name: "PRIORITY", value: value))
        }
        sensitivity(&reader, into: &properties)
        let startDate = SIFFields.compactDate(reader.peek("StartDate")) ?? due
        properties.append(contentsOf: recurrence(&reader, start: startDate, allDay: startDate?.count == 8))

        var alarms: [VComponent] = []
        if reader.flag("ReminderSet"), let time = reader.date("ReminderTime") {
            let value = time.count == 8 ? time + "T000000Z" : time
            alarms.append(alarm(trigger: VProperty(name: "TRIGGER", parameters: [VParameter("VALUE", "DATE-TIME")], value: value)))
        } else {
            _ = reader.date("ReminderTime")
        }
        return VComponent(name: "VTODO", properties: properties, components: alarms)
    }

    static func note(_ reader: inout Reader) -> VComponent {
        var properties: [VProperty] = []
        common(&reader, into: &properties)
        return VComponent(name: "VJOURNAL", properties: properties)
    }

    // MARK: Recurrence

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

    // MARK: iCalendar → SIF

    static func item(_ record: VComponent, as kind: SIFKind) throws(RecordError) -> SIFItem {
        let wanted = switch kind {
        case .event: "VEVENT"
        case .task: "VTODO"
        case .note, .contact: "VJOURNAL"
        }
        let candidates = record.name == "VCALENDAR" ? record.components.filter { $0.name != "VTIMEZONE" } : [record]
        guard let main = candidates.first(where: { $0.name == wanted })
            ?? (kind == .note ? candidates.first { $0.first("SUMMARY") != nil || $0.first("DESCRIPTION") != nil } : nil)
        else {
            throw RecordError(.malformedLine, line: 1, "SIF-\(kind == .event ? "E" : kind == .task ? "T" : "N") needs a \(wanted)")
        }
        let zones = TimeZones(record)
        var writer = Writer(kind: kind)
        writer.set("Subject", main.first("SUMMARY")?.text ?? "")
        writer.set("Body", SIFFields.windowsLineBreaks(main.first("DESCRIPTION")?.text ?? ""))
        writer.set("Categories", main.properties(named: "CATEGORIES").flatMap(SIFFields.list).joined(separator: ", "))

        /// A date property in compact form, times in UTC where the zone is known.
        func when(_ property: VProperty?) -> String? {
            guard let property else { return nil }
            let text = Canonical.date(property.value)
            return zones.utc(text, tzid: property.parameterValues("TZID").first) ?? text
        }
        func sifDate(_ compact: String) -> String { compact.count == 8 ? SIFFields.dashedDate(compact) : compact }

        switch kind {
        case .event:
            writer.set("Location", main.first("LOCATION")?.text ?? "")
            let start = when(main.first("DTSTART"))
            var end = when(main.first("DTEND"))
            if end == nil, let start, let duration = main.first("DURATION").flatMap({ seconds(duration: $0.value) }),
               let startSeconds = DateTime.seconds(start) {
                end = start.count == 8 ? String(DateTime.format(startSeconds + duration).prefix(8))
                    : DateTime.format(startSeconds + duration).dropLast(start.hasSuffix("Z") ? 0 : 1).description
            }
            let allDay = start?.count == 8
            if let start {
                writer.set("Start", sifDate(start))
                if allDay {
                    let last = end.map { $0.count == 8 && $0 > start ? SIFFields.addDays($0, -1) : start } ?? start
                    writer.set("End", sifDate(last))
                } else {
                    writer.set("End", end ?? start)
                }
            }
            let cdoAllDay = main.first("X-MICROSOFT-CDO-ALLDAYEVENT")?.text.uppercased() == "TRUE"
            writer.set("AllDayEvent", allDay || cdoAllDay ? "1" : "0")
            writer.set("Importance", importance(main.first("PRIORITY")))
            writer.set("Sensitivity", sensitivity(main.first("CLASS")))
            let busy = main.first("X-MICROSOFT-CDO-BUSYSTATUS")?.text.uppercased()
            let busyStatus = switch busy {
            case "FREE": "0"
            case "TENTATIVE": "1"
            case "OOF": "3"
            case "BUSY": "2"
            default: main.first("TRANSP")?.text.uppercased() == "TRANSPARENT" ? "0" : "2"
            }
            writer.set("BusyStatus", busyStatus)
            // Reminder: the first alarm, as minutes before the start.
            var minutes: Int? = nil
            if let trigger = main.components.first(where: { $0.name == "VALARM" })?.first("TRIGGER") {
                if trigger.parameterValues("VALUE").contains(where: { $0.uppercased() == "DATE-TIME" }) {
                    if let at = when(trigger).flatMap(DateTime.seconds), let from = start.flatMap(DateTime.seconds) {
                        minutes = (from - at) / 60
                    }
                } else if let offset = seconds(duration: trigger.value) {
                    let fromEnd = trigger.parameterValues("RELATED").contains { $0.uppercased() == "END" }
                    var relative = -offset
                    if fromEnd, let s = start.flatMap(DateTime.seconds), let e = end.flatMap(DateTime.seconds) { relative -= e - s }
                    minutes = relative / 60
                }
            }
            writer.set("ReminderSet", minutes == nil ? "0" : "1")
            if let minutes { writer.set("ReminderMinutesBeforeStart", String(max(0, minutes))) }
            recurrence(main, start: start, allDay: allDay, zones: zones, into: &writer)
        case .task:
            if let start = when(main.first("DTSTART")) { writer.set("StartDate", sifDate(start)) }
            let due = when(main.first("DUE"))
            if let due { writer.set("DueDate", sifDate(due)) }
            let status = main.first("STATUS")?.text.uppercased().replacingSpaces(with: "-")
            let completed = when(main.first("COMPLETED"))
            let isComplete = status == "COMPLETED" || (status == nil && completed != nil)
            writer.set("Complete", isComplete ? "1" : "0")
            if isComplete, let completed {
                writer.set("DateCompleted", completed.hasSuffix("T000000Z") ? SIFFields.dashedDate(completed) : completed)
            }
            if let kept = main.first("X-SIF-STATUS")?.text, !isComplete, status == nil || status == "NEEDS-ACTION" {
                writer.set("Status", kept)
            }
            writer.set("Status", isComplete ? "2" : status == "IN-PROCESS" ? "1" : status == "CANCELLED" ? "4" : "0")
            let percent = main.first("PERCENT-COMPLETE").flatMap { Int($0.text.trimmingASCIIWhitespace()) }
            writer.set("PercentComplete", String(percent ?? (isComplete ? 100 : 0)))
            writer.set("Importance", importance(main.first("PRIORITY")))
            writer.set("Sensitivity", sensitivity(main.first("CLASS")))
            var reminder: String? = nil
            if let trigger = main.components.first(where: { $0.name == "VALARM" })?.first("TRIGGER") {
                if trigger.parameterValues("VALUE").contains(where: { $0.uppercased() == "DATE-TIME" }) {
                    reminder = when(trigger)
                } else if let offset = seconds(duration: trigger.value) {
                    let fromEnd = trigger.parameterValues("RELATED").contains { $0.uppercased() == "END" }
                    let anchor = (fromEnd ? due : when(main.first("DTSTART")) ?? due).flatMap(DateTime.seconds)
                    reminder = anchor.map { DateTime.format($0 + offset) }
                }
            }
            writer.set("ReminderSet", reminder == nil ? "0" : "1")
            if let reminder { writer.set("ReminderTime", reminder) }
            let start = when(main.first("DTSTART")) ?? due
            recurrence(main, start: start, allDay: start?.count == 8, zones: zones, into: &writer)
        case .note, .contact:
            break
        }
        for property in main.properties {
            if let field = SIFFields.field(for: property) { writer.append(field) }
        }
        return writer.item
    }

    /// Collects fields: the first value set for a name wins; empty values are skipped.
    struct Writer {
        var item: SIFItem
        var names: Set<String> = []

        init(kind: SIFKind) {
            item = SIFItem(kind: kind, fields: [SIFField("SIFVersion", SIF.version)])
        }

        mutating func set(_ name: String, _ value: String) {
            guard !value.isEmpty, !names.contains(name) else { return }
            names.insert(name)
            item.fields.append(SIFField(name, value))
        }

        mutating func append(_ field: SIFField) {
            guard !names.contains(field.name) else { return }
            names.insert(field.name)
            item.fields.append(field)
        }
    }

    static func importance(_ priority: VProperty?) -> String {
        guard let value = priority.flatMap({ Int($0.text.trimmingASCIIWhitespace()) }) else { return "1" }
        switch value {
        case 1...4: return "2"
        case 6...9: return "0"
        default: return "1"
        }
    }

    static func sensitivity(_ property: VProperty?) -> String {
        switch property?.text.uppercased().trimmingASCIIWhitespace() {
        case "X-PERSONAL": "1"
        case "PRIVATE": "2"
        case "CONFIDENTIAL": "3"
        default: "0"
        }
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
