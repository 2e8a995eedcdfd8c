package import SyncMLRecords
/// A deterministic source of realistic to-dos: one `VTODO` per calendar,
/// written as iCalendar 2.0 or (converted by SyncMLRecords) vCalendar 1.0.
///
/// Summaries in the contact cultures' languages; ~75 % have a `DUE` (a date
/// or a UTC time), some a `DTSTART`; ~60 % a `PRIORITY` (1, 5 or 9: high,
/// medium, low, the three levels phones have); every task a `STATUS`:
/// ``completedPercent`` % `COMPLETED` (with `COMPLETED` and
/// `PERCENT-COMPLETE:100`), 10 % `IN-PROCESS`, the rest `NEEDS-ACTION`. Some
/// have a description, categories, or a reminder before they are due.
package struct TaskGenerator: Sendable {
    private var random: SplitMix64
    /// How many tasks have been generated.
    package private(set) var count = 0

    package static let completedPercent = 30

    static let salt: UInt64 = 0x70D0_0000_0000_0001

    package init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed ^ Self.salt)
        random = SplitMix64(seed: mixer.next())
    }

    /// The next task in `format` (`.iCalendar20` or `.vCalendar10`).
    package mutating func next(as format: VFormat = .iCalendar20) -> [UInt8] {
        SampleRecordWriter.bytes(nextCalendar(), as: format)
    }

    /// The next task: an iCalendar 2.0 `VCALENDAR` with one `VTODO`.
    package mutating func nextCalendar() -> VComponent {
        count += 1
        let day = CalendarParts.firstDay + random.below(CalendarParts.dayCount)
        let bookkeeping = CalendarParts.bookkeeping(day: day, random: &random)
        var task = VComponent(name: "VTODO", properties: bookkeeping)
        task.properties.append(CalendarParts.text("SUMMARY", random.pick(CalendarPools.taskSummaries)))
        if random.chance(percent: 25) { task.properties.append(CalendarParts.text("DESCRIPTION", random.pick(CalendarPools.descriptions))) }

        var dueTime: Int? = nil
        if random.chance(percent: 75) {
            if random.chance(percent: 20) { task.properties.append(CalendarParts.date("DTSTART", days: day - random.inRange(1...14))) }
            if random.chance(percent: 40) {
                task.properties.append(CalendarParts.date("DUE", days: day))
            } else {
                let due = day * 86_400 + random.inRange(9...18) * 3_600
                task.properties.append(CalendarParts.time("DUE", seconds: due, utc: true, zone: nil))
                dueTime = due
            }
        }
        if random.chance(percent: 60) { task.properties.append(VProperty(name: "PRIORITY", value: random.pick(["1", "5", "5", "9"]))) }

        let roll = random.below(100)
        if roll < Self.completedPercent {
            // Done some time after it was created (LAST-MODIFIED is the latest bookkeeping time).
            let modified = bookkeeping.first { $0.name == "LAST-MODIFIED" }!.value
            task.properties.append(VProperty(name: "STATUS", value: "COMPLETED"))
            task.properties.append(VProperty(name: "PERCENT-COMPLETE", value: "100"))
            task.properties.append(VProperty(name: "COMPLETED", value: modified))
        } else if roll < Self.completedPercent + 10 {
            task.properties.append(VProperty(name: "STATUS", value: "IN-PROCESS"))
            task.properties.append(VProperty(name: "PERCENT-COMPLETE", value: String(10 * random.inRange(1...9))))
        } else {
            task.properties.append(VProperty(name: "STATUS", value: "NEEDS-ACTION"))
        }
        if random.chance(percent: 25) { task.properties.append(VProperty(name: "CATEGORIES", value: random.pick(CalendarPools.categories))) }
        if random.chance(percent: 10) { task.properties.append(VProperty(name: "CLASS", value: "PRIVATE")) }
        if dueTime != nil, random.chance(percent: 20) {
            task.components.append(CalendarParts.alarm(before: random.pick(["-PT1H", "-P1D"]), relatedToEnd: true, display: "Reminder"))
        }
        return CalendarParts.calendar(task, zone: nil, random: &random)
    }
}
