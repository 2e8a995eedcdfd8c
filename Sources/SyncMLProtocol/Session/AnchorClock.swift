package import Foundation

/// Where both roles take their sync anchors from (OMA DS 1.2 §6.1.1: each
/// side's Next anchor becomes its Last at the next sync): the time the sync
/// started, in UTC, as `YYYYMMDDTHHMMSSZ` — what SyncEvolution's server sends
/// too. The clock is injectable, so that tests can pin the time.
package struct AnchorClock: Sendable {
    private let now: @Sendable () -> Date

    package init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    /// The system's clock.
    package static let system = AnchorClock()

    /// The anchor for a sync starting now.
    package func next() -> String {
        Self.anchor(at: now())
    }

    /// `date` as an anchor (seconds truncated).
    package static func anchor(at date: Date) -> String {
        date.formatted(format)
    }

    private static let format = Date.ISO8601FormatStyle(dateSeparator: .omitted, dateTimeSeparator: .standard,
                                                        timeSeparator: .omitted, timeZone: .gmt)
}
