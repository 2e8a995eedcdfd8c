// A DevInf written through a MarkupWriter in the order of OMA-TS-DS_DevInf-V1_2 §5:
// CTCaps nested per type in 1.2, flat in one CTCap in 1.0/1.1.

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
