import SyncMLProtocol

/// The outgoing room's session-wide state (each datastore's queue of changes
/// is its `DatastoreState.outgoing`): the item commands awaiting the client's
/// status, and how many messages in a row went out without room for a change.
struct OutgoingState {
    /// Messages in a row that may go out without a change in them before the server gives up.
    static let maxStalls = 4

    /// The item commands the server sent, until the client's status for each.
    var sentItems = AwaitedStatuses<SentItem>()
    /// Server messages in a row that carried no change for lack of room (see `fillChanges`).
    var stalls = NoRoomStreak(limit: OutgoingState.maxStalls)
}

/// A server item command awaiting the client's status.
struct SentItem {
    var datastore: DatastoreState
    var guid: String
    /// The journal sequence of the version sent.
    var sequence: Int64
}
