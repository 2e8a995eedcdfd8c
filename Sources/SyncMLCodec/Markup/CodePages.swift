/// WBXML code-page tables of SyncML 1.0-1.2 (page 0 SyncML, page 1 MetInf) and
/// DevInf 1.0-1.2, kept apart from the codecs that use them.
///
/// One table serves every version: later versions only add tokens (SyncML 1.1
/// added NumberOfChanges/MoreData, 1.2 added Field...Correlator and MetInf
/// FieldLevel; DevInf 1.1 added UTC..SupportLargeObjs, 1.2 Property...SupportHierarchicalSync).
/// DevInf token 0x1C is `Size` up to 1.1 and `MaxSize` in 1.2 (OMA-TS-DS_DevInf-V1_2 §7).
package enum CodePages {
    /// Token 0x05 upwards, in order; empty names are unassigned tokens.
    private static let syncMLNames: [String] = [
        "Add", "Alert", "Archive", "Atomic", "Chal", "Cmd", "CmdID", "CmdRef", "Copy", "Cred", // 05-0E
        "Data", "Delete", "Exec", "Final", "Get", "Item", "Lang", "LocName", "LocURI", "Map", // 0F-18
        "MapItem", "Meta", "MsgID", "MsgRef", "NoResp", "NoResults", "Put", "Replace", "RespURI", "Results", // 19-22
        "Search", "Sequence", "SessionID", "SftDel", "Source", "SourceRef", "Status", "Sync", "SyncBody", "SyncHdr", // 23-2C
        "SyncML", "Target", "TargetRef", "", "VerDTD", "VerProto", "NumberOfChanges", "MoreData", "Field", "Filter", // 2D-36
        "Record", "FilterType", "SourceParent", "TargetParent", "Move", "Correlator", // 37-3C
    ]
    private static let metInfNames: [String] = [
        "Anchor", "EMI", "Format", "FreeID", "FreeMem", "Last", "Mark", "MaxMsgSize", "Mem", "MetInf", // 05-0E
        "Next", "NextNonce", "SharedMem", "Size", "Type", "Version", "MaxObjSize", "FieldLevel", // 0F-16
    ]
    private static let devInfNames: [String] = [
        "CTCap", "CTType", "DataStore", "DataType", "DevID", "DevInf", "DevTyp", "DisplayName", "DSMem", "Ext", // 05-0E
        "FwV", "HwV", "Man", "MaxGUIDSize", "MaxID", "MaxMem", "Mod", "OEM", "ParamName", "PropName", // 0F-18
        "Rx", "Rx-Pref", "SharedMem", "MaxSize", "SourceRef", "SwV", "SyncCap", "SyncType", "Tx", "Tx-Pref", // 19-22
        "ValEnum", "VerCT", "VerDTD", "XNam", "XVal", "UTC", "SupportNumberOfChanges", "SupportLargeObjs", "Property", "PropParam", // 23-2C
        "MaxOccur", "NoTruncate", "", "Filter-Rx", "FilterCap", "FilterKeyword", "FieldLevel", "SupportHierarchicalSync", // 2D-34
    ]

    private static func names(_ namespace: Namespace) -> [String] {
        switch namespace {
        case .syncML: syncMLNames
        case .metInf: metInfNames
        case .devInf: devInfNames
        }
    }

    private static func index(_ namespace: Namespace) -> [String: UInt8] {
        var map: [String: UInt8] = [:]
        for (offset, name) in names(namespace).enumerated() where !name.isEmpty {
            map[name] = UInt8(offset + 5)
        }
        if namespace == .devInf {
            map["Size"] = 0x1C // DevInf 1.0/1.1 spelling of MaxSize
        }
        return map
    }

    private static let syncMLIndex = index(.syncML)
    private static let metInfIndex = index(.metInf)
    private static let devInfIndex = index(.devInf)

    /// The element name of a token, or nil if the token is unassigned.
    package static func name(of tag: Tag) -> String? {
        let table = names(tag.namespace)
        let slot = Int(tag.code) - 5
        guard slot >= 0, slot < table.count, !table[slot].isEmpty else { return nil }
        return table[slot]
    }

    /// The token of an element name in a namespace (case-sensitive, as XML is).
    package static func tag(named name: String, in namespace: Namespace) -> Tag? {
        let code: UInt8?
        switch namespace {
        case .syncML: code = syncMLIndex[name]
        case .metInf: code = metInfIndex[name]
        case .devInf: code = devInfIndex[name]
        }
        return code.map { Tag(namespace, $0) }
    }

    /// The namespace an XML namespace URI stands for (`SYNCML:SYNCML1.2`,
    /// `syncml:metinf`, `syncml:devinf`; compared case-insensitively, as peers vary).
    package static func namespace(forURI uri: String) -> Namespace? {
        switch uri.lowercased() {
        case "syncml:syncml1.0", "syncml:syncml1.1", "syncml:syncml1.2": .syncML
        case "syncml:metinf": .metInf
        case "syncml:devinf": .devInf
        default: nil
        }
    }
}

