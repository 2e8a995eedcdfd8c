/// A body command (RepPro §6). Containers (`Sync`, `Atomic`, `Sequence`) hold
/// commands; everything else is a leaf.
///
/// `indirect`: each command is one box, so a command is a pointer wherever it
/// goes — returned by the decoder, appended to a `Sync`'s commands — instead of
/// the hundreds of bytes of its largest case copied at every step.
public indirect enum Command: Hashable, Sendable {
    /// `Alert`: a sync mode request, next message, suspend or resume.
    case alert(Alert)
    /// `Add`: new items.
    case add(ItemCommand)
    /// `Replace`: changed items (or new ones, if the recipient lacks them).
    case replace(ItemCommand)
    /// `Delete`: removed items.
    case delete(ItemCommand)
    /// `Copy`: items copied within the recipient.
    case copy(ItemCommand)
    /// `Move`: items moved within the recipient (hierarchical sync).
    case move(ItemCommand)
    /// `Sync`: the changes for one datastore.
    case sync(Sync)
    /// `Atomic`: commands that succeed or fail together.
    case atomic(CommandGroup)
    /// `Sequence`: commands to run in order.
    case sequence(CommandGroup)
    /// `Get`: asks for data, e.g. the recipient's DevInf.
    case get(Exchange)
    /// `Put`: sends data, e.g. the sender's DevInf.
    case put(Exchange)
    /// `Results`: the answer to a `Get`.
    case results(Results)
    /// `Status`: the outcome of a command.
    case status(Status)
    /// `Map`: the client's ids for items the server added.
    case map(Map)
    /// `Exec`: asks the recipient to run something.
    case exec(Exec)
    /// `Search`: a query (SyncML 1.1).
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
