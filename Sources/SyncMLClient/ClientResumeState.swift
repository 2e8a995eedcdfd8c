import Foundation
import SyncMLCodec
import SyncMLRecords
import SyncMLProtocol
import SyncMLStore

/// What the client keeps of a suspended or interrupted sync so the next one
/// can resume it (OMA DS 1.2 Alert 225) without resending what the server
/// confirmed. Saved as the resume state of the client's store session (JSON).
///
/// What the server sent is already applied to the host and journaled; kept
/// here is what the session knew beyond that: the mode and anchors, which of
/// the client's changes the server confirmed, the maps the server has not
/// confirmed yet (GUID → host id: an Add the server repeats is the record the
/// host already has, not a new one), and the ids a refresh from the server touched.
struct ClientResumeState: Codable {
    struct Datastore: Codable {
        var name: String
        var mode: String
        var last: String?
        var next: String?
        var serverLast: String?
        var serverNext: String?
        /// Host id → fingerprint of the version the server confirmed (nil for a delete).
        var confirmed: [String: Fingerprint?]
        /// Server GUID → host id, not yet confirmed by the server.
        var pendingMaps: [String: String]
        /// Server GUID → host id of every record the server sent (nil in states saved before it was kept).
        var knownMaps: [String: String]? = nil
        var touched: [String]
    }

    var datastores: [Datastore]

    init(_ stores: [ClientDatastoreState]) {
        datastores = stores.filter { $0.refused == nil }.map { store in
            Datastore(name: store.datastore.name, mode: store.performed.rawValue, last: store.anchor.last, next: store.anchor.next,
                      serverLast: store.serverAnchor?.last, serverNext: store.serverAnchor?.next, confirmed: store.confirmed,
                      pendingMaps: store.pendingMaps, knownMaps: store.mapped, touched: Array(store.touched))
        }
    }

    /// A completed sync whose Map the server did not take: only the maps, for the next sync to send (no resume offered).
    init(leftoverMapsOf stores: [ClientDatastoreState]) {
        datastores = stores.map { store in
            Datastore(name: store.datastore.name, mode: "", last: store.anchor.next, next: nil, serverLast: nil, serverNext: nil,
                      confirmed: [:], pendingMaps: store.pendingMaps, knownMaps: nil, touched: [])
        }
    }

    /// Only maps are kept (see `init(leftoverMapsOf:)`).
    var isLeftoverMaps: Bool { datastores.allSatisfy { SyncMode(rawValue: $0.mode) == nil } }

    func encoded() -> [UInt8] { (try? Array(JSONEncoder().encode(self))) ?? [] }

    static func decode(_ bytes: [UInt8]) -> ClientResumeState? { try? JSONDecoder().decode(Self.self, from: Data(bytes)) }

    func datastore(_ name: String) -> Datastore? { datastores.first { $0.name == name } }
}