extension Tag: CustomStringConvertible {
    package var description: String {
        CodePages.name(of: self) ?? "page-\(namespace.rawValue)-token-0x\(String(code, radix: 16, uppercase: true))"
    }
}

/// Named tags used by the codec (a subset; the tables above hold them all).
extension Tag {
    // SyncML, page 0
    package static let add = Tag(.syncML, 0x05)
    package static let alert = Tag(.syncML, 0x06)
    package static let archive = Tag(.syncML, 0x07)
    package static let atomic = Tag(.syncML, 0x08)
    package static let chal = Tag(.syncML, 0x09)
    package static let cmd = Tag(.syncML, 0x0A)
    package static let cmdID = Tag(.syncML, 0x0B)
    package static let cmdRef = Tag(.syncML, 0x0C)
    package static let copy = Tag(.syncML, 0x0D)
    package static let cred = Tag(.syncML, 0x0E)
    package static let data = Tag(.syncML, 0x0F)
    package static let delete = Tag(.syncML, 0x10)
    package static let exec = Tag(.syncML, 0x11)
    package static let final = Tag(.syncML, 0x12)
    package static let get = Tag(.syncML, 0x13)
    package static let item = Tag(.syncML, 0x14)
    package static let lang = Tag(.syncML, 0x15)
    package static let locName = Tag(.syncML, 0x16)
    package static let locURI = Tag(.syncML, 0x17)
    package static let map = Tag(.syncML, 0x18)
    package static let mapItem = Tag(.syncML, 0x19)
    package static let meta = Tag(.syncML, 0x1A)
    package static let msgID = Tag(.syncML, 0x1B)
    package static let msgRef = Tag(.syncML, 0x1C)
    package static let noResp = Tag(.syncML, 0x1D)
    package static let noResults = Tag(.syncML, 0x1E)
    package static let put = Tag(.syncML, 0x1F)
    package static let replace = Tag(.syncML, 0x20)
    package static let respURI = Tag(.syncML, 0x21)
    package static let results = Tag(.syncML, 0x22)
    package static let search = Tag(.syncML, 0x23)
    package static let sequence = Tag(.syncML, 0x24)
    package static let sessionID = Tag(.syncML, 0x25)
    package static let sftDel = Tag(.syncML, 0x26)
    package static let source = Tag(.syncML, 0x27)
    package static let sourceRef = Tag(.syncML, 0x28)
    package static let status = Tag(.syncML, 0x29)
    package static let sync = Tag(.syncML, 0x2A)
    package static let syncBody = Tag(.syncML, 0x2B)
    package static let syncHdr = Tag(.syncML, 0x2C)
    package static let syncML = Tag(.syncML, 0x2D)
    package static let target = Tag(.syncML, 0x2E)
    package static let targetRef = Tag(.syncML, 0x2F)
    package static let verDTD = Tag(.syncML, 0x31)
    package static let verProto = Tag(.syncML, 0x32)
    package static let numberOfChanges = Tag(.syncML, 0x33)
    package static let moreData = Tag(.syncML, 0x34)
    package static let field = Tag(.syncML, 0x35)
    package static let filter = Tag(.syncML, 0x36)
    package static let record = Tag(.syncML, 0x37)
    package static let filterType = Tag(.syncML, 0x38)
    package static let sourceParent = Tag(.syncML, 0x39)
    package static let targetParent = Tag(.syncML, 0x3A)
    package static let move = Tag(.syncML, 0x3B)
    package static let correlator = Tag(.syncML, 0x3C)

