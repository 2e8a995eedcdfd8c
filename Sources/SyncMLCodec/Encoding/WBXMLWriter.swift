/// Writes markup as a WBXML 1.2 document (WAP-192-WBXML) with the SyncML or
/// DevInf code pages: UTF-8 (charset 106), item data as OPAQUE, a DevInf as
/// a nested WBXML document inside OPAQUE, as SyncEvolution and phones expect.
package struct WBXMLWriter: MarkupWriter {
    /// Which vocabulary page 0 holds.
    package enum Document {
        case syncML(SyncMLVersion)
        case devInf(SyncMLVersion)
    }

    /// Which document this is; settable until `bytes()`, which writes it in the
    /// header (a DevInf's version is known only once its VerDTD has been read).
    package var document: Document
    private var body: [UInt8] = []
    private var stringTable: [UInt8] = []
    private var literalOffsets: [String: UInt32] = [:]
    private var page: UInt8 = 0

    package init(_ document: Document) {
        self.document = document
    }

    /// The complete document: header, string table, body.
    package func bytes() -> [UInt8] {
        var out: [UInt8] = [0x02] // WBXML 1.2
        switch document {
        case .syncML(let version): Self.appendMultiByte(version.syncMLPublicID, to: &out)
        case .devInf(let version): Self.appendMultiByte(version.devInfPublicID, to: &out)
        }
        Self.appendMultiByte(106, to: &out) // UTF-8
        Self.appendMultiByte(UInt32(stringTable.count), to: &out)
        out.append(contentsOf: stringTable)
        out.append(contentsOf: body)
        return out
    }

    /// mb_u_int32: 7 bits per byte, most significant first, high bit = more.
    static func appendMultiByte(_ value: UInt32, to out: inout [UInt8]) {
        var groups: [UInt8] = [UInt8(value & 0x7F)]
        var rest = value >> 7
        while rest > 0 {
            groups.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        out.append(contentsOf: groups.reversed())
    }

    private func pageAndToken(_ tag: Tag) -> (UInt8, UInt8)? {
        switch (document, tag.namespace) {
        case (.syncML, .syncML): (0, tag.code)
        case (.syncML, .metInf): (1, tag.code)
        case (.devInf, .devInf): (0, tag.code)
        default: nil
        }
    }

    private mutating func switchPage(_ target: UInt8) {
        if target != page {
            body.append(0x00)
            body.append(target)
            page = target
        }
    }

    private mutating func writeTag(_ tag: Tag, content: Bool) {
        guard let (target, token) = pageAndToken(tag) else {
            writeLiteral(CodePages.name(of: tag) ?? tag.description, content: content)
            return
        }
        switchPage(target)
        body.append(token | (content ? 0x40 : 0))
    }

    private mutating func writeLiteral(_ name: String, content: Bool) {
        let offset: UInt32
        if let known = literalOffsets[name] {
            offset = known
        } else {
            offset = UInt32(stringTable.count)
            stringTable.append(contentsOf: name.utf8)
            stringTable.append(0)
            literalOffsets[name] = offset
        }
        body.append(content ? 0x44 : 0x04)
        Self.appendMultiByte(offset, to: &body)
    }

    package var isWBXML: Bool { true }

    package mutating func start(_ tag: Tag) { writeTag(tag, content: true) }
    package mutating func empty(_ tag: Tag) { writeTag(tag, content: false) }
    package mutating func end() { body.append(0x01) }

    package mutating func text(_ string: String) {
        if string.utf8.contains(0) {
            data(ArraySlice(string.utf8)) // STR_I cannot hold NUL
            return
        }
        body.append(0x03)
        body.append(contentsOf: string.utf8)
        body.append(0x00)
    }

    package mutating func start(_ name: ElementName, empty: Bool) {
        switch name {
        case .known(let tag):
            writeTag(tag, content: !empty)
        case .unknown(_, let local):
            if let raw = MarkupElement.rawToken(named: local) {
                switchPage(raw.page)
                body.append(raw.token | (empty ? 0 : 0x40))
            } else {
                writeLiteral(local, content: !empty)
            }
        }
    }

    package mutating func text(bytes: ArraySlice<UInt8>) {
        if bytes.contains(0) {
            data(bytes) // STR_I cannot hold NUL
            return
        }
        body.append(0x03)
        body.append(contentsOf: bytes)
        body.append(0x00)
    }

    package mutating func data(_ bytes: ArraySlice<UInt8>) {
        body.append(0xC3)
        Self.appendMultiByte(UInt32(bytes.count), to: &body)
        body.append(contentsOf: bytes)
    }

    package mutating func devInf(_ info: DevInf) {
        var nested = WBXMLWriter(.devInf(info.version))
        info.encode(to: &nested)
        data(nested.bytes()[...])
    }

    package mutating func unknown(_ element: MarkupElement) {
        let content = !element.content.isEmpty
        if let tag = element.knownTag {
            writeTag(tag, content: content)
        } else if let raw = element.rawToken {
            switchPage(raw.page)
            body.append(raw.token | (content ? 0x40 : 0))
        } else {
            writeLiteral(element.name, content: content)
        }
        guard content else { return }
        for node in element.content {
            switch node {
            case .element(let child): unknown(child)
            case .text(let string): text(string)
            case .bytes(let bytes): data(bytes[...])
            }
        }
        end()
    }
}
