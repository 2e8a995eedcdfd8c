import Dispatch

/// Where a `SyncStore` runs: a serial dispatch queue of its own, not the
/// concurrency pool. Every store call blocks its thread — on disk I/O and an
/// fsync per commit on SQLite, on a network round trip per statement on
/// PostgreSQL — and the pool has one thread per core: a busy store on it left a
/// process's other tasks (HTTP requests, health checks, other sessions) without
/// a thread. Dispatch gives a blocked queue's work another thread.
final class StoreExecutor: SerialExecutor {
    private let queue: DispatchQueue
    /// Marks the queue, so code can tell whether it runs there (`isCurrent`).
    private static let marker = DispatchSpecificKey<ObjectIdentifier>()

    init(label: String = "syncml.store") {
        queue = DispatchQueue(label: label)
        queue.setSpecific(key: Self.marker, value: ObjectIdentifier(self))
    }

    /// True when the calling code runs on this executor's queue.
    var isCurrent: Bool { DispatchQueue.getSpecific(key: Self.marker) == ObjectIdentifier(self) }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
