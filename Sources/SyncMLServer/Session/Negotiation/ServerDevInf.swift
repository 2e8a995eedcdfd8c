import SyncMLCodec
import SyncMLProtocol
/// The server's own DevInf (OMA DS 1.2 DevInf §5): its datastores and the
/// content types each receives and sends, preferred first. No CTCap: the
/// server stores whatever properties a client sends.
enum ServerDevInf {
    static let datastores = ["contacts", "calendar", "tasks", "notes"]

    static func devInf(version: SyncMLVersion) -> DevInf {
        let stores = datastores.map { name -> DataStore in
            let formats = ItemFormat.offered(by: name).map { ContentTypeVersion($0.type, version: $0.version) }
            return DataStore(sourceRef: "./" + name, displayName: name, maxGUIDSize: 32,
                             rxPref: formats.first, rx: Array(formats.dropFirst()),
                             txPref: formats.first, tx: Array(formats.dropFirst()),
                             syncTypes: [1, 2, 3, 4, 5, 6, 7])
        }
        return DevInf(verDTD: version == .v1_2 ? "1.2" : version.rawValue, manufacturer: "swift-syncml", model: "swift-syncml server",
                      softwareVersion: SwiftSyncML.version, devID: "swift-syncml", devType: "server", utc: true,
                      supportsLargeObjects: version >= .v1_1, supportsNumberOfChanges: version >= .v1_1, dataStores: stores)
    }
}
