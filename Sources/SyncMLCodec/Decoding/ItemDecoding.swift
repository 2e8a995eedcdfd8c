// Typed parsers (see HeaderDecoding.swift): Item and its Data, which may hold a
// DevInf inline (XML) or as a nested WBXML document.

extension ElementReader {
    mutating func item() throws(SyncMLDecodingError) -> Item {
        // Fields in locals, the Item built once (see `itemCommand()`).
        var target: Location? = nil, source: Location? = nil
        var sourceParent: String? = nil, targetParent: String? = nil
        var meta: Meta? = nil
        var data: ItemData? = nil
        var moreData = false
        var unknown: [MarkupElement] = []
        while let child = try nextChild() {
            switch child.tag(in: .syncML) {
            case .target?: target = try location()
            case .source?: source = try location()
            case .sourceParent?: sourceParent = try parentURI()
            case .targetParent?: targetParent = try parentURI()
            case .meta?: meta = try self.meta()
            case .data?: data = try itemData()
            case .moreData?: try skip(); moreData = true
            default: unknown.append(try self.unknown(child))
            }
        }
        return Item(target: target, source: source, sourceParent: sourceParent, targetParent: targetParent,
                    meta: meta, data: data, moreData: moreData, unknown: unknown)
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
