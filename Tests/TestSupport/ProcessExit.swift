public import Foundation

/// The end of a child process, awaited without holding a thread.
///
/// Swift Testing runs tests on Swift concurrency's cooperative pool, which has
/// one thread per core. A test that waits by blocking a thread —
/// `waitUntilExit()`, a semaphore, `Thread.sleep`, reading a pipe to its end —
/// takes that thread from every other test for as long as it waits: on a
/// two-core machine two such tests stall every async test (servers with short
/// idle timeouts, load tests) until they end. So the tests start children with
/// `Process.start()`, which hands the end to waiting tasks from Foundation's
/// `terminationHandler`, and poll what they print from files (`OutputFile`).
///
/// This file is shared, as symbolic links, by every test target that runs programs.
public final class ProcessExit: Sendable {
    private struct State {
        var exited = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Locked(State())

    fileprivate init() {}

    /// True once the process has ended (and its status can be read).
    public var hasExited: Bool { state.withLock { $0.exited } }

    fileprivate func processEnded() {
        let waiters = state.withLock { state in
            state.exited = true
            defer { state.waiters = [:] }
            return state.waiters.values
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Suspends until the process has ended (or the waiting task is cancelled).
    public func wait() async {
        let waiter = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.exited || Task.isCancelled { return true }
                    state.waiters[waiter] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: waiter) }?.resume()
        }
    }

    /// Waits at most `timeout`; true if the process has ended by then.
    public func wait(atMost timeout: Duration) async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        return hasExited
    }
}

extension Process {
    /// `run()`, returning the process's end to await instead of `waitUntilExit()`.
    /// Replaces any `terminationHandler`.
    public func start() throws -> ProcessExit {
        let exit = ProcessExit()
        terminationHandler = { _ in exit.processEnded() }
        try run()
        return exit
    }
}

/// A value behind a lock (Synchronization's `Mutex` needs macOS 15; the package supports 14).
private final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// A file a child process writes its output to, instead of a pipe.
///
/// A pipe must be drained while the child runs (a chatty child blocks on a full
/// one), and reading it to its end blocks a thread: a file needs neither, and its
/// text can be read at any moment, also while the child still runs. Temporary
/// files are removed when the value goes; a file the caller named is kept.
public final class OutputFile: Sendable {
    public let url: URL
    /// What the child is given as `standardOutput` or `standardError`.
    public let handle: FileHandle
    private let temporary: Bool

    /// A new empty file in the temporary directory, removed when the value goes.
    public convenience init() throws {
        try self.init(url: FileManager.default.temporaryDirectory.appendingPathComponent("syncml-test-\(UUID().uuidString).out"),
                      temporary: true)
    }

    /// `url`, created empty (or emptied), and kept afterwards.
    public convenience init(keeping url: URL) throws {
        try self.init(url: url, temporary: false)
    }

    private init(url: URL, temporary: Bool) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw OutputFileError(description: "cannot create \(url.path)")
        }
        self.url = url
        self.temporary = temporary
        handle = try FileHandle(forWritingTo: url)
    }

    deinit {
        try? handle.close()
        if temporary { try? FileManager.default.removeItem(at: url) }
    }

    /// Everything written so far.
    public var data: Data { (try? Data(contentsOf: url)) ?? Data() }

    /// Everything written so far, as UTF-8 text.
    public var text: String { String(decoding: data, as: UTF8.self) }

    /// Polls the text every `interval` — suspending, not blocking — until `isComplete`
    /// accepts it or `exit` has come (then the text is read once more, as the
    /// process left it). Returns the last text read.
    public func text(satisfying isComplete: (String) -> Bool, orOnceEnded exit: ProcessExit,
              polling interval: Duration = .milliseconds(20)) async throws -> String {
        while true {
            let ended = exit.hasExited
            let current = text
            if ended || isComplete(current) { return current }
            try await Task.sleep(for: interval)
        }
    }
}

public struct OutputFileError: Error, CustomStringConvertible {
    public var description: String
}
