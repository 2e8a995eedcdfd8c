public import SyncMLStore

/// The changes committed to one user's datastore, in journal order, as an
/// endless asynchronous sequence: what a CRM iterates to mirror what its
/// users' devices sync.
///
/// It starts after the sequence number given (0: from the beginning) and
/// yields every journal row once; when it has caught up it checks the store
/// again every `pollInterval`, so a change committed by any session (or by
/// another server process on the same store) arrives within that interval.
/// A mirror keeps the `sequence` of the last change it applied and passes it
/// back after a restart: nothing is skipped and nothing repeats. The
/// sequence ends when the iterating task is cancelled; a store failure ends
/// it with the `StoreError`.
///
/// A user or datastore that does not exist yet is waited for, not an error:
/// a mirror can start before the user's first sync.
public struct CommittedChanges: AsyncSequence, Sendable {
    public typealias Element = CommittedChange
    public typealias Failure = StoreError

    let store: SyncStore
    let user: String
    let datastore: String
    let sequence: Int64
    let pollInterval: Duration
    let pageSize: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(feed: self, cursor: sequence)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let feed: CommittedChanges
        var cursor: Int64
        var page: [CommittedChange] = []
        var next = 0
        var datastoreID: DatastoreID?

        init(feed: CommittedChanges, cursor: Int64) {
            self.feed = feed
            self.cursor = cursor
        }

        public mutating func next() async throws(StoreError) -> CommittedChange? {
            try await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(StoreError) -> CommittedChange? {
            while next == page.count {
                if Task.isCancelled { return nil }
                let fetched = try await Self.page(of: feed, datastore: datastoreID, after: cursor)
                datastoreID = fetched.datastore
                page = fetched.changes
                next = 0
                if page.isEmpty {
                    do { try await Task.sleep(for: feed.pollInterval) } catch { return nil }
                }
            }
            let change = page[next]
            next += 1
            cursor = change.sequence
            return change
        }

        /// The page after `cursor`, and the datastore's id once it exists (no page before).
        private static func page(of feed: CommittedChanges, datastore: DatastoreID?,
                                 after cursor: Int64) async throws(StoreError) -> (datastore: DatastoreID?, changes: [CommittedChange]) {
            var datastore = datastore
            if datastore == nil, let user = try await feed.store.existingUser(named: feed.user) {
                datastore = try await feed.store.existingDatastore(named: feed.datastore, user: user)
            }
            guard let datastore else { return (nil, []) }
            return (datastore, try await feed.store.committedChanges(datastore: datastore, after: cursor, limit: feed.pageSize))
        }
    }
}

extension SyncServer {
    /// Every change committed to `user`'s `datastore` (a name or any URI a
    /// client may use for it: "contacts", "./Contacts", "card", as
    /// ``ServerConfiguration/datastore(forURI:)`` resolves it) after journal
    /// sequence `sequence`, then each new one as it is
    /// committed. See ``CommittedChanges``.
    public nonisolated func committedChanges(user: String, datastore: String, after sequence: Int64 = 0,
                                             pollInterval: Duration = .seconds(1)) -> CommittedChanges {
        CommittedChanges(store: store, user: user, datastore: configuration.datastore(forURI: datastore) ?? datastore, sequence: sequence,
                         pollInterval: pollInterval, pageSize: 256)
    }
}
