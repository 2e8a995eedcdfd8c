// The model written through a MarkupWriter, children in the order of the
// SyncML 1.2 DTD (OMA-TS-SyncML_RepPro-V1_2 §5-6, OMA-TS-DS_DevInf-V1_2 §5).

extension SyncHeader {
    func encode(to w: inout some MarkupWriter) {
        w.start(.syncHdr)
        w.element(.verDTD, verDTD)
        w.element(.verProto, verProto)
        w.element(.sessionID, sessionID)
        w.element(.msgID, msgID)
        target.encode(.target, to: &w)
        source.encode(.source, to: &w)
        w.element(.respURI, respURI)
        w.flag(.noResp, noResp)
        cred?.encode(to: &w)
        meta?.encode(to: &w)
        w.unknown(unknown)
        w.end()
    }
}

extension Location {
    func encode(_ tag: Tag, to w: inout some MarkupWriter) {
        w.start(tag)
        w.element(.locURI, locURI)
        w.element(.locName, locName)
        w.unknown(unknown)
        w.end()
    }
}

extension Credential {
    func encode(to w: inout some MarkupWriter) {
        w.start(.cred)
        meta?.encode(to: &w)
        w.element(.data, data)
        w.end()
    }
}

extension Meta {
    func encode(to w: inout some MarkupWriter, devInfType: Bool = false) {
        w.start(.meta)
        w.element(.format, format)
        if let type {
            w.element(.type, devInfType ? Meta.devInfType(type, wbxml: w.isWBXML) : type)
        }
        w.element(.mark, mark)
        w.element(.size, size)
        if let anchor { anchor.encode(to: &w) }
        w.element(.version, version)
        w.element(.nextNonce, nextNonce)
        w.element(.maxMsgSize, maxMsgSize)
        w.element(.maxObjSize, maxObjSize)
        for value in emi { w.element(.emi, value) }
        if let mem {
            w.start(.mem)
            w.flag(.sharedMem, mem.sharedMem)
            w.element(.freeMem, mem.freeMem)
            w.element(.freeID, mem.freeID)
            w.end()
        }
        w.flag(.fieldLevel, fieldLevel)
        w.unknown(unknown)
        w.end()
    }

    /// A DevInf travels as nested WBXML or inline XML; the MIME type on a Get,
    /// Put or Results for it must say which (libwbxml2 and SyncEvolution
    /// rewrite it the same way).
    static func devInfType(_ type: String, wbxml: Bool) -> String {
        switch type.lowercased() {
        case "application/vnd.syncml-devinf+xml", "application/vnd.syncml-devinf+wbxml":
            wbxml ? "application/vnd.syncml-devinf+wbxml" : "application/vnd.syncml-devinf+xml"
        default:
            type
        }
    }
}

extension Anchor {
    func encode(to w: inout some MarkupWriter) {
        w.start(.anchor)
        w.element(.last, last)
        w.element(.next, next)
        w.end()
    }
}

extension Item {
    var carriesDevInf: Bool {
        if case .devInf? = data { true } else { false }
    }

    func encode(to w: inout some MarkupWriter) {
        w.start(.item)
        target?.encode(.target, to: &w)
        source?.encode(.source, to: &w)
        if let sourceParent { Location(sourceParent).encode(.sourceParent, to: &w) }
        if let targetParent { Location(targetParent).encode(.targetParent, to: &w) }
        meta?.encode(to: &w, devInfType: carriesDevInf)
        if let data {
            w.start(.data)
            switch data {
            case .bytes(let bytes): w.data(bytes)
            case .devInf(let info): w.devInf(info)
            case .anchor(let anchor): anchor.encode(to: &w)
            case .markup(let elements): w.unknown(elements)
            }
            w.end()
        }
        w.flag(.moreData, moreData)
        w.unknown(unknown)
        w.end()
    }
}

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

extension DevInf {
    func encode(to w: inout some MarkupWriter) {
        let flat = version < .v1_2
        w.start(DevInfTag.devInf)
        w.element(DevInfTag.verDTD, verDTD)
        w.element(DevInfTag.man, manufacturer)
        w.element(DevInfTag.mod, model)
        w.element(DevInfTag.oem, oem)
        w.element(DevInfTag.fwV, firmwareVersion)
        w.element(DevInfTag.swV, softwareVersion)
        w.element(DevInfTag.hwV, hardwareVersion)
        w.element(DevInfTag.devID, devID)
        w.element(DevInfTag.devTyp, devType)
        w.flag(DevInfTag.utc, utc)
        w.flag(DevInfTag.supportLargeObjs, supportsLargeObjects)
        w.flag(DevInfTag.supportNumberOfChanges, supportsNumberOfChanges)
        for store in dataStores { store.encode(to: &w, flat: flat) }
        if flat {
            CTCap.encodeFlat(ctCaps, to: &w)
        } else {
            for cap in ctCaps { cap.encode(to: &w) }
        }
        for ext in extensions {
            w.start(DevInfTag.ext)
            w.element(DevInfTag.xNam, ext.name)
            for value in ext.values { w.element(DevInfTag.xVal, value) }
            w.end()
        }
        w.unknown(unknown)
        w.end()
    }
}

