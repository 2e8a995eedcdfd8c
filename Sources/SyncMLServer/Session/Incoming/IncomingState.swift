import SyncMLProtocol
import SyncMLStore

/// The incoming room's session-wide state: client changes decided and
/// answered but not yet written. They go to the store in one transaction per
/// Sync command; a failed batch turns their statuses to 500.
struct IncomingState {
    var pendingWrites: [PendingWrite] = []
    /// The datastore the pending writes belong to.
    var pendingDatastore: DatastoreState?
    /// Positions of statuses whose batched write failed, to be set to 500.
    var failedStatuses: [Int] = []
    /// The current Sync's Add and Replace records parsed ahead, by item position:
    /// what the store is asked about in one call for the whole message.
    var prepared: [Int: PreparedItem] = [:]
    /// The position in the current Sync of the next item received.
    var nextPosition = 0
    /// What the store said of prepared items, by item position; emptied whenever
    /// the session writes to the store (an answer read before may be stale).
    var resolved: [Int: Resolution] = [:]
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
