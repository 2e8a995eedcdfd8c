// The commands that steer a session rather than carry records: Alert, Status, Map.

/// `Alert` (RepPro §6.1): a sync mode request, next-message, suspend/resume...
public struct Alert: Hashable, Sendable {
    /// `CmdID`: the command's id, unique within its message.
    public var cmdID: String
    /// `<NoResp/>`: the sender wants no Status for this command.
    public var noResp: Bool
    /// `Cred`: credentials for this command alone.
    public var cred: Credential?
    /// The alert code from `Data`; nil if the Alert had no Data.
    public var code: AlertCode?
    /// DS 1.2 `Correlator`.
    public var correlator: String?
    /// `Item`s: the datastores the alert is for, with their anchors.
    public var items: [Item]
    /// Elements this model does not name.
    public var unknown: [MarkupElement]

    /// An alert with `code`, for the datastores in `items`.
    public init(cmdID: String, code: AlertCode?, items: [Item] = [], noResp: Bool = false, cred: Credential? = nil,
                correlator: String? = nil, unknown: [MarkupElement] = []) {
        self.cmdID = cmdID
        self.noResp = noResp
        self.cred = cred
        self.code = code
        self.correlator = correlator
        self.items = items
        self.unknown = unknown
    }
}

/// `Status` (RepPro §6.14): the outcome of one command.
public struct Status: Hashable, Sendable {
    /// `CmdID`: the command's id, unique within its message.
    public var cmdID: String
    /// `MsgRef`: the MsgID of the message that held the command.
    public var msgRef: String?
    /// `CmdRef`: the CmdID of the command (`0` for the header).
    public var cmdRef: String
    /// The name of the command the status is for (`SyncHdr`, `Add`, ...).
    public var cmd: String
    /// `TargetRef`s: the targets this refers to.
    public var targetRefs: [String]
    /// `SourceRef`s: the sources this refers to.
    public var sourceRefs: [String]
    /// `Cred`: the sender's own credentials (a server authenticating to the client).
    public var cred: Credential?
    /// `Chal`: a challenge: the auth type (and nonce) to use.
    public var chal: Challenge?
    /// `Data`: the status code.
    public var code: StatusCode
    /// `Item`s: what the status refers to (the anchors of an Alert, say).
    public var items: [Item]
    /// Elements this model does not name.
    public var unknown: [MarkupElement]

    /// The status `code` of command `cmdRef` (a `cmd`) of message `msgRef`.
    public init(cmdID: String, msgRef: String?, cmdRef: String, cmd: String, code: StatusCode,
                targetRefs: [String] = [], sourceRefs: [String] = [], cred: Credential? = nil,
                chal: Challenge? = nil, items: [Item] = [], unknown: [MarkupElement] = []) {
        self.cmdID = cmdID
        self.msgRef = msgRef
        self.cmdRef = cmdRef
        self.cmd = cmd
        self.targetRefs = targetRefs
        self.sourceRefs = sourceRefs
        self.cred = cred
        self.chal = chal
        self.code = code
        self.items = items
        self.unknown = unknown
    }
}

/// `Map` (RepPro §6.8): the client's LUIDs for items the server added.
public struct Map: Hashable, Sendable {
    /// `CmdID`: the command's id, unique within its message.
    public var cmdID: String
    /// `Target`: the server's datastore.
    public var target: Location
    /// `Source`: the client's datastore.
    public var source: Location
    /// `Cred`: credentials for this command alone.
    public var cred: Credential?
    /// `Meta`: rarely sent.
    public var meta: Meta?
    /// `MapItem`s: the GUID–LUID pairs.
    public var items: [MapItem]
    /// Elements this model does not name.
    public var unknown: [MarkupElement]

    /// A Map of `items` between the datastores `target` and `source`.
    public init(cmdID: String, target: Location, source: Location, items: [MapItem], cred: Credential? = nil,
                meta: Meta? = nil, unknown: [MarkupElement] = []) {
        self.cmdID = cmdID
        self.target = target
        self.source = source
        self.cred = cred
        self.meta = meta
        self.items = items
        self.unknown = unknown
    }
}

/// `MapItem`: target (server GUID) and source (client LUID).
public struct MapItem: Hashable, Sendable {
    /// `Target`: the server's id for the item (GUID).
    public var target: Location
    /// `Source`: the client's id for the item (LUID).
    public var source: Location
    /// A pair: the server's id `target`, the client's id `source`.
    public init(target: Location, source: Location) {
        self.target = target
        self.source = source
    }
}
