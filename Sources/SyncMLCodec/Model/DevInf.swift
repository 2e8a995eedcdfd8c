/// Device information (OMA-TS-DS_DevInf): who a peer is and what its
/// datastores accept and send.
public struct DevInf: Hashable, Sendable {
    /// `1.2`, `1.1` or `1.0`; decides the wire form of CTCap.
    public var verDTD: String
    /// `Man`: the manufacturer.
    public var manufacturer: String?
    /// `Mod`: the model.
    public var model: String?
    /// `OEM`: the original equipment manufacturer.
    public var oem: String?
    /// `FwV`: the firmware version.
    public var firmwareVersion: String?
    /// `SwV`: the software version (of the SyncML client or server).
    public var softwareVersion: String?
    /// `HwV`: the hardware version.
    public var hardwareVersion: String?
    /// `DevID`: the device's unique id (an IMEI, a generated id).
    public var devID: String
    /// `DevTyp`: `phone`, `pda`, `workstation`, `server`, ...
    public var devType: String
    /// `<UTC/>`: the device sends times in UTC.
    public var utc: Bool
    /// `<SupportLargeObjs/>`: the device can send and receive chunked items.
    public var supportsLargeObjects: Bool
    /// `<SupportNumberOfChanges/>`: the device understands `NumberOfChanges`.
    public var supportsNumberOfChanges: Bool
    /// The device's datastores.
    public var dataStores: [DataStore]
    /// Device-wide CTCaps (DevInf 1.0/1.1 puts them here; 1.2 inside DataStore).
    public var ctCaps: [CTCap]
    /// `Ext`s: vendor extensions.
    public var extensions: [DevInfExtension]
    /// Elements this model does not name.
    public var unknown: [MarkupElement]

    /// Device information of DevInf version `verDTD`.
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
    /// `SourceRef`: the datastore's URI on the device (`./contacts`).
    public var sourceRef: String
    /// `DisplayName`: a name for people.
    public var displayName: String?
    /// `MaxGUIDSize`: the longest item id the datastore keeps.
    public var maxGUIDSize: Int?
    /// `Rx-Pref`: the type it prefers to receive.
    public var rxPref: ContentTypeVersion?
    /// `Rx`: other types it receives.
    public var rx: [ContentTypeVersion]
    /// `Tx-Pref`: the type it prefers to send.
    public var txPref: ContentTypeVersion?
    /// `Tx`: other types it sends.
    public var tx: [ContentTypeVersion]
    /// `CTCap`s: the properties it understands per type (DevInf 1.2).
    public var ctCaps: [CTCap]
    /// `DSMem`: its memory.
    public var dsMem: DataStoreMemory?
    /// `<SupportHierarchicalSync/>`: it syncs folders.
    public var supportsHierarchicalSync: Bool
    /// `SyncCap/SyncType` values: 1-7 from the spec, others (390001) kept as sent.
    public var syncTypes: [Int]
    /// Elements this model does not name.
    public var unknown: [MarkupElement]

    /// A datastore at `sourceRef`.
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
    /// `CTType`: the MIME type (`text/vcard`).
    public var type: String
    /// `VerCT`: its version (`3.0`).
    public var version: String?
    /// A MIME type and, optionally, its version.
    public init(_ type: String, version: String? = nil) {
        self.type = type
        self.version = version
    }
}

/// `DSMem`: a datastore's memory.
public struct DataStoreMemory: Hashable, Sendable {
    /// `<SharedMem/>`: the memory is shared with other datastores.
    public var sharedMem: Bool
    /// `MaxMem`: the memory in bytes.
    public var maxMem: Int?
    /// `MaxID`: the most items it holds.
    public var maxID: Int?
    /// A `DSMem` with the given fields.
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
    /// `CTType`: the MIME type these capabilities are for.
    public var ctType: String
    /// `VerCT`: its version.
    public var verCT: String?
    /// `<FieldLevel/>`: the datastore takes field-level replaces of this type.
    public var fieldLevel: Bool
    /// The properties it understands.
    public var properties: [CTProperty]

    /// Capabilities for `ctType`.
    public init(ctType: String, verCT: String? = nil, fieldLevel: Bool = false, properties: [CTProperty] = []) {
        self.ctType = ctType
        self.verCT = verCT
        self.fieldLevel = fieldLevel
        self.properties = properties
    }
}

/// A property in a CTCap (`PropName`, `ValEnum`s, `PropParam`s...).
public struct CTProperty: Hashable, Sendable {
    /// `PropName`: the property, e.g. `TEL`.
    public var name: String
    /// `DataType`: e.g. `chr`, `int`, `date`.
    public var dataType: String?
    /// `MaxOccur`: how often the property may appear.
    public var maxOccur: Int?
    /// `MaxSize` (DevInf 1.2) or `Size` (1.0/1.1).
    public var maxSize: Int?
    /// `<NoTruncate/>`: values are never shortened.
    public var noTruncate: Bool
    /// `ValEnum`s: the values allowed.
    public var values: [String]
    /// `DisplayName`: a name for people.
    public var displayName: String?
    /// `PropParam`s: its parameters.
    public var parameters: [CTParameter]

    /// A property named `name`.
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
    /// `ParamName`: the parameter, e.g. `TYPE`.
    public var name: String
    /// `DataType` of its values.
    public var dataType: String?
    /// `ValEnum`s: the values allowed (`HOME`, `WORK`, ...).
    public var values: [String]
    /// `DisplayName`: a name for people.
    public var displayName: String?

    /// A parameter named `name`.
    public init(name: String, dataType: String? = nil, values: [String] = [], displayName: String? = nil) {
        self.name = name
        self.dataType = dataType
        self.values = values
        self.displayName = displayName
    }
}

/// `Ext`: a vendor extension (`XNam` and its `XVal`s).
public struct DevInfExtension: Hashable, Sendable {
    /// `XNam`: the extension's name.
    public var name: String
    /// `XVal`s: its values.
    public var values: [String]
    /// An extension `name` with its values.
    public init(name: String, values: [String] = []) {
        self.name = name
        self.values = values
    }
}