    // MetInf, page 1
    package static let anchor = Tag(.metInf, 0x05)
    package static let emi = Tag(.metInf, 0x06)
    package static let format = Tag(.metInf, 0x07)
    package static let freeID = Tag(.metInf, 0x08)
    package static let freeMem = Tag(.metInf, 0x09)
    package static let last = Tag(.metInf, 0x0A)
    package static let mark = Tag(.metInf, 0x0B)
    package static let maxMsgSize = Tag(.metInf, 0x0C)
    package static let mem = Tag(.metInf, 0x0D)
    package static let metInf = Tag(.metInf, 0x0E)
    package static let next = Tag(.metInf, 0x0F)
    package static let nextNonce = Tag(.metInf, 0x10)
    package static let sharedMem = Tag(.metInf, 0x11)
    package static let size = Tag(.metInf, 0x12)
    package static let type = Tag(.metInf, 0x13)
    package static let version = Tag(.metInf, 0x14)
    package static let maxObjSize = Tag(.metInf, 0x15)
    package static let fieldLevel = Tag(.metInf, 0x16)
}

/// DevInf tags (page 0 of a DevInf document).
package enum DevInfTag {
    package static let ctCap = Tag(.devInf, 0x05)
    package static let ctType = Tag(.devInf, 0x06)
    package static let dataStore = Tag(.devInf, 0x07)
    package static let dataType = Tag(.devInf, 0x08)
    package static let devID = Tag(.devInf, 0x09)
    package static let devInf = Tag(.devInf, 0x0A)
    package static let devTyp = Tag(.devInf, 0x0B)
    package static let displayName = Tag(.devInf, 0x0C)
    package static let dsMem = Tag(.devInf, 0x0D)
    package static let ext = Tag(.devInf, 0x0E)
    package static let fwV = Tag(.devInf, 0x0F)
    package static let hwV = Tag(.devInf, 0x10)
    package static let man = Tag(.devInf, 0x11)
    package static let maxGUIDSize = Tag(.devInf, 0x12)
    package static let maxID = Tag(.devInf, 0x13)
    package static let maxMem = Tag(.devInf, 0x14)
    package static let mod = Tag(.devInf, 0x15)
    package static let oem = Tag(.devInf, 0x16)
    package static let paramName = Tag(.devInf, 0x17)
    package static let propName = Tag(.devInf, 0x18)
    package static let rx = Tag(.devInf, 0x19)
    package static let rxPref = Tag(.devInf, 0x1A)
    package static let sharedMem = Tag(.devInf, 0x1B)
    package static let maxSize = Tag(.devInf, 0x1C)
    package static let sourceRef = Tag(.devInf, 0x1D)
    package static let swV = Tag(.devInf, 0x1E)
    package static let syncCap = Tag(.devInf, 0x1F)
    package static let syncType = Tag(.devInf, 0x20)
    package static let tx = Tag(.devInf, 0x21)
    package static let txPref = Tag(.devInf, 0x22)
    package static let valEnum = Tag(.devInf, 0x23)
    package static let verCT = Tag(.devInf, 0x24)
    package static let verDTD = Tag(.devInf, 0x25)
    package static let xNam = Tag(.devInf, 0x26)
    package static let xVal = Tag(.devInf, 0x27)
    package static let utc = Tag(.devInf, 0x28)
    package static let supportNumberOfChanges = Tag(.devInf, 0x29)
    package static let supportLargeObjs = Tag(.devInf, 0x2A)
    package static let property = Tag(.devInf, 0x2B)
    package static let propParam = Tag(.devInf, 0x2C)
    package static let maxOccur = Tag(.devInf, 0x2D)
    package static let noTruncate = Tag(.devInf, 0x2E)
    package static let filterRx = Tag(.devInf, 0x30)
    package static let filterCap = Tag(.devInf, 0x31)
    package static let filterKeyword = Tag(.devInf, 0x32)
    package static let fieldLevel = Tag(.devInf, 0x33)
    package static let supportHierarchicalSync = Tag(.devInf, 0x34)
}
