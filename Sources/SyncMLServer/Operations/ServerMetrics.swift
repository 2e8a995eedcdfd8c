import CoreMetrics
import SyncMLProtocol
import SyncMLStore

/// How a server session ended: the `outcome` of `syncml_sessions_total`.
enum SessionOutcome: String, Sendable {
    /// The client confirmed everything and every datastore's anchors were saved.
    case completed
    /// Saved for a resume: the client asked (Alert 224), lost its connection, or the server shut down mid-sync.
    case suspended
    /// Refused after authentication (limits), or a datastore failed.
    case failed
    /// Dropped before any sync began (timed out, or replaced by the device's next session).
    case abandoned
}

/// The server's metrics, through the swift-metrics API only: the host picks the
/// backend (`syncml serve` bootstraps Prometheus, docs/OPERATIONS.md lists every
/// metric). Names follow Prometheus conventions; no label carries a user or a
/// device, so a scrape tells nothing about who syncs.
///
/// Emitted at a few points only: `SyncServer.handle` (each message, refusals,
/// authentication failures) and the moment a session ends (`ServerSession.phase`).
struct ServerMetrics: Sendable {
    private let factory: any MetricsFactory
    /// `syncml_message_duration_seconds`: a message from its bytes to the answer's.
    private let messageDuration: Timer
    /// `syncml_sessions_started_total`: sessions opened (authenticated).
    private let sessionsStarted: Counter
    /// `syncml_store_size_bytes`: the store's pages, refreshed on demand (each scrape).
    private let storeSize: Gauge
    /// `syncml_frame_fast_path_rejections_total`: made at start, so a scrape shows its 0.
    private let fastPathRejections: Counter

    /// Metrics that go nowhere.
    static let disabled = ServerMetrics(factory: NOOPMetricsHandler.instance)

    init(factory: any MetricsFactory) {
        self.factory = factory
        messageDuration = Timer(label: "syncml_message_duration_seconds", dimensions: [], factory: factory)
        sessionsStarted = Counter(label: "syncml_sessions_started_total", dimensions: [], factory: factory)
        storeSize = Gauge(label: "syncml_store_size_bytes", dimensions: [], factory: factory)
        fastPathRejections = Counter(label: "syncml_frame_fast_path_rejections_total", dimensions: [], factory: factory)
    }

    func messageHandled(in duration: Duration) {
        messageDuration.recordNanoseconds(duration.wholeNanoseconds)
    }

    /// A message answered without reaching a session: `reason` is a fixed word (`too_large`, `undecodable`…).
    func messageRefused(_ reason: String) {
        Counter(label: "syncml_messages_refused_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    /// `reason`: `missing`, `invalid` (checked and wrong), `challenged` (the right password over no
    /// nonce: a new device's first message), `busy` (too many password checks waiting) or `wrong_user`
    /// (a token and a credential disagree).
    func authenticationFailed(_ reason: String) {
        Counter(label: "syncml_auth_failures_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    func sessionStarted() {
        sessionsStarted.increment()
    }

    /// One session ended: its outcome and mode, its duration, and what its datastores exchanged.
    func sessionEnded(_ outcome: SessionOutcome, datastores: [DatastoreState], duration: Duration) {
        Counter(label: "syncml_sessions_total", dimensions: [("outcome", outcome.rawValue), ("mode", Self.mode(of: datastores))],
                factory: factory).increment()
        Timer(label: "syncml_session_duration_seconds", dimensions: [("outcome", outcome.rawValue)], factory: factory)
            .recordNanoseconds(duration.wholeNanoseconds)
        var received = ChangeCounts(), sent = ChangeCounts()
        for datastore in datastores {
            received.add(datastore.received)
            sent.add(datastore.sent)
        }
        count("syncml_items_received_total", received)
        count("syncml_items_sent_total", sent)
        if received.conflicts > 0 {
            Counter(label: "syncml_conflicts_total", dimensions: [], factory: factory).increment(by: received.conflicts)
        }
        if received.rejected > 0 {
            Counter(label: "syncml_items_rejected_total", dimensions: [], factory: factory).increment(by: received.rejected)
        }
    }

    /// A compaction's yield (`syncml_compaction_*`).
    func compacted(_ report: RetentionReport) {
        Counter(label: "syncml_compaction_runs_total", dimensions: [], factory: factory).increment()
        Counter(label: "syncml_compaction_removed_versions_total", dimensions: [], factory: factory).increment(by: report.removedVersions)
        Counter(label: "syncml_compaction_removed_bytes_total", dimensions: [], factory: factory).increment(by: report.removedBytes)
    }

    func storeSize(bytes: Int) {
        storeSize.record(bytes)
    }

    /// `count` more records whose fast-path frame failed its read-back check (zlib wrote them instead).
    func fastPathRejected(_ count: Int) {
        fastPathRejections.increment(by: count)
    }

    /// Items by operation (`match`: a client item paired with one the server already held, in a slow
    /// sync or a resend); zero counts are not emitted (a series appears with its first item).
    private func count(_ label: String, _ counts: ChangeCounts) {
        let operations = [("add", counts.added), ("replace", counts.replaced), ("delete", counts.deleted), ("match", counts.matched)]
        for (operation, value) in operations where value > 0 {
            Counter(label: label, dimensions: [("operation", operation)], factory: factory).increment(by: value)
        }
    }

    /// The session's mode: its datastores' mode when they share one, `mixed` when
    /// they differ, `none` before any datastore was granted.
    static func mode(of datastores: [DatastoreState]) -> String {
        guard let first = datastores.first?.mode else { return "none" }
        return datastores.allSatisfy { $0.mode == first } ? first.rawValue : "mixed"
    }
}

extension ServerSession {
    /// The session's end in the metrics: called once, when `phase` first reaches an end.
    func recordEnd() {
        let outcome: SessionOutcome = switch phase {
        case .finished: datastores.contains { $0.failed } ? .failed : .completed
        case .suspended: .suspended
        default: abandoned ? .abandoned : .failed
        }
        metrics.sessionEnded(outcome, datastores: datastores, duration: .now - startTime)
    }
}

extension ChangeCounts {
    mutating func add(_ other: ChangeCounts) {
        added += other.added
        replaced += other.replaced
        deleted += other.deleted
        matched += other.matched
        conflicts += other.conflicts
        rejected += other.rejected
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating (what swift-metrics' timers take).
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
