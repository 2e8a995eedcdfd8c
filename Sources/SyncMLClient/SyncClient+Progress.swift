public import SyncMLProtocol

extension SyncClient {
    /// Progress and outcome of a sync started by `progressStream(mode:forceDeletes:)`.
    public struct ProgressingSync: Sendable {
        /// Each step of the sync, in order; ends when the sync does.
        public let progress: AsyncStream<SyncProgress>
        private let task: Task<Result<SyncReport, SyncClientError>, Never>

        init(progress: AsyncStream<SyncProgress>, task: Task<Result<SyncReport, SyncClientError>, Never>) {
            self.progress = progress
            self.task = task
        }

        /// The sync's report once it ended, or its `SyncClientError` (typed, as
        /// `sync(mode:forceDeletes:progress:)` throws it).
        public var report: SyncReport {
            get async throws(SyncClientError) { try await task.value.get() }
        }

        /// Cancels the sync: it stops between messages and `report` throws `.cancelled`.
        public func cancel() { task.cancel() }
    }

    /// Starts a sync and hands its progress over as an `AsyncSequence` (the
    /// alternative to `sync(mode:forceDeletes:progress:)`'s callback):
    ///
    /// ```swift
    /// let running = client.progressStream()
    /// for await step in running.progress { show(step) }
    /// let report = try await running.report   // throws SyncClientError
    /// ```
    public nonisolated func progressStream(mode: SyncMode = .twoWay, forceDeletes: Bool = false) -> ProgressingSync {
        let (stream, continuation) = AsyncStream.makeStream(of: SyncProgress.self, bufferingPolicy: .bufferingNewest(1024))
        let task = Task<Result<SyncReport, SyncClientError>, Never> {
            defer { continuation.finish() }
            do throws(SyncClientError) {
                return .success(try await self.sync(mode: mode, forceDeletes: forceDeletes) { continuation.yield($0) })
            } catch {
                return .failure(error)
            }
        }
        return ProgressingSync(progress: stream, task: task)
    }
}
