import Foundation
import SyncMLCodec

/// What a role keeps of a suspended or interrupted session so that the next
/// one can resume it (OMA DS 1.2 Alert 225), saved as the resume state of its
/// store session: per datastore, the `ResumePoint` both roles share and the
/// role's own bookkeeping (`Role`), side by side in one flat JSON object:
/// `{"datastores": [{"name": …, "mode": …, "clientLast": …, <Role's keys>}]}`.
package struct ResumeState<Role: Codable>: Codable {
    package var datastores: [ResumedDatastore<Role>]

    package init(datastores: [ResumedDatastore<Role>]) {
        self.datastores = datastores
    }

    /// The JSON saved in the store session.
    package func encoded() -> [UInt8] { (try? Array(JSONEncoder().encode(self))) ?? [] }

    /// The state saved as `bytes`; nil when it cannot be read (the session is then not resumed).
    package static func decode(_ bytes: [UInt8]) -> Self? { try? JSONDecoder().decode(Self.self, from: Data(bytes)) }

    /// The datastore `name` as the session left it.
    package func datastore(_ name: String) -> ResumedDatastore<Role>? { datastores.first { $0.point.name == name } }
}

/// One datastore of a `ResumeState`: the shared point and the role's own fields.
package struct ResumedDatastore<Role: Codable>: Codable {
    package var point: ResumePoint
    package var role: Role

    package init(_ point: ResumePoint, _ role: Role) {
        self.point = point
        self.role = role
    }

    // Flat: the point's keys and the role's in the same object, as each role wrote them before they were shared.
    package init(from decoder: any Decoder) throws {
        point = try ResumePoint(from: decoder)
        role = try Role(from: decoder)
    }

    package func encode(to encoder: any Encoder) throws {
        try point.encode(to: encoder)
        try role.encode(to: encoder)
    }
}

/// Where one datastore's sync stood when its session stopped, as both roles
/// see it: the datastore, the mode granted, and both sides' anchors.
package struct ResumePoint: Sendable, Hashable {
    package var name: String
    /// The mode granted; nil when the state holds nothing to resume (a
    /// client's leftover maps of a completed sync).
    package var mode: SyncMode?
    package var anchors: SyncAnchors

    package init(name: String, mode: SyncMode?, anchors: SyncAnchors) {
        self.name = name
        self.mode = mode
        self.anchors = anchors
    }
}

extension ResumePoint: Codable {
    /// The keys the server has written; `last`/`next` are the client's anchors as the client wrote them before.
    private enum Keys: String, CodingKey {
        case name, mode, clientLast, clientNext, serverLast, serverNext, last, next
    }

    package init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: Keys.self)
        name = try keys.decode(String.self, forKey: .name)
        mode = SyncMode(rawValue: try keys.decode(String.self, forKey: .mode))
        anchors = SyncAnchors(
            client: Anchor(last: try keys.decodeIfPresent(String.self, forKey: .clientLast) ?? keys.decodeIfPresent(String.self, forKey: .last),
                           next: try keys.decodeIfPresent(String.self, forKey: .clientNext) ?? keys.decodeIfPresent(String.self, forKey: .next)),
            server: Anchor(last: try keys.decodeIfPresent(String.self, forKey: .serverLast),
                           next: try keys.decodeIfPresent(String.self, forKey: .serverNext)))
    }

    package func encode(to encoder: any Encoder) throws {
        var keys = encoder.container(keyedBy: Keys.self)
        try keys.encode(name, forKey: .name)
        try keys.encode(mode?.rawValue ?? "", forKey: .mode)
        try keys.encodeIfPresent(anchors.client.last, forKey: .clientLast)
        try keys.encodeIfPresent(anchors.client.next, forKey: .clientNext)
        try keys.encodeIfPresent(anchors.server.last, forKey: .serverLast)
        try keys.encodeIfPresent(anchors.server.next, forKey: .serverNext)
    }
}
