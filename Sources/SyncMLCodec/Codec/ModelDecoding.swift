// Typed parsers: one function per element of the model, each called after the
// element's start tag was consumed and reading its children through its end.
// Unknown children are kept as MarkupElement, never fatal.

extension ElementReader {
    mutating func header() throws(SyncMLDecodingError) -> SyncHeader {
        var header = SyncHeader(sessionID: "", msgID: "", target: Location(""), source: Location(""))
        header.verDTD = ""
        header.verProto = ""
        var seen: Set<UInt8> = []
        while let child = try nextChild() {
            guard let tag = child.tag(in: .syncML) else {
                header.unknown.append(try unknown(child))
                continue
            }
            seen.insert(tag.code)
            switch tag {
            case .verDTD: header.verDTD = try trimmed()
            case .verProto: header.verProto = try trimmed()
            case .sessionID: header.sessionID = try trimmed()
            case .msgID: header.msgID = try trimmed()
            case .target: header.target = try location()
            case .source: header.source = try location()
            case .respURI: header.respURI = try trimmed()
            case .noResp: try skip(); header.noResp = true
            case .cred: header.cred = try credential()
            case .meta: header.meta = try meta()
            default: header.unknown.append(try unknown(child))
            }
        }
        for required in [Tag.verDTD, .verProto, .sessionID, .msgID, .target, .source] where !seen.contains(required.code) {
            throw error(.unexpectedElement, "SyncHdr lacks <\(CodePages.name(of: required)!)>")
        }
        return header
    }

    mutating func location() throws(SyncMLDecodingError) -> Location {
        var location = Location("")
        var hasURI = false
        while let child = try nextChild() {
            switch child.tag(in: .syncML) {
            case .locURI?: location.locURI = try trimmed(); hasURI = true
            case .locName?: location.locName = try trimmed()
            default: location.unknown.append(try unknown(child))
            }
        }
        guard hasURI else { throw error(.unexpectedElement, "Target/Source lacks <LocURI>") }
        return location
    }

    /// `SourceParent`/`TargetParent`: a LocURI.
    mutating func parentURI() throws(SyncMLDecodingError) -> String {
        try location().locURI
    }

    mutating func credential() throws(SyncMLDecodingError) -> Credential {
        var credential = Credential(data: "")
        while let child = try nextChild() {
            switch child.tag(in: .syncML) {
            case .meta?: credential.meta = try meta()
            case .data?: credential.data = try trimmed()
            default: try skip()
            }
        }
        return credential
    }

    mutating func challenge() throws(SyncMLDecodingError) -> Challenge {
        var challenge = Challenge()
        while let child = try nextChild() {
            if child.tag(in: .syncML) == .meta { challenge.meta = try meta() } else { try skip() }
        }
        return challenge
    }

    mutating func meta() throws(SyncMLDecodingError) -> Meta {
        var result = Meta()
        try meta(into: &result)
        return result
    }

    /// `meta()` filled in place: a Meta is hundreds of bytes, and a command
    /// holding it would otherwise get a copy of the one returned.
    mutating func meta(into meta: inout Meta) throws(SyncMLDecodingError) {
        while let child = try nextChild() {
            guard let tag = child.tag(in: .metInf) else {
                meta.unknown.append(try unknown(child))
                continue
            }
            switch tag {
            case .format: meta.format = try trimmed()
            case .type: meta.type = try trimmed()
            case .mark: meta.mark = try trimmed()
            case .size: meta.size = try integer("Size")
            case .anchor: meta.anchor = try anchor()
            case .version: meta.version = try trimmed()
            case .nextNonce: meta.nextNonce = try trimmed()
            case .maxMsgSize: meta.maxMsgSize = try integer("MaxMsgSize")
            case .maxObjSize: meta.maxObjSize = try integer("MaxObjSize")
            case .emi: meta.emi.append(try string())
            case .mem: meta.mem = try memory()
            case .fieldLevel: try skip(); meta.fieldLevel = true
            default: meta.unknown.append(try unknown(child))
            }
        }
    }

