/// Durations for people: `412 ms`, `1.24 s`, `3 min 12 s`, `2 h 5 min`. The one
/// formatter for every duration the CLI and the reports print (JSON output
/// gives seconds as a number instead, see `seconds`).
package enum ReadableDuration {
    package static func text(_ duration: Swift.Duration) -> String {
        text(seconds: seconds(duration))
    }

    package static func text(seconds: Double) -> String {
        let seconds = seconds.isFinite ? max(0, seconds) : 0
        let millis = Int64((seconds * 1000).rounded())
        if millis < 1000 {
            if millis == 0 { return seconds == 0 ? "0 ms" : "<1 ms" }
            return "\(millis) ms"
        }
        let hundredths = Int64((seconds * 100).rounded())
        if hundredths < 6000 {
            let fraction = hundredths % 100
            return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) s"
        }
        let whole = Int64(seconds.rounded())
        if whole < 3600 {
            return whole % 60 == 0 ? "\(whole / 60) min" : "\(whole / 60) min \(whole % 60) s"
        }
        let minutes = Int64((seconds / 60).rounded())
        return minutes % 60 == 0 ? "\(minutes / 60) h" : "\(minutes / 60) h \(minutes % 60) min"
    }

    /// The duration in seconds, as JSON reports give it.
    package static func seconds(_ duration: Swift.Duration) -> Double {
        let (whole, attoseconds) = duration.components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
