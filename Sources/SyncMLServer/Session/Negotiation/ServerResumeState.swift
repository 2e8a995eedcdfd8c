import SyncMLCodec
import SyncMLRecords
import SyncMLProtocol
import SyncMLStore

/// What the server keeps of a suspended or interrupted session so the device
/// can resume it (OMA DS 1.2 Alert 225) without either side resending what
/// the other confirmed. Saved as the store session's resume state (JSON, see
/// `ResumeState`).
///
/// What the client sent is already applied and journaled; what is kept here
/// is what the session knew beyond the store: the mode and anchors granted
/// (the `ResumePoint`), which items the client holds after its own changes
/// (`clientHas`, so they are not sent back), which it paired (`claimed`), and
/// which of the server's changes it confirmed (`confirmed`, GUID → journal sequence sent).
/// A datastore the session owns keeps its ownership instead of the first two,
/// so the resumed session still finds out when another writer came in between
/// (`ServerSession.checkAlone`) and rebuilds them then.
typealias ServerResumeState = ResumeState<ServerResumeFields>

/// The server's own part of a datastore's resume state.
struct ServerResumeFields: Codable {
    var clientURI: String
    var serverURI: String
    var acknowledged: Int64
    var clientItemType: String?
    /// GUID → fingerprint of the version the client holds. Absent while the session owns the
    /// datastore: a build that does not know `ownership` then cannot read the state and does
    /// not resume it (it would take the client for holding nothing and send it everything).
    var clientHas: [String: Fingerprint]?
    var claimed: [String]?
    /// The session owned the datastore (absent in states saved before it could).
    var ownership: DatastoreOwnership?
    /// GUID → journal sequence of the server change the client confirmed.
    var confirmed: [String: Int64]
}

extension ResumeState<ServerResumeFields> {
    init(_ states: [DatastoreState]) {
        self.init(datastores: states.map { state in
            ResumedDatastore(ResumePoint(name: state.name, mode: state.mode, anchors: state.anchors),
                             ServerResumeFields(clientURI: state.clientURI, serverURI: state.serverURI, acknowledged: state.acknowledged,
                                                clientItemType: state.clientItemType,
                                                clientHas: state.ownership == nil ? state.clientHas : nil,
                                                claimed: state.ownership == nil ? Array(state.claimed) : nil,
                                                ownership: state.ownership, confirmed: state.confirmed))
        })
    }

    /// The datastore `name` as the session left it, ready to continue.
    func restore(_ name: String, id: DatastoreID, conflictPolicy: ConflictPolicy) -> DatastoreState? {
        guard let saved = datastore(name), let mode = saved.point.mode else { return nil }
        let fields = saved.role
        let state = DatastoreState(name: name, id: id, clientURI: fields.clientURI, serverURI: fields.serverURI, mode: mode,
                                   anchors: saved.point.anchors, conflictPolicy: conflictPolicy)
        state.acknowledged = fields.acknowledged
        state.clientItemType = fields.clientItemType
        state.clientHas = fields.clientHas ?? [:]
        state.claimed = Set(fields.claimed ?? [])
        state.ownership = fields.ownership
        state.confirmed = fields.confirmed
        state.resumed = true
        return state
    }
}
