// The commands that carry items: Add/Replace/Delete/Copy/Move, Get/Put, Results,
// Exec and Search.

/// `Add`, `Replace`, `Delete`, `Copy` and `Move` (RepPro §6.2-6.16): one shape.
public struct ItemCommand: Hashable, Sendable {
    /// `CmdID`: the command's id, unique within its message.
    public var cmdID: String
    /// `<NoResp/>`: the sender wants no Status for this command.
    public var noResp: Bool
    /// `Delete` only: `<Archive/>`.
    public var archive: Bool
    /// `Delete` only: `<SftDel/>`.
    public var softDelete: Bool
    /// `Cred`: credentials for this command alone.
    public var cred: Credential?
    /// `Meta`: defaults for the items, e.g. their `Type`.
    public var meta: Meta?
    /// `Item`s: the items added, replaced, deleted, copied or moved.
    public var items: [Item]
    /// Elements this model does not name.
    public var unknown: [MarkupElement]

    /// An Add, Replace, Delete, Copy or Move of `items`.
    public init(cmdID: String, meta: Meta? = nil, items: [Item], noResp: Bool = false, archive: Bool = false,
                softDelete: Bool = false, cred: Credential? = nil, unknown: [MarkupElement] = []) {
        self.cmdID = cmdID
        self.noResp = noResp
        self.archive = archive
        self.softDelete = softDelete
        self.cred = cred
        self.meta = meta
        self.items = items
        self.unknown = unknown
    }
}

/// `Get` and `Put` (RepPro §6.7, §6.10).
public struct Exchange: Hashable, Sendable {
    /// `CmdID`: the command's id, unique within its message.
    public var cmdID: String
    /// `<NoResp/>`: the sender wants no Status for this command.
    public var noResp: Bool
    /// `Lang`: the preferred language.
    public var lang: String?
    /// `Cred`: credentials for this command alone.
    public var cred: Credential?
    /// `Meta`: the `Type` of what is got or put (the DevInf MIME type).
    public var meta: Meta?
    /// `Item`s: what is got or put (a DevInf, usually).
    public var items: [Item]
    /// Elements this model does not name.
    public var unknown: [MarkupElement]

    /// A Get or Put of `items`.
    public init(cmdID: String, meta: Meta? = nil, items: [Item], noResp: Bool = false, lang: String? = nil,
                cred: Credential? = nil, unknown: [MarkupElement] = []) {
        self.cmdID = cmdID
        self.noResp = noResp
        self.lang = lang
        self.cred = cred
        self.meta = meta
        self.items = items
        self.unknown = unknown
    }
}

/// `Results` (RepPro §6.12): the answer to a `Get`.
public struct Results: Hashable, Sendable {
    /// `CmdID`: the command's id, unique within its message.
    public var cmdID: String
    /// `MsgRef`: the MsgID of the message that held the Get.
    public var msgRef: String?
    /// `CmdRef`: the CmdID of the Get.
    public var cmdRef: String
    /// `Meta`: the `Type` of the results.
    public var meta: Meta?
    /// `TargetRef`s: the targets this refers to.
    public var targetRefs: [String]
    /// `SourceRef`s: the sources this refers to.
    public var sourceRefs: [String]
    /// `Item`s: the results (a DevInf, for a Get of `./devinf12`).
    public var items: [Item]
    /// Elements this model does not name.
    public var unknown: [MarkupElement]

    /// Results for the Get `cmdRef`.
    public init(cmdID: String, msgRef: String? = nil, cmdRef: String, meta: Meta? = nil, targetRefs: [String] = [],
                sourceRefs: [String] = [], items: [Item] = [], unknown: [MarkupElement] = []) {
        self.cmdID = cmdID
        self.msgRef = msgRef
        self.cmdRef = cmdRef
        self.meta = meta
        self.targetRefs = targetRefs
        self.sourceRefs = sourceRefs
        self.items = items
        self.unknown = unknown
    }
}

/// `Exec` (RepPro §6.6).
public struct Exec: Hashable, Sendable {
    /// `CmdID`: the command's id, unique within its message.
    public var cmdID: String
    /// `<NoResp/>`: the sender wants no Status for this command.
    public var noResp: Bool
    /// `Cred`: credentials for this command alone.
    public var cred: Credential?
    /// `Meta`: defaults for the items.
    public var meta: Meta?
    /// `Correlator`: ties a later Alert to this Exec.
    public var correlator: String?
    /// `Item`s: what to execute.
    public var items: [Item]
    /// Elements this model does not name.
    public var unknown: [MarkupElement]

    /// An Exec of `items`.
    public init(cmdID: String, items: [Item], noResp: Bool = false, cred: Credential? = nil, meta: Meta? = nil,
                correlator: String? = nil, unknown: [MarkupElement] = []) {
        self.cmdID = cmdID
        self.noResp = noResp
        self.cred = cred
        self.meta = meta
        self.correlator = correlator
        self.items = items
        self.unknown = unknown
    }
}

/// `Search` (RepPro §6.13 of 1.1; deprecated in 1.2 but still decoded).
public struct Search: Hashable, Sendable {
    /// `CmdID`: the command's id, unique within its message.
    public var cmdID: String
    /// `<NoResp/>`: the sender wants no Status for this command.
    public var noResp: Bool
    /// `<NoResults/>`: only a Status is wanted, no Results.
    public var noResults: Bool
    /// `Cred`: credentials for this command alone.
    public var cred: Credential?
    /// `Target`: where the found items go.
    public var target: Location?
    /// `Source`s: the datastores to search.
    public var sources: [Location]
    /// `Lang`: the preferred language.
    public var lang: String?
    /// `Meta`: the query's `Type`.
    public var meta: Meta?
    /// `Data`: the query.
    public var data: String?
    /// Elements this model does not name.
    public var unknown: [MarkupElement]

    /// A Search of `sources` for `data`.
    public init(cmdID: String, sources: [Location], meta: Meta?, data: String?, target: Location? = nil,
                noResp: Bool = false, noResults: Bool = false, cred: Credential? = nil, lang: String? = nil,
                unknown: [MarkupElement] = []) {
        self.cmdID = cmdID
        self.noResp = noResp
        self.noResults = noResults
        self.cred = cred
        self.target = target
        self.sources = sources
        self.lang = lang
        self.meta = meta
        self.data = data
        self.unknown = unknown
    }
}
