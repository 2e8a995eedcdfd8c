/// A datastore the session is the only writer of: a slow or refresh-from-client
/// sync into a datastore that held no live item at its Alert, as long as no one
/// else writes to it (`ServerSession.checkAlone`). Every live item is then one
/// the session wrote for the client: paired in this session, and held by the
/// client at its current version. So the session records neither per GUID
/// (`DatastoreState.clientHas`, `claimed`: some 100 MB at a million contacts),
/// and its selection has nothing to send and nothing to delete.
struct DatastoreOwnership: Codable, Equatable {
    /// The datastore's last journal sequence at the Alert: what the session
    /// wrote is its device's journal rows after it (`SyncStore.itemsWritten`).
    var since: Int64
    /// The datastore's last journal sequence when the session last looked.
    var seen: Int64
    /// Journal rows the session wrote since `seen`: more rows than these are another writer's.
    var written = 0

    init(since: Int64) {
        (self.since, self.seen) = (since, since)
    }
}
