// The model written through a MarkupWriter, children in the order of the
// SyncML 1.2 DTD (OMA-TS-SyncML_RepPro-V1_2 §5-6, OMA-TS-DS_DevInf-V1_2 §5).
// This file: the header and the fields commands share (Location, Cred, Meta, Item).

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
