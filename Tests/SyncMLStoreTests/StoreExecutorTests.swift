import Foundation
@testable import SyncMLStore
import Testing

/// A store's calls block (disk I/O, an fsync per commit, a PostgreSQL round trip
/// per statement), so a `SyncStore` runs on a queue of its own, never holding one
/// of the concurrency pool's threads (one per core).
@Suite("Store: calls run off the concurrency pool")
struct StoreExecutorTests {
    @Test("More stores than cores can each block in a call at once: the pool is not where they run")
    func storesLeaveThePoolFree() async throws {
        let count = ProcessInfo.processInfo.activeProcessorCount + 2
        let stores = try (0..<count).map { _ in try SyncStore(path: ":memory:") }
        let arrivals = Arrivals(expected: count)
        // Each call waits inside the store until every call has begun. On the pool only as many as it has
        // threads could begin; the rest would wait behind them, and each wait would end false after 10 s.
        let together = try await withThrowingTaskGroup(of: Bool.self) { group in
            for store in stores {
                group.addTask { try await store.withDatabase { _ in arrivals.arriveAndWait(timeout: 10) } }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(together == Array(repeating: true, count: count))
    }
}

/// A count of threads that have arrived, and a wait for all of them.
private final class Arrivals: @unchecked Sendable {
    private let condition = NSCondition()
    private let expected: Int
    private var arrived = 0

    init(expected: Int) { self.expected = expected }

    /// Counts this thread in and waits until `expected` have: false after `timeout` seconds.
    func arriveAndWait(timeout: TimeInterval) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        arrived += 1
        condition.broadcast()
        let deadline = Date(timeIntervalSinceNow: timeout)
        while arrived < expected {
            if !condition.wait(until: deadline) { return arrived >= expected }
        }
        return true
    }
}
