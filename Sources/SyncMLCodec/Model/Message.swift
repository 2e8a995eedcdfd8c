/// One SyncML message: a header, body commands and the Final flag
/// (OMA-TS-SyncML_RepPro §5.1).
public struct SyncMLMessage: Hashable, Sendable {
    public var header: SyncHeader
    public var commands: [Command]
    /// `<Final/>`: this message ends its package.
    public var isFinal: Bool

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
    public var verDTD: String
    public var verProto: String
    public var sessionID: String
    public var msgID: String
    public var target: Location
    public var source: Location
    public var respURI: String?
    public var noResp: Bool
    public var cred: Credential?
    public var meta: Meta?
    /// Elements this model does not name.
    public var unknown: [MarkupElement]

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
    public var locURI: String
    public var locName: String?
    /// `Filter` and anything else this model does not name.
    public var unknown: [MarkupElement]

    public init(_ locURI: String, name: String? = nil, unknown: [MarkupElement] = []) {
        self.locURI = locURI
        self.locName = name
        self.unknown = unknown
    }
}

/// `Cred`: credentials (RepPro §5.1.5); `meta.type` is e.g. `syncml:auth-md5`.
public struct Credential: Hashable, Sendable {
    public var meta: Meta?
    public var data: String
    public init(meta: Meta? = nil, data: String) {
        self.meta = meta
        self.data = data
    }
}

/// `Chal`: an authentication challenge (RepPro §5.1.4).
public struct Challenge: Hashable, Sendable {
    public var meta: Meta?
    public init(meta: Meta? = nil) { self.meta = meta }
}
