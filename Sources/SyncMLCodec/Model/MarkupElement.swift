/// An element the typed model does not know, kept as it came so that nothing a
/// peer sent is lost (an `X-` extension, a newer DTD's element, a LITERAL tag).
public struct MarkupElement: Hashable, Sendable {
    /// The XML namespace URI (`syncml:metinf`, a vendor's); empty for the
    /// message's own SyncML namespace. WBXML cannot carry foreign namespaces:
    /// an element that travelled as a WBXML LITERAL comes back with "".
    public var namespace: String
    /// The local name, e.g. `Filter`; for an unassigned WBXML token
    /// `page-P-token-0xTT`.
    public var name: String
    /// The content in order: child elements, text, OPAQUE bytes.
    public var content: [MarkupNode]

    /// An element of `namespace` (empty: SyncML) named `name`.
    public init(namespace: String, name: String, content: [MarkupNode] = []) {
        self.namespace = namespace
        self.name = name
        self.content = content
    }
}

/// A piece of an unknown element's content.
public enum MarkupNode: Hashable, Sendable {
    /// A child element.
    case element(MarkupElement)
    /// Character data.
    case text(String)
    /// WBXML OPAQUE bytes.
    case bytes([UInt8])
}
