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
