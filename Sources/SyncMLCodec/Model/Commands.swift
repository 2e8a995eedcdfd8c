/// A body command (RepPro §6). Containers (`Sync`, `Atomic`, `Sequence`) hold
/// commands; everything else is a leaf.
public enum Command: Hashable, Sendable {
    case alert(Alert)
    case add(ItemCommand)
    case replace(ItemCommand)
    case delete(ItemCommand)
    case copy(ItemCommand)
    case move(ItemCommand)
    case sync(Sync)
    case atomic(CommandGroup)
    case sequence(CommandGroup)
    case get(Exchange)
    case put(Exchange)
    case results(Results)
    case status(Status)
    case map(Map)
    case exec(Exec)
    case search(Search)
    /// A command element this model does not know.
    case unknown(MarkupElement)

    /// The command's `CmdID`, if it has one.
    public var cmdID: String? {
        switch self {
        case .alert(let c): c.cmdID
        case .add(let c), .replace(let c), .delete(let c), .copy(let c), .move(let c): c.cmdID
        case .sync(let c): c.cmdID
        case .atomic(let c), .sequence(let c): c.cmdID
        case .get(let c), .put(let c): c.cmdID
        case .results(let c): c.cmdID
        case .status(let c): c.cmdID
        case .map(let c): c.cmdID
        case .exec(let c): c.cmdID
        case .search(let c): c.cmdID
        case .unknown: nil
        }
    }

    /// The element name, as used in `Status/Cmd`: `Add`, `Sync`, ...
    public var name: String {
        switch self {
        case .alert: "Alert"
        case .add: "Add"
        case .replace: "Replace"
        case .delete: "Delete"
        case .copy: "Copy"
        case .move: "Move"
        case .sync: "Sync"
        case .atomic: "Atomic"
        case .sequence: "Sequence"
        case .get: "Get"
        case .put: "Put"
        case .results: "Results"
        case .status: "Status"
        case .map: "Map"
        case .exec: "Exec"
        case .search: "Search"
        case .unknown(let element): element.name
        }
    }
}

/// `Alert` (RepPro §6.1): a sync mode request, next-message, suspend/resume...
public struct Alert: Hashable, Sendable {
    public var cmdID: String
    public var noResp: Bool
    public var cred: Credential?
    /// The alert code from `Data`; nil if the Alert had no Data.
    public var code: AlertCode?
    /// DS 1.2 `Correlator`.
    public var correlator: String?
    public var items: [Item]
    public var unknown: [MarkupElement]

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

/// `Add`, `Replace`, `Delete`, `Copy` and `Move` (RepPro §6.2-6.16): one shape.
public struct ItemCommand: Hashable, Sendable {
    public var cmdID: String
    public var noResp: Bool
    /// `Delete` only: `<Archive/>`.
    public var archive: Bool
    /// `Delete` only: `<SftDel/>`.
    public var softDelete: Bool
    public var cred: Credential?
    public var meta: Meta?
    public var items: [Item]
    public var unknown: [MarkupElement]

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

/// `Sync` (RepPro §6.15): the changes for one datastore.
public struct Sync: Hashable, Sendable {
    public var cmdID: String
    public var noResp: Bool
    public var cred: Credential?
    public var target: Location?
    public var source: Location?
    public var meta: Meta?
    public var numberOfChanges: Int?
    public var commands: [Command]
    public var unknown: [MarkupElement]

    public init(cmdID: String, target: Location? = nil, source: Location? = nil, meta: Meta? = nil,
                numberOfChanges: Int? = nil, commands: [Command] = [], noResp: Bool = false,
                cred: Credential? = nil, unknown: [MarkupElement] = []) {
        self.cmdID = cmdID
        self.noResp = noResp
        self.cred = cred
        self.target = target
        self.source = source
        self.meta = meta
        self.numberOfChanges = numberOfChanges
        self.commands = commands
        self.unknown = unknown
    }
}

/// `Atomic` and `Sequence` (RepPro §6.4, §6.13).
public struct CommandGroup: Hashable, Sendable {
    public var cmdID: String
    public var noResp: Bool
    public var meta: Meta?
    public var commands: [Command]
    public var unknown: [MarkupElement]

    public init(cmdID: String, meta: Meta? = nil, commands: [Command] = [], noResp: Bool = false,
                unknown: [MarkupElement] = []) {
        self.cmdID = cmdID
        self.noResp = noResp
        self.meta = meta
        self.commands = commands
        self.unknown = unknown
    }
}

/// `Get` and `Put` (RepPro §6.7, §6.10).
public struct Exchange: Hashable, Sendable {
    public var cmdID: String
    public var noResp: Bool
    public var lang: String?
    public var cred: Credential?
    public var meta: Meta?
    public var items: [Item]
    public var unknown: [MarkupElement]

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
    public var cmdID: String
    public var msgRef: String?
    public var cmdRef: String
    public var meta: Meta?
    public var targetRefs: [String]
    public var sourceRefs: [String]
    public var items: [Item]
    public var unknown: [MarkupElement]

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

/// `Status` (RepPro §6.14): the outcome of one command.
public struct Status: Hashable, Sendable {
    public var cmdID: String
    public var msgRef: String?
    public var cmdRef: String
    /// The name of the command the status is for (`SyncHdr`, `Add`, ...).
    public var cmd: String
    public var targetRefs: [String]
    public var sourceRefs: [String]
    public var cred: Credential?
    public var chal: Challenge?
    public var code: StatusCode
    public var items: [Item]
    public var unknown: [MarkupElement]

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
    public var cmdID: String
    public var target: Location
    public var source: Location
    public var cred: Credential?
    public var meta: Meta?
    public var items: [MapItem]
    public var unknown: [MarkupElement]

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
    public var target: Location
    public var source: Location
    public init(target: Location, source: Location) {
        self.target = target
        self.source = source
    }
}

/// `Exec` (RepPro §6.6).
public struct Exec: Hashable, Sendable {
    public var cmdID: String
    public var noResp: Bool
    public var cred: Credential?
    public var meta: Meta?
    public var correlator: String?
    public var items: [Item]
    public var unknown: [MarkupElement]

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
    public var cmdID: String
    public var noResp: Bool
    public var noResults: Bool
    public var cred: Credential?
    public var target: Location?
    public var sources: [Location]
    public var lang: String?
    public var meta: Meta?
    public var data: String?
    public var unknown: [MarkupElement]

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
