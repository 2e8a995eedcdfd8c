// Typed parsers (see HeaderDecoding.swift): the commands, and the own fields of
// the containers (Sync, Atomic, Sequence) whose commands arrive as events.

extension ElementReader {
    /// Parses the command whose start tag named `name` (already consumed).
    mutating func command(_ name: ElementName) throws(SyncMLDecodingError) -> Command {
        guard let tag = name.tag(in: .syncML) else { return .unknown(try unknown(name)) }
        switch tag {
        case .alert: return .alert(try alert())
        case .add: return .add(try itemCommand())
        case .replace: return .replace(try itemCommand())
        case .delete: return .delete(try itemCommand())
        case .copy: return .copy(try itemCommand())
        case .move: return .move(try itemCommand())
        case .get: return .get(try exchange())
        case .put: return .put(try exchange())
        case .results: return .results(try results())
        case .status: return .status(try status())
        case .map: return .map(try map())
        case .exec: return .exec(try exec())
        case .search: return .search(try search())
        case .sync: return .sync(try syncHead())
        case .atomic: return .atomic(try groupHead())
        case .sequence: return .sequence(try groupHead())
        default: return .unknown(try unknown(name))
        }
    }

    mutating func alert() throws(SyncMLDecodingError) -> Alert {
        var alert = Alert(cmdID: "", code: nil)
        while let child = try nextChild() {
            switch child.tag(in: .syncML) {
            case .cmdID?: alert.cmdID = try trimmed()
            case .noResp?: try skip(); alert.noResp = true
            case .cred?: alert.cred = try credential()
            case .data?: alert.code = AlertCode(try integer("Alert code"))
            case .correlator?: alert.correlator = try trimmed()
            case .item?: alert.items.append(try item())
            default: alert.unknown.append(try unknown(child))
            }
        }
        return alert
    }

    mutating func itemCommand() throws(SyncMLDecodingError) -> ItemCommand {
        // Fields in locals, the command built once at the end: filling a
        // `var command` in place made the optimizer copy and destroy it.
        var cmdID = ""
        var noResp = false, archive = false, softDelete = false
        var cred: Credential? = nil
        var meta: Meta? = nil
        var items: [Item] = []
        var unknown: [MarkupElement] = []
        while let child = try nextChild() {
            switch child.tag(in: .syncML) {
            case .cmdID?: cmdID = try trimmed()
            case .noResp?: try skip(); noResp = true
            case .archive?: try skip(); archive = true
            case .sftDel?: try skip(); softDelete = true
            case .cred?: cred = try credential()
            case .meta?: meta = try self.meta()
            case .item?: items.append(try item())
            default: unknown.append(try self.unknown(child))
            }
        }
        return ItemCommand(cmdID: cmdID, meta: meta, items: items, noResp: noResp, archive: archive,
                           softDelete: softDelete, cred: cred, unknown: unknown)
    }

    mutating func exchange() throws(SyncMLDecodingError) -> Exchange {
        var command = Exchange(cmdID: "", items: [])
        while let child = try nextChild() {
            switch child.tag(in: .syncML) {
            case .cmdID?: command.cmdID = try trimmed()
            case .noResp?: try skip(); command.noResp = true
            case .lang?: command.lang = try trimmed()
            case .cred?: command.cred = try credential()
            case .meta?: command.meta = try meta()
            case .item?: command.items.append(try item())
            default: command.unknown.append(try unknown(child))
            }
        }
        return command
    }

    mutating func results() throws(SyncMLDecodingError) -> Results {
        var results = Results(cmdID: "", cmdRef: "")
        while let child = try nextChild() {
            switch child.tag(in: .syncML) {
            case .cmdID?: results.cmdID = try trimmed()
            case .msgRef?: results.msgRef = try trimmed()
            case .cmdRef?: results.cmdRef = try trimmed()
            case .meta?: results.meta = try meta()
            case .targetRef?: results.targetRefs.append(try trimmed())
            case .sourceRef?: results.sourceRefs.append(try trimmed())
            case .item?: results.items.append(try item())
            default: results.unknown.append(try unknown(child))
            }
        }
        return results
    }

