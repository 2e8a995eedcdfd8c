import SyncMLCodec
import SyncMLRecords
import SyncMLProtocol
import SyncMLStore

/// One datastore during one client session.
final class ClientDatastoreState {
    let datastore: ClientDatastore
    let mirror: DatastoreID
    /// The client's anchors for this sync, and the server's from its Alert.
    var anchors: SyncAnchors
    /// Set when the server refused the datastore (404, 406…): nothing more is done with it.
    var refused: StatusCode?
    /// What the sync did, with the mode asked for and the mode granted (kept there only).
    var report: SyncReport.Datastore
    var requested: SyncMode { report.requested }
    var performed: SyncMode { report.performed }

    // Outgoing.
    /// The client's changes to send, and how far sending got.
    var outgoing = OutgoingQueue<OutgoingChange>()
    /// A slow sync's changes are every live record, read a page at a time: where the pages are.
    var pages: LivePages?
    var serverRejected = 0
    /// The journal sequence of the first delete the mass-delete guard held: not acknowledged, so sent later.
    var heldFrom: Int64?
    /// Host id → fingerprint of each record the server and the client agree on
    /// in this session (the server confirmed the client's change, or sent it;
    /// nil: deleted): a resumed session does not send these again.
    var confirmed: [String: Fingerprint?] = [:]

    // Resume.
    /// The suspended session's state of this datastore: the client asks to resume it (Alert 225).
    var saved: ResumedDatastore<ClientResumeFields>?
    /// The server granted the resume.
    var resumed = false

    // Incoming.
    /// A large object being received from the server (OMA DS 1.2 §6.2.4).
    var incoming = LargeObjectAssembler()
    /// The server's GUIDs paired with the host's ids, sent as Maps.
    var maps = ServerMaps()
    /// Host ids the server sent or confirmed in this session (refresh-from-server deletes the rest).
    var touched: Set<String> = []
    /// The mirror's last journal sequence when the modes were granted: the host's records
    /// then are what the server's deletes are weighed against (`SyncClient.liveAtStart`).
    var startSequence: Int64 = 0
    /// Those records' number, once a guard needed it.
    var liveAtStart: Int?
    /// The server's deletes of host records, applied (or held) once all its changes are in.
    var deferredDeletes: [DeferredDelete] = []

    init(datastore: ClientDatastore, mirror: DatastoreID, requested: SyncMode, anchor: Anchor) {
        self.datastore = datastore
        self.mirror = mirror
        self.anchors = SyncAnchors(client: anchor)
        report = SyncReport.Datastore(name: datastore.name, requested: requested, performed: requested)
    }

    var localURI: String { "./" + datastore.name }
}

/// The pairs of server GUID and host id one datastore's session made or
/// inherited, and which of them the server still has to confirm with a Map.
struct ServerMaps {
    /// Server GUID → host id of each server Add applied, until the server confirms the Map.
    var pending: [String: String] = [:]
    /// Server GUID → host id of every record the server sent in this session, or
    /// in the unfinished one it continues, confirmed or not: an Add the server
    /// repeats (its status was lost) finds its record here instead of adding it twice.
    var known: [String: String] = [:]
    /// The server answered this session's last Map with success.
    var confirmed = false

    /// The server's record `guid` is the host's `id`.
    mutating func pair(_ guid: String, _ id: String) {
        pending[guid] = id
        known[guid] = id
    }

    /// The server confirmed the Map that carried `sent`: those pairs are no
    /// longer pending, unless one was replaced since it went.
    mutating func confirm(_ sent: [String: String]) {
        for (guid, id) in sent where pending[guid] == id { pending[guid] = nil }
    }

    /// The pending pairs as Map items, in GUID order.
    var items: [MapItem] {
        pending.sorted { $0.key < $1.key }.map { MapItem(target: Location($0.key), source: Location($0.value)) }
    }
}

/// A server Delete waiting for the mass-delete guard's decision, with what its status needs.
struct DeferredDelete {
    var id: String
    var msgRef: String
    var cmdRef: String
    var noResp: Bool
    var sourceRefs: [String]
}

/// A slow sync's outgoing changes read from the mirror a page at a time (in
/// GUID order), so the client holds one page of ids, not the whole book.
struct LivePages {
    /// Every change goes as an Add (the server has never seen this client), else as a Replace.
    var firstTime: Bool
    /// The live records when the slow sync began: its NumberOfChanges.
    var total: Int
    /// The last GUID of the pages read so far.
    var after: String?
}
