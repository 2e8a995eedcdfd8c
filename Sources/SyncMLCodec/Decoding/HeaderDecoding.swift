// Typed parsers: one function per element of the model, each called after the
// element's start tag was consumed and reading its children through its end.
// Unknown children are kept as MarkupElement, never fatal. This file: the header
// and the fields commands share (Target/Source, Cred, Chal).

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
}
