public import SyncMLCodec

/// The six sync modes of OMA DS 1.2 (§4.2–4.6), as the client requests them in
/// its Alert and as the server grants them.
public enum SyncMode: String, Sendable, CaseIterable, Hashable, CustomStringConvertible {
    /// Both sides send the changes since their last sync (alert 200).
    case twoWay = "two-way"
    /// Both sides send every record and match them; after a lost anchor or a first sync (alert 201).
    case slow
    /// Only the client sends its changes (alert 202).
    case oneWayFromClient = "one-way-from-client"
    /// The client sends everything and the server's datastore becomes a copy of it (alert 203).
    case refreshFromClient = "refresh-from-client"
    /// Only the server sends its changes (alert 204).
    case oneWayFromServer = "one-way-from-server"
    /// The server sends everything and the client's datastore becomes a copy of it (alert 205).
    case refreshFromServer = "refresh-from-server"

    /// The mode an Alert code asks for; the server-alerted codes 206–210 map to
    /// their client-initiated equivalents.
    public init?(alert code: AlertCode) {
        switch code.rawValue {
        case 200, 206: self = .twoWay
        case 201: self = .slow
        case 202, 207: self = .oneWayFromClient
        case 203, 208: self = .refreshFromClient
        case 204, 209: self = .oneWayFromServer
        case 205, 210: self = .refreshFromServer
        default: return nil
        }
    }

    /// The client-initiated Alert code that requests this mode (200–205).
    public var alertCode: AlertCode {
        switch self {
        case .twoWay: .twoWay
        case .slow: .slow
        case .oneWayFromClient: .oneWayFromClient
        case .refreshFromClient: .refreshFromClient
        case .oneWayFromServer: .oneWayFromServer
        case .refreshFromServer: .refreshFromServer
        }
    }

    /// Whether the client's changes are applied to the server.
    package var acceptsClientChanges: Bool { self != .oneWayFromServer && self != .refreshFromServer }
    /// Whether the server sends its changes to the client.
    package var sendsServerChanges: Bool { self != .oneWayFromClient && self != .refreshFromClient }
    /// Whether the exchange starts from nothing known about the client's items
    /// (its maps and acknowledged sequence are forgotten first).
    package var isFull: Bool { self == .slow || self == .refreshFromClient || self == .refreshFromServer }
    /// Whether the mode continues from the last sync's anchors.
    package var needsAnchors: Bool { self == .twoWay || self == .oneWayFromClient || self == .oneWayFromServer }

    public var description: String { rawValue }
}
