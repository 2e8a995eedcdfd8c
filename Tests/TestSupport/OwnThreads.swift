import Dispatch
import Synchronization
public import Testing

/// `.ownThreads`: each test of the suite runs on a thread of its own, not on the
/// cooperative pool.
///
/// Swift Testing runs every test on the cooperative pool, one thread per core,
/// and a synchronous test that computes for seconds (a large matcher run, a
/// compression benchmark) keeps its thread for all that time: the pool has no
/// preemption. A test that talks to a server with a one-second deadline or an
/// idle connection pool must take its next step in time, so each test of such
/// a suite prefers an executor of its own (SE-0417): the test body, its child
/// tasks and the default actors it calls run on a dispatch thread that the OS
/// schedules alongside everything else, however busy the pool is.
///
/// This file is shared, as symbolic links, by the test targets whose suites need it.
public struct OwnThreadsTrait: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        if #available(macOS 15.0, *) {
            try await withTaskExecutorPreference(OwnThreadExecutor()) { try await function() }
        } else {
            try await function()
        }
    }
}

extension Trait where Self == OwnThreadsTrait {
    /// Runs each test of the suite on a thread of its own, not on the cooperative pool (`OwnThreadsTrait`).
    public static var ownThreads: Self { Self() }
}

/// A task executor on a serial dispatch queue of its own. A serial queue targets
/// dispatch's overcommitting root queue, which adds a thread whenever every one
/// it has is busy, so the test's jobs never wait for the cooperative pool. They
/// run one at a time, as on one thread: the tests this is for wait on I/O.
/// Test servers run their engine on one too (`HTTPListener.Configuration.engineExecutor`).
@available(macOS 15.0, *)
public final class OwnThreadExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "swift-syncml.tests.own-thread")
    private let jobs = Mutex(0)

    public init() {}

    /// How many jobs this executor has been given.
    public var jobsEnqueued: Int { jobs.withLock { $0 } }

    public func enqueue(_ job: consuming ExecutorJob) {
        jobs.withLock { $0 += 1 }
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
