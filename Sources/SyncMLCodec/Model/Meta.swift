/// Meta information about a message, command or item (OMA-TS-SyncML_MetaInfo).
public struct Meta: Hashable, Sendable {
    /// `Format`: `b64`, `chr`, `bin`, ...
    public var format: String?
    /// `Type`: a MIME type (`text/vcard`) or an auth type (`syncml:auth-md5`).
    public var type: String?
    /// `Mark`: how the data was marked (e.g. `read`), rarely sent.
    public var mark: String?
    /// `Size` in bytes, e.g. the total size of a chunked large object.
    public var size: Int?
    /// `Anchor`: the sync anchors of an Alert's item.
    public var anchor: Anchor?
    /// `Version`: the version of the data (a device's own).
    public var version: String?
    /// `NextNonce` as sent (base64 text).
    public var nextNonce: String?
    /// `MaxMsgSize`: the largest message the sender accepts, in bytes.
    public var maxMsgSize: Int?
    /// `MaxObjSize`: the largest object the sender accepts, in bytes.
    public var maxObjSize: Int?
    /// Experimental meta information, e.g. Synthesis' `datapos=N` for chunks.
    public var emi: [String]
    /// `Mem`: the datastore's free memory.
    public var mem: Memory?
    /// `<FieldLevel/>`: the data replaces only the fields it has.
    public var fieldLevel: Bool
    /// Elements of the MetInf vocabulary this model does not name (e.g. `MetInf`).
    public var unknown: [MarkupElement]

    /// Meta information with the given fields; all optional.
    public init(format: String? = nil, type: String? = nil, mark: String? = nil, size: Int? = nil,
                anchor: Anchor? = nil, version: String? = nil, nextNonce: String? = nil,
                maxMsgSize: Int? = nil, maxObjSize: Int? = nil, emi: [String] = [], mem: Memory? = nil,
                fieldLevel: Bool = false, unknown: [MarkupElement] = []) {
        self.format = format
        self.type = type
        self.mark = mark
        self.size = size
        self.anchor = anchor
        self.version = version
        self.nextNonce = nextNonce
        self.maxMsgSize = maxMsgSize
        self.maxObjSize = maxObjSize
        self.emi = emi
        self.mem = mem
        self.fieldLevel = fieldLevel
        self.unknown = unknown
    }
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
