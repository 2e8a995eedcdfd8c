// DevInf parsers (OMA-TS-DS_DevInf 1.2 §5-6, and the flat CTCap of 1.0/1.1).

extension ElementReader {
    mutating func devInf() throws(SyncMLDecodingError) -> DevInf {
        var info = DevInf(verDTD: "", devID: "", devType: "")
        while let child = try nextChild() {
            guard let tag = child.tag(in: .devInf) else {
                info.unknown.append(try unknown(child))
                continue
            }
            switch tag {
            case DevInfTag.verDTD: info.verDTD = try trimmed()
            case DevInfTag.man: info.manufacturer = try string()
            case DevInfTag.mod: info.model = try string()
            case DevInfTag.oem: info.oem = try string()
            case DevInfTag.fwV: info.firmwareVersion = try string()
            case DevInfTag.swV: info.softwareVersion = try string()
            case DevInfTag.hwV: info.hardwareVersion = try string()
            case DevInfTag.devID: info.devID = try trimmed()
            case DevInfTag.devTyp: info.devType = try trimmed()
            case DevInfTag.utc: try skip(); info.utc = true
            case DevInfTag.supportLargeObjs: try skip(); info.supportsLargeObjects = true
            case DevInfTag.supportNumberOfChanges: try skip(); info.supportsNumberOfChanges = true
            case DevInfTag.dataStore: info.dataStores.append(try dataStore())
            case DevInfTag.ctCap: info.ctCaps.append(contentsOf: try ctCaps())
            case DevInfTag.ext: info.extensions.append(try devInfExtension())
            default: info.unknown.append(try unknown(child))
            }
        }
        return info
    }

    mutating func dataStore() throws(SyncMLDecodingError) -> DataStore {
        var store = DataStore(sourceRef: "")
        while let child = try nextChild() {
            guard let tag = child.tag(in: .devInf) else {
                store.unknown.append(try unknown(child))
                continue
            }
            switch tag {
            case DevInfTag.sourceRef: store.sourceRef = try trimmed()
            case DevInfTag.displayName: store.displayName = try string()
            case DevInfTag.maxGUIDSize: store.maxGUIDSize = try integer("MaxGUIDSize")
            case DevInfTag.rxPref: store.rxPref = try contentType()
            case DevInfTag.rx: store.rx.append(try contentType())
            case DevInfTag.txPref: store.txPref = try contentType()
            case DevInfTag.tx: store.tx.append(try contentType())
            case DevInfTag.ctCap: store.ctCaps.append(contentsOf: try ctCaps())
            case DevInfTag.dsMem: store.dsMem = try dataStoreMemory()
            case DevInfTag.supportHierarchicalSync: try skip(); store.supportsHierarchicalSync = true
            case DevInfTag.syncCap:
                while let type = try nextChild() {
                    if type.tag(in: .devInf) == DevInfTag.syncType {
                        store.syncTypes.append(try integer("SyncType"))
                    } else {
                        try skip()
                    }
                }
            default: store.unknown.append(try unknown(child))
            }
        }
        return store
    }

    mutating func contentType() throws(SyncMLDecodingError) -> ContentTypeVersion {
        var type = ContentTypeVersion("")
        while let child = try nextChild() {
            switch child.tag(in: .devInf) {
            case DevInfTag.ctType?: type.type = try trimmed()
            case DevInfTag.verCT?: type.version = try trimmed()
            default: try skip()
            }
        }
        return type
    }

    mutating func dataStoreMemory() throws(SyncMLDecodingError) -> DataStoreMemory {
        var memory = DataStoreMemory()
        while let child = try nextChild() {
            switch child.tag(in: .devInf) {
            case DevInfTag.sharedMem?: try skip(); memory.sharedMem = true
            case DevInfTag.maxMem?: memory.maxMem = try integer("MaxMem")
            case DevInfTag.maxID?: memory.maxID = try integer("MaxID")
            default: try skip()
            }
        }
        return memory
    }

    mutating func devInfExtension() throws(SyncMLDecodingError) -> DevInfExtension {
        var ext = DevInfExtension(name: "")
        while let child = try nextChild() {
            switch child.tag(in: .devInf) {
            case DevInfTag.xNam?: ext.name = try string()
            case DevInfTag.xVal?: ext.values.append(try string())
            default: try skip()
            }
        }
        return ext
    }

