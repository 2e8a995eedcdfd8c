/// vCalendar 1.0 recurrence rules (vCalendar 1.0 §3.7 "Recurrence Rule Grammar") and the
/// RFC 5545 rules they mean: `D1`, `W1 MO TU`, `W2 FR`, `MD1 15`, `MD1 1-`, `MP1 1+ MO`,
/// `YM1 6`, `YD1 100`, each with `#n` (`#0` = forever) or an end time; no duration means
/// `#2` (the 1.0 default).
enum LegacyRecurrence {
    static let weekdays: Set<String> = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]

    /// `W1 MO TU #5` → `FREQ=WEEKLY;BYDAY=MO,TU;COUNT=5`; nil for rules not read here.
    /// `until` rewrites an end time (to UTC, when the calendar's zone is known).
    static func iCalendar(_ rule: String, until: (String) -> String = { $0 }) -> String? {
        let tokens = rule.uppercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let head = tokens.first else { return nil }
        let kinds = ["MD", "MP", "YM", "YD", "D", "W"]
        guard let kind = kinds.first(where: { head.hasPrefix($0) }),
              let interval = Int(head.dropFirst(kind.count)), interval > 0 else { return nil }
        var count: Int? = 2, end: String? = nil
        var byDay: [String] = [], numbers: [Int] = [], pending: [Int] = []
        var afterWeekday = false
        for token in tokens.dropFirst() {
            if token.hasPrefix("#") {
                guard let n = Int(token.dropFirst()), n >= 0 else { return nil }
                count = n; end = nil
            } else if token.count >= 8, token.first!.isNumber, DateTime.seconds(Canonical.date(token)) != nil {
                end = Canonical.date(token); count = nil
            } else if weekdays.contains(String(token.prefix(2))), token.count == 2 || token.dropFirst(2) == "$" {
                let day = String(token.prefix(2))
                switch kind {
                case "W": byDay.append(day)
                case "MP":
                    guard !pending.isEmpty else { return nil }
                    byDay += pending.map { "\($0)\(day)" }
                    afterWeekday = true
                default: return nil
                }
            } else if let n = number(token) {
                switch kind {
                case "MP":
                    if afterWeekday { pending = []; afterWeekday = false }
                    pending.append(n)
                case "MD", "YM", "YD": numbers.append(n)
                default: return nil
                }
            } else {
                return nil
            }
        }
        if kind == "MP", byDay.isEmpty { return nil }
        var parts: [String]
        switch kind {
        case "D": parts = ["FREQ=DAILY"]
        case "W": parts = ["FREQ=WEEKLY"] + (byDay.isEmpty ? [] : ["BYDAY=" + byDay.joined(separator: ",")])
        case "MD": parts = ["FREQ=MONTHLY"] + (numbers.isEmpty ? [] : ["BYMONTHDAY=" + numbers.map(String.init).joined(separator: ",")])
        case "MP": parts = ["FREQ=MONTHLY", "BYDAY=" + byDay.joined(separator: ",")]
        case "YM":
            guard numbers.allSatisfy({ (1...12).contains($0) }) else { return nil }
            parts = ["FREQ=YEARLY"] + (numbers.isEmpty ? [] : ["BYMONTH=" + numbers.map(String.init).joined(separator: ",")])
        default: parts = ["FREQ=YEARLY"] + (numbers.isEmpty ? [] : ["BYYEARDAY=" + numbers.map(String.init).joined(separator: ",")])
        }
        if interval != 1 { parts.append("INTERVAL=\(interval)") }
        if let end { parts.append("UNTIL=" + until(end)) }
        if let count, count > 0 { parts.append("COUNT=\(count)") }
        return parts.joined(separator: ";")
    }

    /// `15`, `15+` → 15; `1-` → -1; `LD` (last day) → -1.
    static func number(_ token: String) -> Int? {
        if token == "LD" { return -1 }
        var digits = Substring(token), sign = 1
        if digits.hasSuffix("+") { digits = digits.dropLast() } else if digits.hasSuffix("-") { digits = digits.dropLast(); sign = -1 }
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber), let value = Int(digits), value > 0 else { return nil }
        return sign * value
    }

    /// The 1.0 form of an RFC 5545 rule, or nil when 1.0 cannot say it (the rule is then
    /// kept in 2.0 syntax; docs/RECORDS.md).
    static func vCalendar(_ rule: String) -> String? {
        var parts: [String: String] = [:]
        for part in rule.uppercased().split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingASCIIWhitespace() }
            guard pair.count == 2, parts[pair[0]] == nil else { return nil }
            parts[pair[0]] = pair[1]
        }
        guard let freq = parts.removeValue(forKey: "FREQ") else { return nil }
        let interval = parts.removeValue(forKey: "INTERVAL").map { Int($0) } ?? 1
        guard let interval, interval > 0 else { return nil }
        if parts["WKST"] == "MO" { parts["WKST"] = nil }
        let count = parts.removeValue(forKey: "COUNT"), until = parts.removeValue(forKey: "UNTIL")
        if count != nil && until != nil { return nil }
        if let count, Int(count).map({ $0 <= 0 }) ?? true { return nil }
        var head: String, list: [String] = []
        func take(_ key: String) -> [String] { parts.removeValue(forKey: key)?.split(separator: ",").map(String.init) ?? [] }
        switch freq {
        case "DAILY": head = "D"
        case "WEEKLY":
            head = "W"
            list = take("BYDAY")
            guard list.allSatisfy(weekdays.contains) else { return nil }
        case "MONTHLY" where parts["BYDAY"] != nil:
            head = "MP"
            for day in take("BYDAY") {
                guard day.count >= 3, weekdays.contains(String(day.suffix(2))),
                      let n = Int(day.dropLast(2)), n != 0, abs(n) <= 5 else { return nil }
                list += [n > 0 ? "\(n)+" : "\(-n)-", String(day.suffix(2))]
            }
        case "MONTHLY":
            head = "MD"
            for day in take("BYMONTHDAY") {
                guard let n = Int(day), n != 0 else { return nil }
                list.append(n > 0 ? "\(n)" : "\(-n)-")
            }
        case "YEARLY" where parts["BYYEARDAY"] != nil:
            head = "YD"
            list = take("BYYEARDAY")
            guard list.allSatisfy({ Int($0).map { $0 > 0 } ?? false }) else { return nil }
        case "YEARLY":
            list = take("BYMONTH")
            head = list.isEmpty ? "YD" : "YM"
            guard list.allSatisfy({ Int($0).map { (1...12).contains($0) } ?? false }) else { return nil }
        default: return nil
        }
        guard parts.isEmpty else { return nil }
        let duration = until ?? "#" + (count ?? "0")
        return ([head + String(interval)] + list + [duration]).joined(separator: " ")
    }
}
