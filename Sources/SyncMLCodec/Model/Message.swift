/// One SyncML message: a header, body commands and the Final flag
/// (OMA-TS-SyncML_RepPro §5.1).
public struct SyncMLMessage: Hashable, Sendable {
    /// The `SyncHdr`.
    public var header: SyncHeader
    /// The body's commands in order, containers with their commands.
    public var commands: [Command]
    /// `<Final/>`: this message ends its package.
    public var isFinal: Bool

    /// A message; `isFinal` defaults to true, as most messages end their package.
    public init(header: SyncHeader, commands: [Command] = [], isFinal: Bool = true) {
        self.header = header
        self.commands = commands
        self.isFinal = isFinal
    }

    /// The SyncML version from the header's VerDTD (1.2 when unknown).
    public var version: SyncMLVersion { header.version }
}

/// `SyncHdr` (RepPro §5.2).
public struct SyncHeader: Hashable, Sendable {
    /// `VerDTD`: the DTD version, `1.2`.
    public var verDTD: String
    /// `VerProto`: the protocol, `SyncML/1.2`.
    public var verProto: String
    /// `SessionID`: the session this message belongs to.
    public var sessionID: String
    /// `MsgID`: the message's number within the session.
    public var msgID: String
    /// `Target`: the recipient (a server URL, a device's IMEI or id).
    public var target: Location
    /// `Source`: the sender.
    public var source: Location
    /// `RespURI`: where the server wants the next message sent.
    public var respURI: String?
    /// `<NoResp/>`: the sender wants no Status back.
    public var noResp: Bool
    /// `Cred`: the credentials, when the sender authenticates.
    public var cred: Credential?
    /// `Meta`: e.g. the sender's `MaxMsgSize`.
    public var meta: Meta?
    /// Elements this model does not name.
    public var unknown: [MarkupElement]

    /// A header of `version` (its VerDTD and VerProto).
    public init(version: SyncMLVersion = .v1_2, sessionID: String, msgID: String, target: Location, source: Location,
                respURI: String? = nil, noResp: Bool = false, cred: Credential? = nil, meta: Meta? = nil,
                unknown: [MarkupElement] = []) {
        self.verDTD = version.verDTD
        self.verProto = version.verProto
        self.sessionID = sessionID
        self.msgID = msgID
        self.target = target
        self.source = source
        self.respURI = respURI
        self.noResp = noResp
        self.cred = cred
        self.meta = meta
        self.unknown = unknown
    }

    /// The version VerDTD names; 1.2 for an unknown VerDTD.
    public var version: SyncMLVersion { SyncMLVersion(verDTD: verDTD) ?? .v1_2 }
}

/// `Target`/`Source`: a `LocURI` and an optional `LocName` (RepPro §5.1.11).
public struct Location: Hashable, Sendable {
    /// `LocURI`: the URI (`./contacts`, a LUID, a server URL).
    public var locURI: String
    /// `LocName`: a display name, often the user name in a header's Source.
    public var locName: String?
    /// `Filter` and anything else this model does not name.
    public var unknown: [MarkupElement]

    /// A location with its URI and, optionally, its name.
    public init(_ locURI: String, name: String? = nil, unknown: [MarkupElement] = []) {
        self.locURI = locURI
        self.locName = name
        self.unknown = unknown
    }
}

/// `Cred`: credentials (RepPro §5.1.5); `meta.type` is e.g. `syncml:auth-md5`.
public struct Credential: Hashable, Sendable {
    /// `Meta`: the credential's `Type` and `Format`.
    public var meta: Meta?
    /// `Data`: the credential, e.g. base64 `user:password` or an MD5 digest.
    public var data: String
    /// Credentials of the type `meta` names.
    public init(meta: Meta? = nil, data: String) {
        self.meta = meta
        self.data = data
    }
}

/// `Chal`: an authentication challenge (RepPro §5.1.4).
public struct Challenge: Hashable, Sendable {
    /// `Meta`: the auth type and, for MD5, the `NextNonce` to use.
    public var meta: Meta?
    /// A challenge naming the auth type (and nonce) in `meta`.
    public init(meta: Meta? = nil) { self.meta = meta }
}
