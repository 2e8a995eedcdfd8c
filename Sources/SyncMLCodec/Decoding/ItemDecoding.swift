// Typed parsers (see HeaderDecoding.swift): Item and its Data, which may hold a
// DevInf inline (XML) or as a nested WBXML document.

extension ElementReader {
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
}
