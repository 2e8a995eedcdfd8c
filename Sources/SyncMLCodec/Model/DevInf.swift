/// Device information (OMA-TS-DS_DevInf): who a peer is and what its
/// datastores accept and send.
public struct DevInf: Hashable, Sendable {
    /// `1.2`, `1.1` or `1.0`; decides the wire form of CTCap.
    public var verDTD: String
    public var manufacturer: String?
    public var model: String?
    public var oem: String?
    public var firmwareVersion: String?
    public var softwareVersion: String?
    public var hardwareVersion: String?
    public var devID: String
    public var devType: String
    public var utc: Bool
    public var supportsLargeObjects: Bool
    public var supportsNumberOfChanges: Bool
    public var dataStores: [DataStore]
    /// Device-wide CTCaps (DevInf 1.0/1.1 puts them here; 1.2 inside DataStore).
    public var ctCaps: [CTCap]
    public var extensions: [DevInfExtension]
    public var unknown: [MarkupElement]

    public init(verDTD: String = "1.2", manufacturer: String? = nil, model: String? = nil, oem: String? = nil,
                firmwareVersion: String? = nil, softwareVersion: String? = nil, hardwareVersion: String? = nil,
                devID: String, devType: String, utc: Bool = false, supportsLargeObjects: Bool = false,
                supportsNumberOfChanges: Bool = false, dataStores: [DataStore] = [], ctCaps: [CTCap] = [],
                extensions: [DevInfExtension] = [], unknown: [MarkupElement] = []) {
        self.verDTD = verDTD
        self.manufacturer = manufacturer
        self.model = model
        self.oem = oem
        self.firmwareVersion = firmwareVersion
        self.softwareVersion = softwareVersion
        self.hardwareVersion = hardwareVersion
        self.devID = devID
        self.devType = devType
        self.utc = utc
        self.supportsLargeObjects = supportsLargeObjects
        self.supportsNumberOfChanges = supportsNumberOfChanges
        self.dataStores = dataStores
        self.ctCaps = ctCaps
        self.extensions = extensions
        self.unknown = unknown
    }

    /// The DevInf version, 1.2 when VerDTD is unknown.
    public var version: SyncMLVersion { SyncMLVersion(verDTD: verDTD) ?? .v1_2 }
}

/// `DataStore`: one database of a device.
public struct DataStore: Hashable, Sendable {
    public var sourceRef: String
    public var displayName: String?
    public var maxGUIDSize: Int?
    public var rxPref: ContentTypeVersion?
    public var rx: [ContentTypeVersion]
    public var txPref: ContentTypeVersion?
    public var tx: [ContentTypeVersion]
    public var ctCaps: [CTCap]
    public var dsMem: DataStoreMemory?
    public var supportsHierarchicalSync: Bool
    /// `SyncCap/SyncType` values: 1-7 from the spec, others (390001) kept as sent.
    public var syncTypes: [Int]
    public var unknown: [MarkupElement]

    public init(sourceRef: String, displayName: String? = nil, maxGUIDSize: Int? = nil,
                rxPref: ContentTypeVersion? = nil, rx: [ContentTypeVersion] = [], txPref: ContentTypeVersion? = nil,
                tx: [ContentTypeVersion] = [], ctCaps: [CTCap] = [], dsMem: DataStoreMemory? = nil,
                supportsHierarchicalSync: Bool = false, syncTypes: [Int] = [], unknown: [MarkupElement] = []) {
        self.sourceRef = sourceRef
        self.displayName = displayName
        self.maxGUIDSize = maxGUIDSize
        self.rxPref = rxPref
        self.rx = rx
        self.txPref = txPref
        self.tx = tx
        self.ctCaps = ctCaps
        self.dsMem = dsMem
        self.supportsHierarchicalSync = supportsHierarchicalSync
        self.syncTypes = syncTypes
        self.unknown = unknown
    }
}

/// `CTType` + `VerCT`, as in `Rx-Pref`, `Tx`, ...
public struct ContentTypeVersion: Hashable, Sendable {
    public var type: String
    public var version: String?
    public init(_ type: String, version: String? = nil) {
        self.type = type
        self.version = version
    }
}

/// `DSMem`: a datastore's memory.
public struct DataStoreMemory: Hashable, Sendable {
    public var sharedMem: Bool
    public var maxMem: Int?
    public var maxID: Int?
    public init(sharedMem: Bool = false, maxMem: Int? = nil, maxID: Int? = nil) {
        self.sharedMem = sharedMem
        self.maxMem = maxMem
        self.maxID = maxID
    }
}

/// Content-type capabilities: the properties a datastore understands for one type.
/// DevInf 1.2 nests `Property`/`PropParam`; 1.0/1.1 lists them flat. Both
/// decode to this shape and are written back in the form of the DevInf version.
public struct CTCap: Hashable, Sendable {
    public var ctType: String
    public var verCT: String?
    public var fieldLevel: Bool
    public var properties: [CTProperty]

    public init(ctType: String, verCT: String? = nil, fieldLevel: Bool = false, properties: [CTProperty] = []) {
        self.ctType = ctType
        self.verCT = verCT
        self.fieldLevel = fieldLevel
        self.properties = properties
    }
}

/// A property in a CTCap (`PropName`, `ValEnum`s, `PropParam`s...).
public struct CTProperty: Hashable, Sendable {
    public var name: String
    public var dataType: String?
    public var maxOccur: Int?
    /// `MaxSize` (DevInf 1.2) or `Size` (1.0/1.1).
    public var maxSize: Int?
    public var noTruncate: Bool
    public var values: [String]
    public var displayName: String?
    public var parameters: [CTParameter]

    public init(name: String, dataType: String? = nil, maxOccur: Int? = nil, maxSize: Int? = nil,
                noTruncate: Bool = false, values: [String] = [], displayName: String? = nil,
                parameters: [CTParameter] = []) {
        self.name = name
        self.dataType = dataType
        self.maxOccur = maxOccur
        self.maxSize = maxSize
        self.noTruncate = noTruncate
        self.values = values
        self.displayName = displayName
        self.parameters = parameters
    }
}

/// A parameter of a CTCap property (`ParamName`, `ValEnum`s...).
public struct CTParameter: Hashable, Sendable {
    public var name: String
    public var dataType: String?
    public var values: [String]
    public var displayName: String?

    public init(name: String, dataType: String? = nil, values: [String] = [], displayName: String? = nil) {
        self.name = name
        self.dataType = dataType
        self.values = values
        self.displayName = displayName
    }
}

/// `Ext`: a vendor extension (`XNam` and its `XVal`s).
public struct DevInfExtension: Hashable, Sendable {
    public var name: String
    public var values: [String]
    public init(name: String, values: [String] = []) {
        self.name = name
        self.values = values
    }
}
