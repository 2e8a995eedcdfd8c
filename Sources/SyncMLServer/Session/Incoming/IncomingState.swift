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
}

/// A client change decided and answered, waiting for its batch's transaction.
struct PendingWrite {
    var change: ItemChange
    /// Where its status sits in the reply (nil with NoResp).
    var statusIndex: Int?
}
