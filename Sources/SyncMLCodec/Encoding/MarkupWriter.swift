/// A sink for markup, written as WBXML or XML. The model's `encode(to:)`
/// functions speak only to this protocol.
package protocol MarkupWriter {
    /// True for WBXML: decides the DevInf MIME type written with a DevInf.
    var isWBXML: Bool { get }
    /// Opens an element that has content.
    mutating func start(_ tag: Tag)
    /// Closes the innermost open element.
    mutating func end()
    /// Writes an element without content (`<Final/>`).
    mutating func empty(_ tag: Tag)
    /// Character data.
    mutating func text(_ string: String)
    /// Item data: WBXML OPAQUE, XML CDATA.
    mutating func data(_ bytes: ArraySlice<UInt8>)
    /// A DevInf document as item data: nested WBXML in OPAQUE, inline XML.
    mutating func devInf(_ info: DevInf)
    /// An element the model keeps but does not name.
    mutating func unknown(_ element: MarkupElement)

    // Token by token, as a tokenizer saw the markup (`SyncMLTranscoder`).

    /// Opens an element by the name a tokenizer gave it; `empty`: it has no content.
    mutating func start(_ name: ElementName, empty: Bool)
    /// Character data as UTF-8 bytes.
    mutating func text(bytes: ArraySlice<UInt8>)
}

extension MarkupWriter {
    mutating func element(_ tag: Tag, _ value: String) {
        start(tag)
        text(value)
        end()
    }

    mutating func element(_ tag: Tag, _ value: String?) {
        if let value { element(tag, value) }
    }

    mutating func element(_ tag: Tag, _ value: Int?) {
        if let value { element(tag, String(value)) }
    }

    mutating func flag(_ tag: Tag, _ isSet: Bool) {
        if isSet { empty(tag) }
    }

    mutating func unknown(_ elements: [MarkupElement]) {
        for element in elements { unknown(element) }
    }
}

/// Resolves a kept element's name to a known tag, if it is one.
extension MarkupElement {
    var knownTag: Tag? {
        guard let namespace = namespace.isEmpty ? .syncML : CodePages.namespace(forURI: namespace) else { return nil }
        return CodePages.tag(named: name, in: namespace)
    }

    /// `page-P-token-0xTT`: an unassigned WBXML token kept by name.
    var rawToken: (page: UInt8, token: UInt8)? { Self.rawToken(named: name) }

    /// The page and token an element name `page-P-token-0xTT` stands for.
    static func rawToken(named name: String) -> (page: UInt8, token: UInt8)? {
        let parts = name.split(separator: "-")
        guard parts.count == 4, parts[0] == "page", parts[2] == "token", parts[3].hasPrefix("0x"),
              let page = UInt8(parts[1]), let token = UInt8(parts[3].dropFirst(2), radix: 16) else { return nil }
        return (page, token)
    }
}