extension ContentTypeVersion {
    func encode(_ tag: Tag, to w: inout some MarkupWriter) {
        w.start(tag)
        w.element(DevInfTag.ctType, type)
        w.element(DevInfTag.verCT, version)
        w.end()
    }
}

extension DataStore {
    func encode(to w: inout some MarkupWriter, flat: Bool) {
        w.start(DevInfTag.dataStore)
        w.element(DevInfTag.sourceRef, sourceRef)
        w.element(DevInfTag.displayName, displayName)
        w.element(DevInfTag.maxGUIDSize, maxGUIDSize)
        rxPref?.encode(DevInfTag.rxPref, to: &w)
        for type in rx { type.encode(DevInfTag.rx, to: &w) }
        txPref?.encode(DevInfTag.txPref, to: &w)
        for type in tx { type.encode(DevInfTag.tx, to: &w) }
        if flat {
            CTCap.encodeFlat(ctCaps, to: &w)
        } else {
            for cap in ctCaps { cap.encode(to: &w) }
        }
        if let dsMem {
            w.start(DevInfTag.dsMem)
            w.flag(DevInfTag.sharedMem, dsMem.sharedMem)
            w.element(DevInfTag.maxMem, dsMem.maxMem)
            w.element(DevInfTag.maxID, dsMem.maxID)
            w.end()
        }
        w.flag(DevInfTag.supportHierarchicalSync, supportsHierarchicalSync)
        if !syncTypes.isEmpty {
            w.start(DevInfTag.syncCap)
            for type in syncTypes { w.element(DevInfTag.syncType, type) }
            w.end()
        }
        w.unknown(unknown)
        w.end()
    }
}

extension CTCap {
    /// DevInf 1.2: one CTCap per type, properties nested.
    func encode(to w: inout some MarkupWriter) {
        w.start(DevInfTag.ctCap)
        w.element(DevInfTag.ctType, ctType)
        w.element(DevInfTag.verCT, verCT)
        w.flag(DevInfTag.fieldLevel, fieldLevel)
        for property in properties {
            w.start(DevInfTag.property)
            w.element(DevInfTag.propName, property.name)
            w.element(DevInfTag.dataType, property.dataType)
            w.element(DevInfTag.maxOccur, property.maxOccur)
            w.element(DevInfTag.maxSize, property.maxSize)
            w.flag(DevInfTag.noTruncate, property.noTruncate)
            for value in property.values { w.element(DevInfTag.valEnum, value) }
            w.element(DevInfTag.displayName, property.displayName)
            for parameter in property.parameters {
                w.start(DevInfTag.propParam)
                w.element(DevInfTag.paramName, parameter.name)
                w.element(DevInfTag.dataType, parameter.dataType)
                for value in parameter.values { w.element(DevInfTag.valEnum, value) }
                w.element(DevInfTag.displayName, parameter.displayName)
                w.end()
            }
            w.end()
        }
        w.end()
    }

    /// DevInf 1.0/1.1: all types in one CTCap, properties and parameters flat.
    static func encodeFlat(_ caps: [CTCap], to w: inout some MarkupWriter) {
        guard !caps.isEmpty else { return }
        w.start(DevInfTag.ctCap)
        for cap in caps {
            w.element(DevInfTag.ctType, cap.ctType)
            w.element(DevInfTag.verCT, cap.verCT)
            w.flag(DevInfTag.fieldLevel, cap.fieldLevel)
            for property in cap.properties {
                w.element(DevInfTag.propName, property.name)
                for value in property.values { w.element(DevInfTag.valEnum, value) }
                w.element(DevInfTag.dataType, property.dataType)
                if let size = property.maxSize {
                    // DevInf 1.0/1.1 spell token 0x1C `Size`.
                    w.unknown(MarkupElement(namespace: "syncml:devinf", name: "Size", content: [.text(String(size))]))
                }
                w.element(DevInfTag.maxOccur, property.maxOccur)
                w.flag(DevInfTag.noTruncate, property.noTruncate)
                w.element(DevInfTag.displayName, property.displayName)
                for parameter in property.parameters {
                    w.element(DevInfTag.paramName, parameter.name)
                    for value in parameter.values { w.element(DevInfTag.valEnum, value) }
                    w.element(DevInfTag.dataType, parameter.dataType)
                    w.element(DevInfTag.displayName, parameter.displayName)
                }
            }
        }
        w.end()
    }
}
