import SyncMLCodec
import SyncMLRecords
import SyncMLProtocol
import SyncMLStore

/// One datastore during one client session.
final class ClientDatastoreState {
    let datastore: ClientDatastore
    let mirror: DatastoreID
    let requested: SyncMode
    var performed: SyncMode
    var anchor: Anchor
    /// The server's anchors from its Alert.
    var serverAnchor: Anchor?
    /// Set when the server refused the datastore (404, 406…): nothing more is done with it.
    var refused: StatusCode?
    var report: SyncReport.Datastore

    // Outgoing.
    var outgoing: [OutgoingChange] = []
    var nextOutgoing = 0
    var partial: (change: OutgoingChange, data: [UInt8], offset: Int)?
    var syncSent = false
    var serverRejected = 0
    /// The journal sequence of the first delete the mass-delete guard held: not acknowledged, so sent later.
    var heldFrom: Int64?
    /// Host id → fingerprint of each record the server and the client agree on
    /// in this session (the server confirmed the client's change, or sent it;
    /// nil: deleted): a resumed session does not send these again.
    var confirmed: [String: Fingerprint?] = [:]

    // Resume.
    /// The suspended session's state of this datastore: the client asks to resume it (Alert 225).
    var saved: ClientResumeState.Datastore?
    /// The server granted the resume.
    var resumed = false

    // Incoming.
    var chunk: (guid: String, target: String?, name: String, type: String, declared: Int?, bytes: [UInt8])?
    /// Server GUID → host id of each server Add applied, until the server confirms the Map.
    var pendingMaps: [String: String] = [:]
    /// Server GUID → host id of every record the server sent in this session, or
    /// in the unfinished one it continues, confirmed or not: an Add the server
    /// repeats (its status was lost) finds its record here instead of adding it twice.
    var mapped: [String: String] = [:]
    /// The server answered this session's Map with success.
    var mapsConfirmed = false
    /// Host ids the server sent or confirmed in this session (refresh-from-server deletes the rest).
    var touched: Set<String> = []
    /// The host's records when the modes were granted: what the server's deletes are weighed against.
    var liveAtStart = 0
    /// The server's deletes of host records, applied (or held) once all its changes are in.
    var deferredDeletes: [DeferredDelete] = []

    init(datastore: ClientDatastore, mirror: DatastoreID, requested: SyncMode, anchor: Anchor) {
        self.datastore = datastore
        self.mirror = mirror
        self.requested = requested
        self.performed = requested
        self.anchor = anchor
        report = SyncReport.Datastore(name: datastore.name, requested: requested, performed: requested)
    }

    var hasMoreToSend: Bool { partial != nil || nextOutgoing < outgoing.count }
    var localURI: String { "./" + datastore.name }
}

/// A server Delete waiting for the mass-delete guard's decision, with what its status needs.
struct DeferredDelete {
    var id: String
    var msgRef: String
    var cmdRef: String
    var noResp: Bool
    var sourceRefs: [String]
}
