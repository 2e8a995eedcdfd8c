import SyncMLCodec
import SyncMLRecords
import SyncMLProtocol
import SyncMLStore

/// What the client keeps of a suspended or interrupted sync so the next one
/// can resume it (OMA DS 1.2 Alert 225) without resending what the server
/// confirmed. Saved as the resume state of the client's store session (JSON,
/// see `ResumeState`).
///
/// What the server sent is already applied to the host and journaled; kept
/// here is what the session knew beyond that: the mode and anchors (the
/// `ResumePoint`), which of the client's changes the server confirmed, the
/// maps the server has not confirmed yet (GUID → host id: an Add the server
/// repeats is the record the host already has, not a new one), and the ids a
/// refresh from the server touched.
typealias ClientResumeState = ResumeState<ClientResumeFields>

/// The client's own part of a datastore's resume state.
struct ClientResumeFields: Codable {
    /// Host id → fingerprint of the version the server confirmed (nil for a delete).
    var confirmed: [String: Fingerprint?]
    /// Server GUID → host id, not yet confirmed by the server.
    var pendingMaps: [String: String]
    /// Server GUID → host id of every record the server sent (nil in states saved before it was kept).
    var knownMaps: [String: String]? = nil
    var touched: [String]
}

extension ResumeState<ClientResumeFields> {
    init(_ stores: [ClientDatastoreState]) {
        self.init(datastores: stores.filter { $0.refused == nil }.map { store in
            ResumedDatastore(ResumePoint(name: store.datastore.name, mode: store.performed, anchors: store.anchors),
                             ClientResumeFields(confirmed: store.confirmed, pendingMaps: store.maps.pending, knownMaps: store.maps.known,
                                                touched: Array(store.touched)))
        })
    }

    /// A completed sync whose Map the server did not take: only the maps, for the next sync to send (no resume offered).
    init(leftoverMapsOf stores: [ClientDatastoreState]) {
        self.init(datastores: stores.map { store in
            ResumedDatastore(ResumePoint(name: store.datastore.name, mode: nil, anchors: SyncAnchors(client: Anchor(last: store.anchors.client.next))),
                             ClientResumeFields(confirmed: [:], pendingMaps: store.maps.pending, knownMaps: nil, touched: []))
        })
    }

    /// Only maps are kept (see `init(leftoverMapsOf:)`).
    var isLeftoverMaps: Bool { datastores.allSatisfy { $0.point.mode == nil } }
}
