private import CSQLite
import Foundation

/// The time SQLite spends running statements for one piece of work (one SyncML
/// message, say), however many store calls it makes: bind one with
/// `SyncStore.$statementTimer.withValue(timer) { … }` and every statement the
/// store runs for that task is added to it. The store's own Swift work around
/// the statements (compressing payloads, say) is not counted.
package final class StatementTimer: @unchecked Sendable {
    private let lock = NSLock()
    private var elapsed = Duration.zero
    /// Statements begun and not yet finished, by statement handle.
    private var running: [UnsafeMutableRawPointer: ContinuousClock.Instant] = [:]

    package init() {}

    /// What the statements took so far.
    package var total: Duration { lock.withLock { elapsed } }

    fileprivate func began(_ statement: UnsafeMutableRawPointer) {
        let now = ContinuousClock.now
        lock.withLock {
            // A trigger reports its statement again: the first report is the start.
            if running[statement] == nil { running[statement] = now }
        }
    }

    fileprivate func finished(_ statement: UnsafeMutableRawPointer) {
        let now = ContinuousClock.now
        lock.withLock {
            if let start = running.removeValue(forKey: statement) { elapsed += now - start }
        }
    }
}

extension SyncStore {
    /// The timer of the work the current task does, if it measures any.
    @TaskLocal package static var statementTimer: StatementTimer?

    /// Has SQLite report each statement's start and end on this connection, for
    /// the `statementTimer` of the task that runs it. Costs two callbacks per
    /// statement from then on, so it is only turned on when someone measures.
    /// On PostgreSQL nothing is measured yet (no trace hook; a round trip's time is the network's).
    package func measureStatementTime() {
        guard let database = database as? Database else { return }
        let mask = UInt32(SQLITE_TRACE_STMT) | UInt32(SQLITE_TRACE_PROFILE)
        sqlite3_trace_v2(database.handle, mask, { event, _, statement, _ in
            guard let statement, let timer = SyncStore.statementTimer else { return 0 }
            if event == UInt32(SQLITE_TRACE_STMT) {
                timer.began(statement)
            } else {
                timer.finished(statement)
            }
            return 0
        }, nil)
    }
}