    mutating func status() throws(SyncMLDecodingError) -> Status {
        var status = Status(cmdID: "", msgRef: nil, cmdRef: "", cmd: "", code: StatusCode(0))
        var hasCode = false
        while let child = try nextChild() {
            switch child.tag(in: .syncML) {
            case .cmdID?: status.cmdID = try trimmed()
            case .msgRef?: status.msgRef = try trimmed()
            case .cmdRef?: status.cmdRef = try trimmed()
            case .cmd?: status.cmd = try trimmed()
            case .targetRef?: status.targetRefs.append(try trimmed())
            case .sourceRef?: status.sourceRefs.append(try trimmed())
            case .cred?: status.cred = try credential()
            case .chal?: status.chal = try challenge()
            case .data?: status.code = StatusCode(try integer("Status code")); hasCode = true
            case .item?: status.items.append(try item())
            default: status.unknown.append(try unknown(child))
            }
        }
        guard hasCode else { throw error(.unexpectedElement, "Status lacks <Data> (the status code)") }
        return status
    }

    mutating func map() throws(SyncMLDecodingError) -> Map {
        var map = Map(cmdID: "", target: Location(""), source: Location(""), items: [])
        while let child = try nextChild() {
            switch child.tag(in: .syncML) {
            case .cmdID?: map.cmdID = try trimmed()
            case .target?: map.target = try location()
            case .source?: map.source = try location()
            case .cred?: map.cred = try credential()
            case .meta?: map.meta = try meta()
            case .mapItem?: map.items.append(try mapItem())
            default: map.unknown.append(try unknown(child))
            }
        }
        return map
    }

    mutating func mapItem() throws(SyncMLDecodingError) -> MapItem {
        var item = MapItem(target: Location(""), source: Location(""))
        while let child = try nextChild() {
            switch child.tag(in: .syncML) {
            case .target?: item.target = try location()
            case .source?: item.source = try location()
            default: try skip()
            }
        }
        return item
    }

    mutating func exec() throws(SyncMLDecodingError) -> Exec {
        var exec = Exec(cmdID: "", items: [])
        while let child = try nextChild() {
            switch child.tag(in: .syncML) {
            case .cmdID?: exec.cmdID = try trimmed()
            case .noResp?: try skip(); exec.noResp = true
            case .cred?: exec.cred = try credential()
            case .meta?: exec.meta = try meta()
            case .correlator?: exec.correlator = try trimmed()
            case .item?: exec.items.append(try item())
            default: exec.unknown.append(try unknown(child))
            }
        }
        return exec
    }

    mutating func search() throws(SyncMLDecodingError) -> Search {
        var search = Search(cmdID: "", sources: [], meta: nil, data: nil)
        while let child = try nextChild() {
            switch child.tag(in: .syncML) {
            case .cmdID?: search.cmdID = try trimmed()
            case .noResp?: try skip(); search.noResp = true
            case .noResults?: try skip(); search.noResults = true
            case .cred?: search.cred = try credential()
            case .target?: search.target = try location()
            case .source?: search.sources.append(try location())
            case .lang?: search.lang = try trimmed()
            case .meta?: search.meta = try meta()
            case .data?: search.data = try string()
            default: search.unknown.append(try unknown(child))
            }
        }
        return search
    }

    /// The non-command children of a `Sync` (its commands arrive as events).
    mutating func syncHead() throws(SyncMLDecodingError) -> Sync {
        var sync = Sync(cmdID: "")
        while let child = try nextChild() {
            switch child.tag(in: .syncML) {
            case .cmdID?: sync.cmdID = try trimmed()
            case .noResp?: try skip(); sync.noResp = true
            case .cred?: sync.cred = try credential()
            case .target?: sync.target = try location()
            case .source?: sync.source = try location()
            case .meta?: sync.meta = try meta()
            case .numberOfChanges?: sync.numberOfChanges = try integer("NumberOfChanges")
            default: sync.unknown.append(try unknown(child))
            }
        }
        return sync
    }

    /// The non-command children of an `Atomic` or `Sequence`.
    mutating func groupHead() throws(SyncMLDecodingError) -> CommandGroup {
        var group = CommandGroup(cmdID: "")
        while let child = try nextChild() {
            switch child.tag(in: .syncML) {
            case .cmdID?: group.cmdID = try trimmed()
            case .noResp?: try skip(); group.noResp = true
            case .meta?: group.meta = try meta()
            default: group.unknown.append(try unknown(child))
            }
        }
        return group
    }
}
