/// `Item`: the unit of data a command carries (RepPro §5.1.9).
public struct Item: Hashable, Sendable {
    /// `Target`: where the item goes (the recipient's id for it).
    public var target: Location?
    /// `Source`: where the item comes from (the sender's id for it).
    public var source: Location?
    /// `SourceParent/LocURI` (DS 1.2 hierarchical sync).
    public var sourceParent: String?
    /// `TargetParent/LocURI` (DS 1.2 hierarchical sync).
    public var targetParent: String?
    /// `Meta`: e.g. the data's `Type`, `Format` and, for a chunked object, `Size`.
    public var meta: Meta?
    /// `Data`: the record, a DevInf or an anchor.
    public var data: ItemData?
    /// `<MoreData/>`: this is a chunk of a large object and more follow.
    public var moreData: Bool
    /// Elements this model does not name.
    public var unknown: [MarkupElement]

    /// An item with the given fields; all optional.
    public init(target: Location? = nil, source: Location? = nil, sourceParent: String? = nil,
                targetParent: String? = nil, meta: Meta? = nil, data: ItemData? = nil, moreData: Bool = false,
                unknown: [MarkupElement] = []) {
        self.target = target
        self.source = source
        self.sourceParent = sourceParent
        self.targetParent = targetParent
        self.meta = meta
        self.data = data
        self.moreData = moreData
        self.unknown = unknown
    }
}

/// What an item's `Data` holds.
public enum ItemData: Hashable, Sendable {
    /// Bytes (a vCard, an iCalendar, base64 text...). When a whole message was
    /// decoded at once this shares the message's storage: no copy.
    case bytes(ArraySlice<UInt8>)
    /// A device information document: inline XML, or in WBXML a nested WBXML
    /// document inside OPAQUE.
    indirect case devInf(DevInf)
    /// A MetInf `Anchor` (a Status for an Alert echoes the anchors).
    indirect case anchor(Anchor)
    /// Other markup this model does not name.
    case markup([MarkupElement])

    /// Text data from a string.
    public static func text(_ string: String) -> ItemData { .bytes(ArraySlice(string.utf8)) }

    /// The bytes as UTF-8 text, if this is `.bytes`.
    public var text: String? {
        guard case .bytes(let bytes) = self else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
