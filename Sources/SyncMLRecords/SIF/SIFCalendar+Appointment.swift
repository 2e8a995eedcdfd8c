// SIF-E appointments ↔ iCalendar VEVENT: start and end (all-day days, the
// reminder as minutes before the start), importance, sensitivity, busy status.

extension SIFCalendar {
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

    /// The appointment fields of a VEVENT (iCalendar → SIF-E).
    static func appointmentFields(_ main: VComponent, zones: TimeZones, into writer: inout Writer) {
        func when(_ property: VProperty?) -> String? { compactDate(property, zones: zones) }
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
    }
}
