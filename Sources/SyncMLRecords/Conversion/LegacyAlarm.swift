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
