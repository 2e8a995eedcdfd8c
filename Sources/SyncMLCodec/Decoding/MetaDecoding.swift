// Typed parsers (see HeaderDecoding.swift): Meta and its MetInf children.

extension ElementReader {
    /// A Meta is 56 bytes (its rare fields boxed): built and returned, not
    /// filled in place.
    mutating func meta() throws(SyncMLDecodingError) -> Meta {
        var meta = Meta()
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
        return meta
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
}
