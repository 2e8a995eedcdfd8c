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
