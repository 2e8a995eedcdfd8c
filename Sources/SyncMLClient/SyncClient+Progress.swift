public import SyncMLProtocol
extension SyncClient {
    /// Progress and outcome of a sync started by `progressStream(mode:forceDeletes:)`.
    public struct ProgressingSync: Sendable {
        /// Each step of the sync, in order; ends when the sync does.
        public let progress: AsyncStream<SyncProgress>
        /// The sync itself: its report, or its `SyncClientError`. Cancelling it cancels the sync.
        public let result: Task<SyncReport, any Error>
    }

    /// Starts a sync and hands its progress over as an `AsyncSequence` (the
    /// alternative to `sync(mode:forceDeletes:progress:)`'s callback):
    ///
    /// ```swift
    /// let running = client.progressStream()
    /// for await step in running.progress { show(step) }
    /// let report = try await running.result.value
    /// ```
    public nonisolated func progressStream(mode: SyncMode = .twoWay, forceDeletes: Bool = false) -> ProgressingSync {
        let (stream, continuation) = AsyncStream.makeStream(of: SyncProgress.self, bufferingPolicy: .bufferingNewest(1024))
        let result = Task<SyncReport, any Error> {
            defer { continuation.finish() }
            return try await self.sync(mode: mode, forceDeletes: forceDeletes) { continuation.yield($0) }
        }
        return ProgressingSync(progress: stream, result: result)
    }
}
