import SyncMLCodec
import SyncMLRecords
import SyncMLProtocol
import SyncMLStore

/// What one session knows about one datastore it syncs: the mode granted,
/// the anchors, the client's incoming large object, and the server's outgoing
/// queue (those two are the protocol layer's, shared with the client role).
final class DatastoreState {
    /// The server's datastore ("contacts").
    let name: String
    let id: DatastoreID
    /// The client's own URI (`./addressbook`): the Target of what the server sends.
    let clientURI: String
    /// The URI the client addressed the server's datastore by (`addressbook`).
    let serverURI: String
    var mode: SyncMode
    /// The client's anchors from its Alert, and the server's for this sync.
    var anchors: SyncAnchors
    let conflictPolicy: ConflictPolicy

    // Incoming.
    /// The type of the client's last item: the format to answer in when its DevInf says nothing.
    var clientItemType: String?
    /// A large object being received (OMA DS 1.2 §6.2.4).
    var largeObject = LargeObjectAssembler()
    /// Server GUID → fingerprint of the version the client holds after this
    /// session's changes: what need not be sent back. Empty while the session owns the datastore.
    var clientHas: [String: Fingerprint] = [:]
    /// GUIDs paired with a client item in this session (each pairs once); ask `isClaimed`.
    /// Empty while the session owns the datastore.
    var claimed: Set<String> = []
    var received = ChangeCounts()
    /// LUIDs of client changes the store failed to take: the client still holds
    /// them as changes, so the server's versions must not overwrite them now.
    var unsettled: Set<String> = []
    /// Live items when the session began (what a mass delete is measured against):
    /// counted only when the client's package deleted at least the guard's minimum.
    var liveAtStart = 0
    /// The client's deletes the mass-delete guard held (restored, sent back).
    var heldDeletes = 0
    /// The client asked for its deletes to go through the guard (Meta EMI `syncml:force-deletes` in its Alert).
    var forceDeletes = false
    /// A slow or refresh sync into a datastore that held no live item when it began,
    /// and that nobody else wrote to since: no client item can pair by match key
    /// (every item the session adds is claimed), so keys are not looked up and its
    /// new items' keys are indexed once, when the client's package is complete
    /// (`SyncStore.apply(deferringNewKeys:)`, `indexPendingKeys`).
    /// Never without `ownership`.
    var defersKeys = false
    /// Set while the session is the datastore's only writer since a start with no live
    /// item: then `clientHas` and `claimed` stay empty, and are rebuilt when it ends (`disown`).
    var ownership: DatastoreOwnership?

    // Outgoing.
    /// The server's changes to send, and how far sending got.
    var outgoing = OutgoingQueue<OutgoingChange>()
    /// Journal sequence to acknowledge once the client confirmed everything.
    var acknowledgeThrough: Int64?
    var sent = ChangeCounts()
    /// Statuses other than success from the client for what the server sent.
    var failures = 0
    /// Set when the datastore failed (store error): its anchors are not saved.
    var failed = false
    /// The journal sequence the device had acknowledged when the session began.
    var acknowledged: Int64 = 0
    /// GUID → journal sequence of each server change the client confirmed in
    /// this session (or the suspended one it resumes): not sent again on resume.
    var confirmed: [String: Int64] = [:]
    /// Continues a suspended session (Alert 225 accepted).
    var resumed = false

    // Shared sessions (`ServerConfiguration.sharesSessions`): what the next save writes as rows.
    /// GUIDs whose `clientHas`, `claimed` or `confirmed` changed since the session
    /// was last saved; nil until its rows are first written (that save writes every
    /// GUID), and always on a server that shares nothing, which tracks nothing.
    var changedItems: Set<String>?
    /// The outgoing queue is in the store's rows (`live_session_queue`), not in the saved value.
    var queueInRows = false

    /// The client holds `guid` at `fingerprint` (nil: it holds no version the session knows of).
    /// Not recorded while the session owns the datastore: the client holds every live item.
    func holds(_ guid: String, at fingerprint: Fingerprint?) {
        guard ownership == nil else { return }
        clientHas[guid] = fingerprint
        changedItems?.insert(guid)
    }

    /// `guid` is paired with a client item in this session. Not recorded while
    /// the session owns the datastore: every live item is.
    func claim(_ guid: String) {
        guard ownership == nil else { return }
        claimed.insert(guid)
        changedItems?.insert(guid)
    }

    /// Whether the live item `guid` is paired with a client item in this session.
    func isClaimed(_ guid: String) -> Bool {
        ownership != nil || claimed.contains(guid)
    }

    /// The session wrote `rows` journal rows to the datastore (what `checkAlone` expects to find).
    func wrote(_ rows: Int) {
        ownership?.written += rows
    }

    /// The session no longer owns the datastore: `written` (GUID and fingerprint of each
    /// client version the session wrote, in journal order) recorded as it would have been
    /// all along, and marked for the next save of a shared session's rows.
    func disown(written: [WrittenItem]) {
        (ownership, defersKeys) = (nil, false)
        for item in written {
            holds(item.guid, at: item.fingerprint)
            claim(item.guid)
        }
    }

    /// The client confirmed the server's change `sequence` of `guid`.
    func confirm(_ guid: String, sequence: Int64) {
        confirmed[guid] = sequence
        changedItems?.insert(guid)
    }

    init(name: String, id: DatastoreID, clientURI: String, serverURI: String, mode: SyncMode,
         anchors: SyncAnchors, conflictPolicy: ConflictPolicy) {
        self.name = name
        self.id = id
        self.clientURI = clientURI
        self.serverURI = serverURI
        self.mode = mode
        self.anchors = anchors
        self.conflictPolicy = conflictPolicy
    }
}

/// Counts for the session log and report.
struct ChangeCounts: CustomStringConvertible, Codable {
    var added = 0
    var replaced = 0
    var deleted = 0
    /// Client items paired with an item the server already held (slow sync, echoes).
    var matched = 0
    var conflicts = 0
    var rejected = 0

    var description: String {
        "added=\(added) replaced=\(replaced) deleted=\(deleted) matched=\(matched) conflicts=\(conflicts) rejected=\(rejected)"
    }
}
