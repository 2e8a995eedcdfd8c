import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The request body bytes a listener holds, across all its connections, before
/// the engine takes them: what clients can make the server hold before any of
/// them has authenticated. A body's bytes are taken as its buffer grows and
/// given back when the engine gets the body, the request is answered early, or
/// the connection closes, whatever closed it.
///
/// Requests without a running session (`Holder.anonymous`: every session's
/// first message, and anything a stranger sends) hold at most half the
/// ceiling; requests of sessions that authenticated may use all of it, so a
/// flood of anonymous bodies cannot stall running syncs.
///
/// Refusals are logged at most once a second, with how many there were.
final class BodyBudget: Sendable {
    /// Whose body is held.
    enum Holder: String, Sendable {
        case anonymous, session
    }

    /// The most all bodies together may hold.
    let ceiling: Int
    /// The most anonymous bodies together may hold: half the ceiling.
    var anonymousCeiling: Int { Self.anonymousShare(of: ceiling) }

    /// What anonymous bodies may hold of a budget of `ceiling` bytes.
    static func anonymousShare(of ceiling: Int) -> Int { ceiling / 2 }

    private struct Held {
        var total = 0
        var anonymous = 0
        /// Refusals not logged yet, and when the last line was written.
        var unreported = 0
        var lastReport: NIODeadline?
    }

    private let held = NIOLockedValueBox(Held())
    private let logger: Logger
    /// `syncml_http_body_bytes_in_flight`.
    private let gauge: Gauge
    /// `syncml_http_body_budget_refusals_total`, by holder.
    private let refusals: [Holder: Counter]

    init(ceiling: Int, logger: Logger, metricsFactory: any MetricsFactory) {
        self.ceiling = ceiling
        self.logger = logger
        gauge = Gauge(label: "syncml_http_body_bytes_in_flight", dimensions: [], factory: metricsFactory)
        refusals = Dictionary(uniqueKeysWithValues: [Holder.anonymous, .session].map { holder in
            (holder, Counter(label: "syncml_http_body_budget_refusals_total", dimensions: [("holder", holder.rawValue)], factory: metricsFactory))
        })
        gauge.record(0)
    }

    /// Body bytes held now.
    var bytesHeld: Int { held.withLockedValue { $0.total } }

    /// Takes `bytes` for `holder` if they fit its share; false (and a refusal counted) if not.
    func take(_ bytes: Int, for holder: Holder) -> Bool {
        let report: (refused: Int, held: Int)? = held.withLockedValue { held in
            let anonymous = holder == .anonymous ? held.anonymous + bytes : held.anonymous
            if held.total + bytes <= ceiling, anonymous <= anonymousCeiling {
                held.total += bytes
                held.anonymous = anonymous
                gauge.record(held.total)
                return nil
            }
            held.unreported += 1
            let now = NIODeadline.now()
            if let last = held.lastReport, now - last < .seconds(1) { return (0, held.total) }
            defer { (held.unreported, held.lastReport) = (0, now) }
            return (held.unreported, held.total)
        }
        guard let report else { return true }
        refusals[holder]?.increment()
        if report.refused > 0 {
            logger.warning("body budget spent, answering 503", metadata: [
                "holder": "\(holder.rawValue)", "held": "\(report.held)", "ceiling": "\(ceiling)", "refused": "\(report.refused)",
            ])
        }
        return false
    }

    /// Gives back `bytes` taken for `holder`.
    func give(_ bytes: Int, for holder: Holder) {
        guard bytes > 0 else { return }
        held.withLockedValue { held in
            held.total -= bytes
            if holder == .anonymous { held.anonymous -= bytes }
            gauge.record(held.total)
        }
    }
}
