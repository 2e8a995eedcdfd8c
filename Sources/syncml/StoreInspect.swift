import ArgumentParser
import SyncMLStore

/// `syncml inspect`: what a store holds.
struct InspectStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a store's users, datastores with item counts, devices and their last sync, journal and file size."
    )

    @OptionGroup var store: StoreOptions

    func run() throws {
        let store = self.store
        try Self.runningStore {
            let opened = try store.open()
            print("store \(store.db): schema version \(Migrations.latest), \(try await opened.fileSize()) bytes")
            print("")
            var users = [["USER", "CREATED", "PASSWORD", "MD5"]]
            for user in try await opened.users() {
                users.append([user.name, StoreText.time(user.created), user.hasPassword ? "yes" : "no", user.md5Enabled ? "yes" : "no"])
            }
            print(StoreText.table(users))
            print("")
            var datastores = [["USER", "DATASTORE", "ITEMS", "DELETED", "LAST SEQ"]]
            for datastore in try await opened.datastores() {
                datastores.append([datastore.user, datastore.name, "\(datastore.liveItems)", "\(datastore.deletedItems)", "\(datastore.lastSequence)"])
            }
            print(StoreText.table(datastores))
            print("")
            var devices = [["USER", "DEVICE", "DATASTORE", "LAST ANCHOR", "NEXT ANCHOR", "ACKED SEQ", "LAST SESSION"]]
            for device in try await opened.devices() {
                devices.append([device.user, device.devID, device.datastore ?? "-", device.state.lastAnchor ?? "-", device.state.nextAnchor ?? "-",
                                "\(device.state.acknowledged)", StoreText.time(device.lastSession)])
            }
            print(StoreText.table(devices))
            print("")
            let journal = try await opened.journalSize()
            print("journal: \(journal.rows) versions, \(journal.payloadBytes) payload bytes")
        }
    }
}
