import Dispatch
import Foundation
import Logging
public import SyncMLStore

/// What a health check found out about the store.
public enum StoreHealth: Sendable, Equatable {
    /// It answered a trivial query.
    case answering
    /// The query failed: the store's error.
    case failing(String)
    /// No answer within the check's timeout (a long compaction or a stuck disk holds it).
    case notAnswering(within: Duration)

    /// Whether the store answered; `/health` answers 503 when it did not.
    public var isHealthy: Bool { self == .answering }
}

/// What an operator runs beside the syncs: the health check, the store's size for
/// the metrics, compaction. The HTTP side (`/health`, `/metrics`) is SyncMLHTTP's.
extension SyncServer {
    /// Asks the store a trivial query and waits `timeout` at most: a health
    /// endpoint must answer even when the store does not. The timeout runs on a
    /// Dispatch timer, so it fires even when the concurrency pool's threads are
    /// all held (by a stuck disk, say). The probe runs on `executor` (the global
    /// concurrent executor when nil): a host that runs the engine on an executor
    /// of its own (`HTTPListener.Configuration.engineExecutor`) probes there too,
    /// or a busy pool would be reported as a store not answering.
    public func checkStore(timeout: Duration = .seconds(5), on executor: (any TaskExecutor)? = nil) async -> StoreHealth {
        let store = self.store
        return await Self.check(timeout: timeout, on: executor) { try await store.probe() }
    }

    /// `probe` raced against `timeout`: whichever ends first answers.
    package static func check(timeout: Duration, on executor: (any TaskExecutor)? = nil,
                              _ probe: @escaping @Sendable () async throws -> Void) async -> StoreHealth {
        let race = HealthRace()
        return await withCheckedContinuation { continuation in
            race.arm(continuation)
            let run: @Sendable () async -> Void = {
                do {
                    try await probe()
                    race.finish(.answering)
                } catch {
                    race.finish(.failing((error as? StoreError)?.message ?? "\(error)"))
                }
            }
            if #available(macOS 15.0, *) {
                Task(executorPreference: executor, operation: run)
            } else {
                Task(operation: run)
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(timeout.wholeNanoseconds))) {
                race.finish(.notAnswering(within: timeout))
            }
        }
    }

    /// Records the store's size in `syncml_store_size_bytes`, and any new fast-path
    /// rejections of its frame encoder in `syncml_frame_fast_path_rejections_total`;
    /// a metrics endpoint calls it before each scrape. When the store cannot tell its
    /// size, the gauge keeps its last value and the failure is logged.
    public func recordStoreSize() async {
        do {
            metrics.storeSize(bytes: try await store.approximateSize())
        } catch {
            // The gauge keeps its last value; the health check reports the store itself.
            logger.error("reading the store's size failed", metadata: ["error": "\(error)"])
        }
        recordFastPathRejections(total: await store.fastPathRejections)
    }

    /// Counts the rejections since the last scrape. Each one is a record the fast encoder
    /// wrote wrongly and zlib wrote again (nothing was stored wrong): a bug to report, so logged.
    package func recordFastPathRejections(total: Int) {
        guard total > reportedFastPathRejections else { return }
        let new = total - reportedFastPathRejections
        reportedFastPathRejections = total
        metrics.fastPathRejected(new)
        logger.error("records failed the fast frame encoder's read-back check and were compressed by zlib instead; please report this",
                     metadata: ["records": "\(new)", "since_start": "\(total)"])
    }

    /// Drops the history `policy` lets go (see `RetentionPolicy`), counting it in
    /// the `syncml_compaction_*` metrics. Sessions keep running: the store takes
    /// one datastore at a time.
    public func compactJournal(keeping policy: RetentionPolicy) async throws(StoreError) -> RetentionReport {
        let report = try await store.compact(keeping: policy)
        metrics.compacted(report)
        logger.info("journal compacted", metadata: [
            "datastores": "\(report.datastores)", "removed_versions": "\(report.removedVersions)",
            "removed_bytes": "\(report.removedBytes)",
        ])
        return report
    }
}

/// The first of the probe and the timeout to finish answers the health check.
private final class HealthRace: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<StoreHealth, Never>?

    func arm(_ continuation: CheckedContinuation<StoreHealth, Never>) {
        lock.withLock { self.continuation = continuation }
    }

    /// Resumes the check with `health` unless the other side already did; true if this call did.
    @discardableResult
    func finish(_ health: StoreHealth) -> Bool {
        let waiting = lock.withLock { () -> CheckedContinuation<StoreHealth, Never>? in
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(returning: health)
        return waiting != nil
    }
}
