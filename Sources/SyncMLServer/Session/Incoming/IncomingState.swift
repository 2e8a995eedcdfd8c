import SyncMLProtocol
import SyncMLStore

/// The incoming room's session-wide state: client changes decided and
/// answered but not yet written. They go to the store in one transaction per
/// Sync command; a failed batch turns their statuses to 500.
struct IncomingState {
    private(set) var pendingWrites: [PendingWrite] = []
    /// The LUIDs of `pendingWrites`: a second change of one is found without a scan
    /// of the batch (which made a Sync of n items cost n²/2 comparisons).
    private var pendingLUIDs: Set<String> = []
    /// The datastore the pending writes belong to.
    var pendingDatastore: DatastoreState?
    /// Positions of statuses whose batched write failed, to be set to 500.
    var failedStatuses: [Int] = []
    /// The current Sync's Add and Replace records parsed ahead, by item position:
    /// what the store is asked about in one call for the whole message.
    var prepared: [Int: PreparedItem] = [:]
    /// The position in the current Sync of the next item received.
    var nextPosition = 0
    /// The positions of `prepared`, in order.
    var preparedPositions: [Int] = []
    /// What the store said of prepared items, by item position; emptied whenever
    /// the session writes to the store (an answer read before may be stale).
    private(set) var resolved: [Int: Resolution] = [:]
    /// How many prepared items after the one asked about the next store call
    /// also answers: all of the Sync while answers are used, else doubled at
    /// each call; after a write discards some, twice what was used of the last
    /// call. A Sync whose items each merge (and so write) must not look all its
    /// rest up again after each one.
    private(set) var resolvesAhead = Int.max
    /// Answers of the last call used so far (the one asked about included).
    private var resolvedUsed = 0
    /// Whether a write discarded answers of the last call.
    private var discarded = false

    /// The answer for `position` made ahead, if any.
    mutating func takeResolved(at position: Int) -> Resolution? {
        guard let resolution = resolved.removeValue(forKey: position) else { return nil }
        resolvedUsed += 1
        return resolution
    }

    /// Answers for later `positions` from a call made for one item (which the caller uses).
    /// Taken as they come, into room made once: a Sync's answers are the largest
    /// thing a message holds (a Resolution is hundreds of bytes), so neither a
    /// paired-up copy of them nor the table's regrowth should sit next to them.
    mutating func keep(_ positions: [Int], _ answers: some Sequence<Resolution>) {
        if !discarded { resolvesAhead = resolvesAhead > Int.max / 2 ? .max : max(1, resolvesAhead * 2) }
        (resolvedUsed, discarded) = (1, false)
        resolved.reserveCapacity(resolved.count + positions.count)
        for (position, resolution) in zip(positions, answers) { resolved[position] = resolution }
    }

    /// The session wrote to the store: answers not yet used may be stale.
    mutating func discardResolved() {
        if !resolved.isEmpty { (resolvesAhead, discarded) = (max(0, 2 * (resolvedUsed - 1)), true) }
        resolved = [:]
    }

    /// Leaves `write` for the batch.
    mutating func addPending(_ write: PendingWrite) {
        pendingWrites.append(write)
        if let luid = write.change.luid { pendingLUIDs.insert(luid) }
    }

    /// Whether a change of `luid` waits in the batch.
    func isPending(luid: String) -> Bool { pendingLUIDs.contains(luid) }

    /// Where the status of the write left last sits in the reply.
    mutating func setLastPendingStatus(_ index: Int?) {
        guard !pendingWrites.isEmpty else { return }
        pendingWrites[pendingWrites.count - 1].statusIndex = index
    }

    /// The batch, which is emptied.
    mutating func takePending() -> [PendingWrite] {
        defer { (pendingWrites, pendingLUIDs) = ([], []) }
        return pendingWrites
    }

    /// The item at `position` had its turn: its prepared record goes (what the batch
    /// keeps of it, the payload and keys, is in `pendingWrites`), so that a Sync's
    /// parsed records and canonical forms do not all live until its end.
    mutating func handled(_ position: Int) {
        prepared[position] = nil
    }

    /// A Sync is done: nothing of it is kept.
    mutating func endSync() {
        (prepared, preparedPositions, resolved, nextPosition) = ([:], [], [:], 0)
    }
}

/// An incoming item parsed before its turn, so that its store lookups can be batched.
struct PreparedItem {
    var record: ReceivedRecord
    var luid: String?
    var named: String?
}

/// A client change decided and answered, waiting for its batch's transaction.
struct PendingWrite {
    var change: ItemChange
    /// Where its status sits in the reply (nil with NoResp).
    var statusIndex: Int?
}
