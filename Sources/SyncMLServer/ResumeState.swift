import Foundation
import SyncMLCodec
import SyncMLRecords
import SyncMLProtocol
import SyncMLStore

/// What the server keeps of a suspended or interrupted session so the device
/// can resume it (OMA DS 1.2 Alert 225) without either side resending what
/// the other confirmed. Saved as the store session's resume state (JSON).
///
/// What the client sent is already applied and journaled; what is kept here
/// is what the session knew beyond the store: the mode and anchors granted,
/// which items the client holds after its own changes (`clientHas`, so they
/// are not sent back), which it paired (`claimed`), and which of the server's
/// changes it confirmed (`confirmed`, GUID → journal sequence sent).
struct ServerResumeState: Codable {
    struct Datastore: Codable {
        var name: String
        var clientURI: String
        var serverURI: String
        var mode: String
        var clientLast: String?
        var clientNext: String?
        var serverLast: String?
        var serverNext: String?
        var acknowledged: Int64
        var clientItemType: String?
        /// GUID → fingerprint of the version the client holds.
        var clientHas: [String: Fingerprint]
        var claimed: [String]
        /// GUID → journal sequence of the server change the client confirmed.
        var confirmed: [String: Int64]
    }

    var datastores: [Datastore]

    init(_ states: [DatastoreState]) {
        datastores = states.map { state in
            Datastore(name: state.name, clientURI: state.clientURI, serverURI: state.serverURI, mode: state.mode.rawValue,
                      clientLast: state.clientAnchor.last, clientNext: state.clientAnchor.next,
                      serverLast: state.serverAnchor.last, serverNext: state.serverAnchor.next, acknowledged: state.acknowledged,
                      clientItemType: state.clientItemType, clientHas: state.clientHas,
                      claimed: Array(state.claimed), confirmed: state.confirmed)
        }
    }

    func encoded() -> [UInt8] { (try? Array(JSONEncoder().encode(self))) ?? [] }

    static func decode(_ bytes: [UInt8]) -> ServerResumeState? { try? JSONDecoder().decode(Self.self, from: Data(bytes)) }

    /// The datastore `name` as the session left it, ready to continue.
    func restore(_ name: String, id: DatastoreID, conflictPolicy: ConflictPolicy) -> DatastoreState? {
        guard let saved = datastores.first(where: { $0.name == name }), let mode = SyncMode(rawValue: saved.mode) else { return nil }
        let state = DatastoreState(name: name, id: id, clientURI: saved.clientURI, serverURI: saved.serverURI, mode: mode,
                                   clientAnchor: Anchor(last: saved.clientLast, next: saved.clientNext),
                                   serverAnchor: Anchor(last: saved.serverLast, next: saved.serverNext), conflictPolicy: conflictPolicy)
        state.acknowledged = saved.acknowledged
        state.clientItemType = saved.clientItemType
        state.clientHas = saved.clientHas
        state.claimed = Set(saved.claimed)
        state.confirmed = saved.confirmed
        state.resumed = true
        return state
    }
}
