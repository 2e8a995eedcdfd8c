/// Meta information about a message, command or item (OMA-TS-SyncML_MetaInfo).
///
/// An item's Meta almost always holds only `Type`, `Format` or `Size`; those
/// are stored inline, the ten fields that are rarely sent in one shared box,
/// allocated only when one of them is set. Every command of a slow sync carries
/// Metas, and with all thirteen inline a Meta was 216 bytes that each command
/// and item copied as it was built (about 14 % of decoding).
public struct Meta: Hashable, Sendable {
    /// `Format`: `b64`, `chr`, `bin`, ...
    public var format: String?
    /// `Type`: a MIME type (`text/vcard`) or an auth type (`syncml:auth-md5`).
    public var type: String?
    /// `Size` in bytes, e.g. the total size of a chunked large object.
    public var size: Int?
    /// The other fields; nil when all of them have their defaults.
    private var rare: RareFields?

    /// `Mark`: how the data was marked (e.g. `read`), rarely sent.
    public var mark: String? {
        get { rare?.values.mark }
        set { self[rare: \.mark] = newValue }
    }
    /// `Anchor`: the sync anchors of an Alert's item.
    public var anchor: Anchor? {
        get { rare?.values.anchor }
        set { self[rare: \.anchor] = newValue }
    }
    /// `Version`: the version of the data (a device's own).
    public var version: String? {
        get { rare?.values.version }
        set { self[rare: \.version] = newValue }
    }
    /// `NextNonce` as sent (base64 text).
    public var nextNonce: String? {
        get { rare?.values.nextNonce }
        set { self[rare: \.nextNonce] = newValue }
    }
    /// `MaxMsgSize`: the largest message the sender accepts, in bytes.
    public var maxMsgSize: Int? {
        get { rare?.values.maxMsgSize }
        set { self[rare: \.maxMsgSize] = newValue }
    }
    /// `MaxObjSize`: the largest object the sender accepts, in bytes.
    public var maxObjSize: Int? {
        get { rare?.values.maxObjSize }
        set { self[rare: \.maxObjSize] = newValue }
    }
    /// Experimental meta information, e.g. Synthesis' `datapos=N` for chunks.
    public var emi: [String] {
        get { rare?.values.emi ?? [] }
        set { self[rare: \.emi] = newValue }
    }
    /// `Mem`: the datastore's free memory.
    public var mem: Memory? {
        get { rare?.values.mem }
        set { self[rare: \.mem] = newValue }
    }
    /// `<FieldLevel/>`: the data replaces only the fields it has.
    public var fieldLevel: Bool {
        get { rare?.values.fieldLevel ?? false }
        set { self[rare: \.fieldLevel] = newValue }
    }
    /// Elements of the MetInf vocabulary this model does not name (e.g. `MetInf`).
    public var unknown: [MarkupElement] {
        get { rare?.values.unknown ?? [] }
        set { self[rare: \.unknown] = newValue }
    }

    /// Meta information with the given fields; all optional.
    public init(format: String? = nil, type: String? = nil, mark: String? = nil, size: Int? = nil,
                anchor: Anchor? = nil, version: String? = nil, nextNonce: String? = nil,
                maxMsgSize: Int? = nil, maxObjSize: Int? = nil, emi: [String] = [], mem: Memory? = nil,
                fieldLevel: Bool = false, unknown: [MarkupElement] = []) {
        self.format = format
        self.type = type
        self.size = size
        // `Meta()` and the common Type/Format/Size: no Values built and compared.
        if mark == nil, anchor == nil, version == nil, nextNonce == nil, maxMsgSize == nil, maxObjSize == nil,
           emi.isEmpty, mem == nil, !fieldLevel, unknown.isEmpty {
            rare = nil
            return
        }
        let values = RareFields.Values(mark: mark, anchor: anchor, version: version, nextNonce: nextNonce, maxMsgSize: maxMsgSize,
                                       maxObjSize: maxObjSize, emi: emi, mem: mem, fieldLevel: fieldLevel, unknown: unknown)
        rare = values == RareFields.Values() ? nil : RareFields(values)
    }

    /// One rare field. Setting one makes a new box (the old one may be shared), or none when all are
    /// defaults again, so that two equal Metas are equal field by field however they were built.
    private subscript<Value>(rare field: WritableKeyPath<RareFields.Values, Value>) -> Value {
        get { (rare?.values ?? RareFields.Values())[keyPath: field] }
        set {
            var values = rare?.values ?? RareFields.Values()
            values[keyPath: field] = newValue
            rare = values == RareFields.Values() ? nil : RareFields(values)
        }
    }
}

/// The box of Meta's rarely sent fields: immutable, so copies of a Meta share it.
private final class RareFields: Hashable, Sendable {
    struct Values: Hashable, Sendable {
        var mark: String?
        var anchor: Anchor?
        var version: String?
        var nextNonce: String?
        var maxMsgSize: Int?
        var maxObjSize: Int?
        var emi: [String] = []
        var mem: Memory?
        var fieldLevel = false
        var unknown: [MarkupElement] = []
    }

    let values: Values

    init(_ values: Values) { self.values = values }

    static func == (lhs: RareFields, rhs: RareFields) -> Bool { lhs === rhs || lhs.values == rhs.values }
    func hash(into hasher: inout Hasher) { hasher.combine(values) }
}

/// Sync anchors (MetaInfo §5.2): the `Last` and `Next` a side remembers.
public struct Anchor: Hashable, Sendable {
    /// `Last`: the anchor of the previous sync.
    public var last: String?
    /// `Next`: the anchor of this sync.
    public var next: String?
    /// Anchors with the given `Last` and `Next`.
    public init(last: String? = nil, next: String? = nil) {
        self.last = last
        self.next = next
    }
}

/// `Mem`: free memory of a datastore (MetaInfo §5.7).
public struct Memory: Hashable, Sendable {
    /// `<SharedMem/>`: the memory is shared with other datastores.
    public var sharedMem: Bool
    /// `FreeMem`: free memory in bytes.
    public var freeMem: Int?
    /// `FreeID`: how many more items fit.
    public var freeID: Int?
    /// A `Mem` with the given fields.
    public init(sharedMem: Bool = false, freeMem: Int? = nil, freeID: Int? = nil) {
        self.sharedMem = sharedMem
        self.freeMem = freeMem
        self.freeID = freeID
    }
}