    mutating func anchor() throws(SyncMLDecodingError) -> Anchor {
        var anchor = Anchor()
        while let child = try nextChild() {
            switch child.tag(in: .metInf) {
            case .last?: anchor.last = try trimmed()
            case .next?: anchor.next = try trimmed()
            default: try skip()
            }
        }
        return anchor
    }

    mutating func memory() throws(SyncMLDecodingError) -> Memory {
        var memory = Memory()
        while let child = try nextChild() {
            switch child.tag(in: .metInf) {
            case .sharedMem?: try skip(); memory.sharedMem = true
            case .freeMem?: memory.freeMem = try integer("FreeMem")
            case .freeID?: memory.freeID = try integer("FreeID")
            default: try skip()
            }
        }
        return memory
    }

    mutating func item() throws(SyncMLDecodingError) -> Item {
        var result = Item()
        try item(into: &result)
        return result
    }

    /// `item()` filled in place (see `meta(into:)`).
    mutating func item(into item: inout Item) throws(SyncMLDecodingError) {
        while let child = try nextChild() {
            switch child.tag(in: .syncML) {
            case .target?: item.target = try location()
            case .source?: item.source = try location()
            case .sourceParent?: item.sourceParent = try parentURI()
            case .targetParent?: item.targetParent = try parentURI()
            case .meta?: item.meta = Meta(); try meta(into: &item.meta!)
            case .data?: item.data = try itemData()
            case .moreData?: try skip(); item.moreData = true
            default: item.unknown.append(try unknown(child))
            }
        }
    }

    /// `Data` of an Item: bytes, an inline DevInf/Anchor, or a nested WBXML DevInf.
    mutating func itemData() throws(SyncMLDecodingError) -> ItemData {
        if contentHasElement() {
            var elements: [MarkupElement] = []
            var result: ItemData? = nil
            while let child = try nextChild() {
                if child.tag(in: .devInf) == DevInfTag.devInf, result == nil, elements.isEmpty {
                    result = .devInf(try devInf())
                } else if child.tag(in: .metInf) == .anchor, result == nil, elements.isEmpty {
                    result = .anchor(try anchor())
                } else {
                    if let known = result { elements.append(contentsOf: Self.markup(of: known)); result = nil }
                    elements.append(try unknown(child))
                }
            }
            return result ?? .markup(elements)
        }
        let dataOffset = offset
        let bytes = try bytes()
        if NestedWBXML.isDevInfDocument(bytes) {
            return .devInf(try NestedWBXML.decodeDevInf(bytes, at: dataOffset))
        }
        return .bytes(bytes)
    }

    private static func markup(of data: ItemData) -> [MarkupElement] {
        // Only reached for odd Data with several children; keep them generic.
        switch data {
        case .anchor(let anchor):
            var element = MarkupElement(namespace: "syncml:metinf", name: "Anchor")
            if let last = anchor.last { element.content.append(.element(MarkupElement(namespace: "syncml:metinf", name: "Last", content: [.text(last)]))) }
            if let next = anchor.next { element.content.append(.element(MarkupElement(namespace: "syncml:metinf", name: "Next", content: [.text(next)]))) }
            return [element]
        default:
            return []
        }
    }

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
        var command = ItemCommand(cmdID: "", items: [])
        while let child = try nextChild() {
            switch child.tag(in: .syncML) {
            case .cmdID?: command.cmdID = try trimmed()
            case .noResp?: try skip(); command.noResp = true
            case .archive?: try skip(); command.archive = true
            case .sftDel?: try skip(); command.softDelete = true
            case .cred?: command.cred = try credential()
            case .meta?: command.meta = Meta(); try meta(into: &command.meta!)
            case .item?:
                command.items.append(Item())
                try item(into: &command.items[command.items.count - 1])
            default: command.unknown.append(try unknown(child))
            }
        }
        return command
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
