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

    static func note(_ reader: inout Reader) -> VComponent {
        var properties: [VProperty] = []
        common(&reader, into: &properties)
        return VComponent(name: "VJOURNAL", properties: properties)
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
        switch kind {
        case .event: appointmentFields(main, zones: zones, into: &writer)
        case .task: taskFields(main, zones: zones, into: &writer)
        case .note, .contact: break
        }
        for property in main.properties {
            if let field = SIFFields.field(for: property) { writer.append(field) }
        }
        return writer.item
    }

    /// A date property in compact form, times in UTC where the zone is known.
    static func compactDate(_ property: VProperty?, zones: TimeZones) -> String? {
        guard let property else { return nil }
        let text = Canonical.date(property.value)
        return zones.utc(text, tzid: property.parameterValues("TZID").first) ?? text
    }

    /// A compact date as SIF writes it: a day dashed (`2024-03-26`), a date-time as it is.
    static func sifDate(_ compact: String) -> String { compact.count == 8 ? SIFFields.dashedDate(compact) : compact }

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
}
