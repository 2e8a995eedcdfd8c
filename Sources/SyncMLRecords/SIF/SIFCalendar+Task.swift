// SIF-T tasks ↔ iCalendar VTODO: start and due dates, completion and status,
// percent complete, importance, sensitivity, the reminder as an absolute time.

extension SIFCalendar {
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

    /// The task fields of a VTODO (iCalendar → SIF-T).
    static func taskFields(_ main: VComponent, zones: TimeZones, into writer: inout Writer) {
        func when(_ property: VProperty?) -> String? { compactDate(property, zones: zones) }
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
    }
}
