package import SyncMLRecords
/// A deterministic source of realistic appointments: one `VEVENT` per
/// calendar, written as iCalendar 2.0 or (converted by SyncMLRecords) vCalendar 1.0.
///
/// Summaries, locations and descriptions in the contact cultures' languages
/// (some with `,` `;`, line breaks or emoji); over 2024-2026. About
/// ``allDayPercent`` % are all-day (`VALUE=DATE`), ``zonedPercent`` % are in
/// a named time zone (`TZID` and its `VTIMEZONE`), 5 % floating, the rest
/// in UTC; ``recurringPercent`` % repeat (`RRULE`: daily, weekly, monthly by
/// day or weekday, yearly; with `COUNT`, `UNTIL` or forever) and
/// ``alarmPercent`` % have a `VALARM`. The same seed gives the same bytes.
package struct EventGenerator: Sendable {
    private var random: SplitMix64
    /// How many events have been generated.
    package private(set) var count = 0

    package static let allDayPercent = 15
    package static let zonedPercent = 35
    package static let recurringPercent = 15
    package static let alarmPercent = 35

    /// Events and contacts of one seed come from separate streams.
    static let salt: UInt64 = 0xE7E7_0000_0000_0001

    package init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed ^ Self.salt)
        random = SplitMix64(seed: mixer.next())
    }

    /// The next event in `format` (`.iCalendar20` or `.vCalendar10`).
    package mutating func next(as format: VFormat = .iCalendar20) -> [UInt8] {
        SampleRecordWriter.bytes(nextCalendar(), as: format)
    }

    /// The next event: an iCalendar 2.0 `VCALENDAR` with one `VEVENT`.
    package mutating func nextCalendar() -> VComponent {
        count += 1
        let day = CalendarParts.firstDay + random.below(CalendarParts.dayCount)
        let summary = random.pick(CalendarPools.eventSummaries)
        var event = VComponent(name: "VEVENT", properties: CalendarParts.bookkeeping(day: day, random: &random))
        event.properties.append(CalendarParts.text("SUMMARY", summary))
        if random.chance(percent: 60) { event.properties.append(CalendarParts.text("LOCATION", random.pick(CalendarPools.locations))) }
        if random.chance(percent: 30) { event.properties.append(CalendarParts.text("DESCRIPTION", random.pick(CalendarPools.descriptions))) }

        let roll = random.below(100)
        let allDay = roll < Self.allDayPercent
        var zone: SampleTimeZone? = nil
        var utc = false
        if allDay {
            event.properties.append(CalendarParts.date("DTSTART", days: day))
            event.properties.append(CalendarParts.date("DTEND", days: day + (random.chance(percent: 70) ? 1 : random.inRange(2...3))))
            event.properties.append(VProperty(name: "TRANSP", value: "TRANSPARENT"))
        } else {
            if roll < Self.allDayPercent + Self.zonedPercent {
                zone = random.pick(SampleTimeZone.all)
            } else {
                utc = roll >= Self.allDayPercent + Self.zonedPercent + 5
            }
            let start = day * 86_400 + random.inRange(7...19) * 3_600 + 15 * 60 * random.below(4)
            let minutes = random.pick([30, 45, 60, 60, 90, 120, 180])
            event.properties.append(CalendarParts.time("DTSTART", seconds: start, utc: utc, zone: zone))
            event.properties.append(CalendarParts.time("DTEND", seconds: start + minutes * 60, utc: utc, zone: zone))
        }
        if random.chance(percent: Self.recurringPercent) {
            event.properties.append(VProperty(name: "RRULE", value: recurrence(day: day, allDay: allDay, untilAllowed: utc || zone != nil)))
        }
        if random.chance(percent: 25) { event.properties.append(VProperty(name: "CATEGORIES", value: random.pick(CalendarPools.categories))) }
        if random.chance(percent: 10) { event.properties.append(VProperty(name: "CLASS", value: "PRIVATE")) }
        if random.chance(percent: 20) { event.properties.append(VProperty(name: "SEQUENCE", value: String(random.inRange(1...3)))) }
        if random.chance(percent: Self.alarmPercent) {
            let trigger = allDay ? "-PT15H" : random.pick(["-PT5M", "-PT15M", "-PT15M", "-PT30M", "-PT1H", "-P1D"])
            event.components.append(CalendarParts.alarm(before: trigger, display: random.chance(percent: 85) ? summary : nil))
        }
        return CalendarParts.calendar(event, zone: zone, random: &random)
    }

    /// A rule that repeats on the start's own day (its weekday, day of month
    /// or month), in a form vCalendar 1.0 can say too.
    private mutating func recurrence(day: Int, allDay: Bool, untilAllowed: Bool) -> String {
        let date = CivilTime(days: day)
        let weekday = CivilTime.weekdayCodes[CivilTime.weekday(days: day)]
        if allDay { return "FREQ=YEARLY;BYMONTH=\(date.month)" }
        switch random.below(5) {
        case 0: return "FREQ=DAILY;COUNT=\(random.inRange(3...10))"
        case 1: return "FREQ=WEEKLY;BYDAY=\(weekday);COUNT=\(random.inRange(4...20))"
        case 2 where untilAllowed:
            // UNTIL is in UTC when the start has a zone (RFC 5545 §3.3.10).
            return "FREQ=WEEKLY;INTERVAL=2;BYDAY=\(weekday);UNTIL=" + CivilTime(days: day + 7 * random.inRange(4...26)).date + "T235959Z"
        case 3: return "FREQ=MONTHLY;BYMONTHDAY=\(date.day);COUNT=12"
        default: return "FREQ=MONTHLY;BYDAY=\((date.day - 1) / 7 + 1)\(weekday);COUNT=\(random.inRange(2...12))"
        }
    }
}
