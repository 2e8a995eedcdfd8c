import ArgumentParser
import SyncMLStore

/// `syncml history ITEM`: the versions of one item.
struct ItemHistory: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the versions of an item still in the journal.",
        discussion: "ITEM is the item's GUID (the file name `syncml export --output` writes). --user and --datastore are needed only when the GUID exists in several datastores."
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "The item's GUID.")
    var item: String

    @Option(help: "The user whose datastore holds the item.")
    var user: String?

    @Option(help: "The datastore holding the item.")
    var datastore: String?

    func run() throws {
        let (store, guid, user, name) = (self.store, self.item, self.user, self.datastore)
        try Self.runningStore {
            let opened = try store.open()
            var places = try await opened.locate(guid: guid)
            if let user { places = places.filter { $0.user == user } }
            if let name { places = places.filter { $0.datastoreName == name } }
            guard let place = places.first else { throw CommandFailure("no item \(guid)") }
            guard places.count == 1 else {
                let list = places.map { "\($0.user)/\($0.datastoreName)" }.joined(separator: ", ")
                throw CommandFailure("item \(guid) is in several datastores (\(list)): give --user and --datastore")
            }
            var devices: [DeviceID: String] = [:]
            var rows = [["SEQ", "TIME", "OP", "DEVICE", "SESSION", "FINGERPRINT", "BYTES"]]
            for entry in try await opened.history(guid: guid, datastore: place.datastore) {
                var device = "-"
                if let id = entry.device {
                    if devices[id] == nil { devices[id] = try await opened.devID(of: id) ?? "#\(id.rawValue)" }
                    device = devices[id]!
                }
                rows.append(["\(entry.sequence)", StoreText.time(entry.time), entry.operation.description, device,
                             entry.session.map { "\($0.rawValue)" } ?? "-", entry.fingerprint.map { "\($0)" } ?? "-", "\(entry.storedBytes)"])
            }
            print("item \(guid) in \(place.user)/\(place.datastoreName)")
            print(StoreText.table(rows))
        }
    }
}
