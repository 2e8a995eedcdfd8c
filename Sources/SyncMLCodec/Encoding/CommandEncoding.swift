// The commands written through a MarkupWriter in DTD order (see HeaderEncoding.swift).

extension Command {
    /// Writes the whole command, containers with their commands.
    func encode(to w: inout some MarkupWriter) {
        switch self {
        case .alert(let c): c.encode(to: &w)
        case .add(let c): c.encode(.add, to: &w)
        case .replace(let c): c.encode(.replace, to: &w)
        case .delete(let c): c.encode(.delete, to: &w)
        case .copy(let c): c.encode(.copy, to: &w)
        case .move(let c): c.encode(.move, to: &w)
        case .get(let c): c.encode(.get, to: &w)
        case .put(let c): c.encode(.put, to: &w)
        case .results(let c): c.encode(to: &w)
        case .status(let c): c.encode(to: &w)
        case .map(let c): c.encode(to: &w)
        case .exec(let c): c.encode(to: &w)
        case .search(let c): c.encode(to: &w)
        case .unknown(let element): w.unknown(element)
        case .sync, .atomic, .sequence:
            encodeOpening(to: &w)
            for child in children { child.encode(to: &w) }
            w.end()
        }
    }

    var isContainer: Bool {
        switch self {
        case .sync, .atomic, .sequence: true
        default: false
        }
    }

    /// For a container: its start tag and own fields, leaving it open.
    func encodeOpening(to w: inout some MarkupWriter) {
        switch self {
        case .sync(let sync):
            w.start(.sync)
            w.element(.cmdID, sync.cmdID)
            w.flag(.noResp, sync.noResp)
            sync.cred?.encode(to: &w)
            sync.target?.encode(.target, to: &w)
            sync.source?.encode(.source, to: &w)
            sync.meta?.encode(to: &w)
            w.element(.numberOfChanges, sync.numberOfChanges)
            w.unknown(sync.unknown)
        case .atomic(let group), .sequence(let group):
            w.start(self.name == "Atomic" ? .atomic : .sequence)
            w.element(.cmdID, group.cmdID)
            w.flag(.noResp, group.noResp)
            group.meta?.encode(to: &w)
            w.unknown(group.unknown)
        default:
            break
        }
    }
}

extension Alert {
    func encode(to w: inout some MarkupWriter) {
        w.start(.alert)
        w.element(.cmdID, cmdID)
        w.flag(.noResp, noResp)
        cred?.encode(to: &w)
        w.element(.data, code?.rawValue)
        w.element(.correlator, correlator)
        for item in items { item.encode(to: &w) }
        w.unknown(unknown)
        w.end()
    }
}

extension ItemCommand {
    func encode(_ tag: Tag, to w: inout some MarkupWriter) {
        w.start(tag)
        w.element(.cmdID, cmdID)
        w.flag(.noResp, noResp)
        w.flag(.archive, archive)
        w.flag(.sftDel, softDelete)
        cred?.encode(to: &w)
        meta?.encode(to: &w)
        for item in items { item.encode(to: &w) }
        w.unknown(unknown)
        w.end()
    }
}

extension Exchange {
    func encode(_ tag: Tag, to w: inout some MarkupWriter) {
        w.start(tag)
        w.element(.cmdID, cmdID)
        w.flag(.noResp, noResp)
        w.element(.lang, lang)
        cred?.encode(to: &w)
        meta?.encode(to: &w, devInfType: true)
        for item in items { item.encode(to: &w) }
        w.unknown(unknown)
        w.end()
    }
}

extension Results {
    func encode(to w: inout some MarkupWriter) {
        w.start(.results)
        w.element(.cmdID, cmdID)
        w.element(.msgRef, msgRef)
        w.element(.cmdRef, cmdRef)
        meta?.encode(to: &w, devInfType: true)
        for ref in targetRefs { w.element(.targetRef, ref) }
        for ref in sourceRefs { w.element(.sourceRef, ref) }
        for item in items { item.encode(to: &w) }
        w.unknown(unknown)
        w.end()
    }
}

extension Status {
    func encode(to w: inout some MarkupWriter) {
        w.start(.status)
        w.element(.cmdID, cmdID)
        w.element(.msgRef, msgRef)
        w.element(.cmdRef, cmdRef)
        w.element(.cmd, cmd)
        for ref in targetRefs { w.element(.targetRef, ref) }
        for ref in sourceRefs { w.element(.sourceRef, ref) }
        cred?.encode(to: &w)
        if let chal {
            w.start(.chal)
            chal.meta?.encode(to: &w)
            w.end()
        }
        w.element(.data, code.rawValue)
        for item in items { item.encode(to: &w) }
        w.unknown(unknown)
        w.end()
    }
}

extension Map {
    func encode(to w: inout some MarkupWriter) {
        w.start(.map)
        w.element(.cmdID, cmdID)
        target.encode(.target, to: &w)
        source.encode(.source, to: &w)
        cred?.encode(to: &w)
        meta?.encode(to: &w)
        for item in items {
            w.start(.mapItem)
            item.target.encode(.target, to: &w)
            item.source.encode(.source, to: &w)
            w.end()
        }
        w.unknown(unknown)
        w.end()
    }
}

extension Exec {
    func encode(to w: inout some MarkupWriter) {
        w.start(.exec)
        w.element(.cmdID, cmdID)
        w.flag(.noResp, noResp)
        cred?.encode(to: &w)
        meta?.encode(to: &w)
        w.element(.correlator, correlator)
        for item in items { item.encode(to: &w) }
        w.unknown(unknown)
        w.end()
    }
}

extension Search {
    func encode(to w: inout some MarkupWriter) {
        w.start(.search)
        w.element(.cmdID, cmdID)
        w.flag(.noResp, noResp)
        w.flag(.noResults, noResults)
        cred?.encode(to: &w)
        target?.encode(.target, to: &w)
        for source in sources { source.encode(.source, to: &w) }
        w.element(.lang, lang)
        meta?.encode(to: &w)
        w.element(.data, data)
        w.unknown(unknown)
        w.end()
    }
}