    /// One `CTCap` element. DevInf 1.2 gives one type with nested `Property`
    /// elements; 1.0/1.1 list several types flat: each `CTType` starts a
    /// capability, each `PropName` a property, each `ParamName` a parameter.
    mutating func ctCaps() throws(SyncMLDecodingError) -> [CTCap] {
        var caps: [CTCap] = []
        var inParameter = false
        func current() throws(SyncMLDecodingError) -> Int {
            if caps.isEmpty { caps.append(CTCap(ctType: "")) }
            return caps.count - 1
        }
        while let child = try nextChild() {
            switch child.tag(in: .devInf) {
            case DevInfTag.ctType?:
                let type = try trimmed()
                // 1.2 puts CTType first, once; a second one starts the next (flat) capability.
                if let last = caps.last, last.ctType.isEmpty {
                    caps[caps.count - 1].ctType = type
                } else {
                    caps.append(CTCap(ctType: type))
                }
                inParameter = false
            case DevInfTag.verCT?:
                caps[try current()].verCT = try trimmed()
            case DevInfTag.fieldLevel?:
                try skip()
                caps[try current()].fieldLevel = true
            case DevInfTag.property?:
                caps[try current()].properties.append(try ctProperty())
            case DevInfTag.propName?:
                caps[try current()].properties.append(CTProperty(name: try trimmed()))
                inParameter = false
            case DevInfTag.paramName?:
                let c = try current()
                let name = try trimmed()
                if caps[c].properties.isEmpty { caps[c].properties.append(CTProperty(name: "")) }
                caps[c].properties[caps[c].properties.count - 1].parameters.append(CTParameter(name: name))
                inParameter = true
            case let tag? where [DevInfTag.valEnum, DevInfTag.dataType, DevInfTag.maxSize, DevInfTag.displayName,
                                 DevInfTag.maxOccur, DevInfTag.noTruncate].contains(tag):
                let c = try current()
                if caps[c].properties.isEmpty { caps[c].properties.append(CTProperty(name: "")) }
                let p = caps[c].properties.count - 1
                if inParameter, !caps[c].properties[p].parameters.isEmpty {
                    let q = caps[c].properties[p].parameters.count - 1
                    try flatValue(tag, into: &caps[c].properties[p].parameters[q])
                } else {
                    try flatValue(tag, into: &caps[c].properties[p])
                }
            default:
                try skip()
            }
        }
        return caps
    }

    private mutating func flatValue(_ tag: Tag, into property: inout CTProperty) throws(SyncMLDecodingError) {
        switch tag {
        case DevInfTag.valEnum: property.values.append(try string())
        case DevInfTag.dataType: property.dataType = try trimmed()
        case DevInfTag.maxSize: property.maxSize = try integer("Size")
        case DevInfTag.displayName: property.displayName = try string()
        case DevInfTag.maxOccur: property.maxOccur = try integer("MaxOccur")
        case DevInfTag.noTruncate: try skip(); property.noTruncate = true
        default: try skip()
        }
    }

    private mutating func flatValue(_ tag: Tag, into parameter: inout CTParameter) throws(SyncMLDecodingError) {
        switch tag {
        case DevInfTag.valEnum: parameter.values.append(try string())
        case DevInfTag.dataType: parameter.dataType = try trimmed()
        case DevInfTag.displayName: parameter.displayName = try string()
        default: try skip()
        }
    }

    /// A DevInf 1.2 `Property`.
    mutating func ctProperty() throws(SyncMLDecodingError) -> CTProperty {
        var property = CTProperty(name: "")
        while let child = try nextChild() {
            switch child.tag(in: .devInf) {
            case DevInfTag.propName?: property.name = try trimmed()
            case DevInfTag.propParam?: property.parameters.append(try ctParameter())
            case let tag?: try flatValue(tag, into: &property)
            case nil: try skip()
            }
        }
        return property
    }

    /// A DevInf 1.2 `PropParam`.
    mutating func ctParameter() throws(SyncMLDecodingError) -> CTParameter {
        var parameter = CTParameter(name: "")
        while let child = try nextChild() {
            switch child.tag(in: .devInf) {
            case DevInfTag.paramName?: parameter.name = try trimmed()
            case let tag?: try flatValue(tag, into: &parameter)
            case nil: try skip()
            }
        }
        return parameter
    }
}

/// A DevInf sent in WBXML as its own WBXML document inside OPAQUE
/// (what SyncEvolution and most phones do).
enum NestedWBXML {
    /// Does `bytes` start with a WBXML header naming a DevInf public id?
    static func isDevInfDocument(_ bytes: ArraySlice<UInt8>) -> Bool {
        var i = bytes.startIndex
        guard i < bytes.endIndex, bytes[i] <= 0x03 else { return false }
        i += 1
        var id: UInt32 = 0
        for _ in 0..<5 {
            guard i < bytes.endIndex else { return false }
            let byte = bytes[i]
            i += 1
            id = (id << 7) | UInt32(byte & 0x7F)
            if byte & 0x80 == 0 { break }
        }
        if id == 0 {
            // String-table form: the name is in the table near the start.
            let head = bytes.prefix(96)
            return String(decoding: head, as: UTF8.self).contains("DTD DevInf")
        }
        return [0x0FD2, 0x0FD4, 0x1203].contains(id)
    }

    static func decodeDevInf(_ bytes: ArraySlice<UInt8>, at offset: Int) throws(SyncMLDecodingError) -> DevInf {
        var tokenizer = WBXMLTokenizer()
        tokenizer.feed(bytes)
        tokenizer.finish()
        var tokens: [MarkupToken] = []
        var offsets: [Int] = []
        do {
            while case .token(let token) = try tokenizer.next() {
                offsets.append(offset + tokenizer.offset)
                tokens.append(token)
            }
        } catch {
            throw SyncMLDecodingError(error.kind, at: offset + error.offset, "in the DevInf inside OPAQUE: \(error.reason)")
        }
        var reader = ElementReader(tokens: tokens, offsets: offsets)
        let root = try reader.open()
        guard root.tag(in: .devInf) == DevInfTag.devInf else {
            throw SyncMLDecodingError(.unexpectedElement, at: offset, "the nested WBXML document is not a <DevInf>")
        }
        return try reader.devInf()
    }
}
