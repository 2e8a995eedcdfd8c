/// A span of time as operators write it on the command line and in the config
/// file: a whole number and a unit, `90d`, `12h`, `30m`, `45s`, `2w`.
enum DurationText {
    /// The duration `text` names, or nil when it is not one.
    static func parse(_ text: String) -> Duration? {
        guard let unit = text.last, let count = Int64(text.dropLast()), count >= 0 else { return nil }
        let seconds: Int64
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3_600
        case "d": seconds = 86_400
        case "w": seconds = 604_800
        default: return nil
        }
        let (total, overflow) = count.multipliedReportingOverflow(by: seconds)
        return overflow ? nil : .seconds(total)
    }

    /// `90d`, `36h`, `90s`: the largest unit that divides the duration.
    static func format(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        for (unit, size) in [("w", Int64(604_800)), ("d", 86_400), ("h", 3_600), ("m", 60)] where seconds > 0 && seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}

/// `--keep-history`: how long the journal keeps replaced versions, or `forever`.
enum HistoryRetention: Equatable {
    case keep(Duration)
    case forever

    static let help = "How long replaced versions stay in the journal: a number and a unit (s, m, h, d, w), such as 90d; 'forever' never compacts."

    init?(_ text: String) {
        if text == "forever" {
            self = .forever
        } else if let duration = DurationText.parse(text) {
            self = .keep(duration)
        } else {
            return nil
        }
    }

    var description: String {
        switch self {
        case .keep(let duration): DurationText.format(duration)
        case .forever: "forever"
        }
    }
}
