import SyncMLRecords
/// The time zones generated events are in, each with the VTIMEZONE a
/// calendar client writes for it: fixed, or one yearly DAYLIGHT and STANDARD
/// rule (RFC 5545 §3.6.5), the form SyncMLRecords evaluates when it converts
/// zoned times to UTC (vCalendar 1.0 has no zones).
struct SampleTimeZone: Sendable {
    /// When daylight saving time starts and ends: an `RRULE` and the local onset time of each.
    struct DaylightRule: Sendable {
        var start: String, startTime: String
        var end: String, endTime: String
    }

    var id: String
    var timezone: VComponent

    init(_ id: String, standard: String, daylight: String? = nil, rule: DaylightRule? = nil) {
        self.id = id
        func observance(_ name: String, from: String, to: String, start: String, rule: String?) -> VComponent {
            var properties = [
                VProperty(name: "TZOFFSETFROM", value: from), VProperty(name: "TZOFFSETTO", value: to),
                VProperty(name: "DTSTART", value: "19700101T" + start),
            ]
            if let rule { properties.append(VProperty(name: "RRULE", value: rule)) }
            return VComponent(name: name, properties: properties)
        }
        var observances: [VComponent] = []
        if let daylight, let rule {
            observances.append(observance("DAYLIGHT", from: standard, to: daylight, start: rule.startTime, rule: rule.start))
            observances.append(observance("STANDARD", from: daylight, to: standard, start: rule.endTime, rule: rule.end))
        } else {
            observances.append(observance("STANDARD", from: standard, to: standard, start: "000000", rule: nil))
        }
        timezone = VComponent(name: "VTIMEZONE", properties: [VProperty(name: "TZID", value: id)], components: observances)
    }

    static let centralEurope = DaylightRule(start: "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", startTime: "020000",
                                            end: "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", endTime: "030000")
    static let britain = DaylightRule(start: "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", startTime: "010000",
                                      end: "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", endTime: "020000")
    static let northAmerica = DaylightRule(start: "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", startTime: "020000",
                                           end: "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", endTime: "020000")

    static let all: [SampleTimeZone] = [
        SampleTimeZone("Europe/Berlin", standard: "+0100", daylight: "+0200", rule: centralEurope),
        SampleTimeZone("Europe/Paris", standard: "+0100", daylight: "+0200", rule: centralEurope),
        SampleTimeZone("Europe/London", standard: "+0000", daylight: "+0100", rule: britain),
        SampleTimeZone("America/New_York", standard: "-0500", daylight: "-0400", rule: northAmerica),
        SampleTimeZone("America/Los_Angeles", standard: "-0800", daylight: "-0700", rule: northAmerica),
        SampleTimeZone("Asia/Tokyo", standard: "+0900"),
        SampleTimeZone("Asia/Shanghai", standard: "+0800"),
        SampleTimeZone("Asia/Seoul", standard: "+0900"),
    ]
}
