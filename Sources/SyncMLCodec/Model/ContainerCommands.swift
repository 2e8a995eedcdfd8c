// The commands that hold commands: Sync, Atomic and Sequence.

/// `Sync` (RepPro §6.15): the changes for one datastore.
public struct Sync: Hashable, Sendable {
    /// `CmdID`: the command's id, unique within its message.
    public var cmdID: String
    /// `<NoResp/>`: the sender wants no Status for this command.
    public var noResp: Bool
    /// `Cred`: credentials for this command alone.
    public var cred: Credential?
    /// `Target`: the recipient's datastore (`./contacts`).
    public var target: Location?
    /// `Source`: the sender's datastore.
    public var source: Location?
    /// `Meta`: e.g. the datastore's free memory.
    public var meta: Meta?
    /// `NumberOfChanges`: how many changes this Sync holds in all, across messages.
    public var numberOfChanges: Int?
    /// The commands inside, in order.
    public var commands: [Command]
    /// Elements this model does not name.
    public var unknown: [MarkupElement]

    /// A Sync of the datastores `target` and `source`.
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
    /// `CmdID`: the command's id, unique within its message.
    public var cmdID: String
    /// `<NoResp/>`: the sender wants no Status for this command.
    public var noResp: Bool
    /// `Meta`: defaults for the commands inside.
    public var meta: Meta?
    /// The commands inside, in order.
    public var commands: [Command]
    /// Elements this model does not name.
    public var unknown: [MarkupElement]

    /// An Atomic or Sequence of `commands`.
    public init(cmdID: String, meta: Meta? = nil, commands: [Command] = [], noResp: Bool = false,
                unknown: [MarkupElement] = []) {
        self.cmdID = cmdID
        self.noResp = noResp
        self.meta = meta
        self.commands = commands
        self.unknown = unknown
    }
}
