import Foundation
import SyncMLCodec

/// What the message loop keeps between a client's messages: the values its
/// header set (version, URIs, the sizes it accepts), the encoding it speaks,
/// and the numbering that lets a repeated message get the same answer again.
struct Conversation {
    var version: SyncMLVersion = .v1_2
    var respURI = ""
    /// The URI the client addressed the server by (our Source).
    var serverURI = ""
    var locName: String?
    var clientMaxMessageSize = 65_536
    var clientMaxObjectSize: Int?
    /// The encoding of the client's messages, and so of the answers (what MaxMsgSize is measured in).
    var encoding = SyncMLEncoding.wbxml
    /// The MsgID of the server's last message.
    private(set) var outgoingMsgID = 0
    var lastClientMsgID: String?
    var lastReply: [UInt8]?

    /// Takes what a client message's header says; the first one also fixes the RespURI
    /// (`url` without its query, plus the session's secret `token`). Numbers the answer.
    mutating func take(_ header: SyncHeader, url: String, token: String) {
        version = header.version
        if serverURI.isEmpty {
            serverURI = header.target.locURI
            let base = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
            respURI = base + "?sessionid=" + token
        }
        if let name = header.source.locName { locName = name }
        if let size = header.meta?.maxMsgSize { clientMaxMessageSize = size }
        if let size = header.meta?.maxObjSize { clientMaxObjectSize = size }
        outgoingMsgID += 1
    }

    /// The header of the answer to the message just taken: the server's own limits in its Meta.
    func replyHeader(to deviceURI: String, sessionID: String, configuration: ServerConfiguration) -> SyncHeader {
        SyncHeader(version: version, sessionID: sessionID, msgID: String(outgoingMsgID),
                   target: Location(deviceURI, name: locName), source: Location(serverURI), respURI: respURI,
                   meta: Meta(maxMsgSize: configuration.maxMessageSize,
                              maxObjSize: version >= .v1_1 ? configuration.maxObjectSize : nil))
    }

    /// The header of the answer to an out-of-order message (nothing taken from it, no Meta).
    func staleReplyHeader(to deviceURI: String, sessionID: String) -> SyncHeader {
        SyncHeader(version: version, sessionID: sessionID, msgID: String(outgoingMsgID), target: Location(deviceURI, name: locName),
                   source: Location(serverURI), respURI: respURI)
    }
}

extension Conversation: Codable {
    private enum Keys: String, CodingKey {
        case version, respURI, serverURI, locName, clientMaxMessageSize, clientMaxObjectSize, encoding, outgoingMsgID, lastClientMsgID, lastReply
    }

    init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: Keys.self)
        let version = try keys.decode(String.self, forKey: .version), encoding = try keys.decode(String.self, forKey: .encoding)
        guard let known = SyncMLVersion(rawValue: version), let encoded = SyncMLEncoding(rawValue: encoding) else {
            throw DecodingError.dataCorruptedError(forKey: .version, in: keys, debugDescription: "unknown version \(version) or encoding \(encoding)")
        }
        (self.version, self.encoding) = (known, encoded)
        respURI = try keys.decode(String.self, forKey: .respURI)
        serverURI = try keys.decode(String.self, forKey: .serverURI)
        locName = try keys.decodeIfPresent(String.self, forKey: .locName)
        clientMaxMessageSize = try keys.decode(Int.self, forKey: .clientMaxMessageSize)
        clientMaxObjectSize = try keys.decodeIfPresent(Int.self, forKey: .clientMaxObjectSize)
        outgoingMsgID = try keys.decode(Int.self, forKey: .outgoingMsgID)
        lastClientMsgID = try keys.decodeIfPresent(String.self, forKey: .lastClientMsgID)
        lastReply = try keys.decodeIfPresent(Data.self, forKey: .lastReply).map { [UInt8]($0) }
    }

    func encode(to encoder: any Encoder) throws {
        var keys = encoder.container(keyedBy: Keys.self)
        try keys.encode(version.rawValue, forKey: .version)
        try keys.encode(respURI, forKey: .respURI)
        try keys.encode(serverURI, forKey: .serverURI)
        try keys.encodeIfPresent(locName, forKey: .locName)
        try keys.encode(clientMaxMessageSize, forKey: .clientMaxMessageSize)
        try keys.encodeIfPresent(clientMaxObjectSize, forKey: .clientMaxObjectSize)
        try keys.encode(encoding.rawValue, forKey: .encoding)
        try keys.encode(outgoingMsgID, forKey: .outgoingMsgID)
        try keys.encodeIfPresent(lastClientMsgID, forKey: .lastClientMsgID)
        try keys.encodeIfPresent(lastReply.map { Data($0) }, forKey: .lastReply)
    }
}
