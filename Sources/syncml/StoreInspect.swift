import ArgumentParser
import Foundation
import SyncMLStore

/// `syncml inspect`: what a store holds.
struct InspectStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a store's users, datastores with item counts, devices and their last sync, journal and file size."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: JSONFlag

    func run() throws {
        let (store, json) = (self.store, output.json)
        try Self.runningStore {
            let opened = try store.openExisting()
            let report = StoreReport(
                store: StoreOptions.displayName(store.db), schemaVersion: Migrations.latest, fileBytes: try await opened.fileSize(),
                users: try await opened.users().map(UserReport.init), datastores: try await opened.datastores().map(DatastoreReport.init),
                devices: try await opened.devices().map(DeviceReport.init), journal: JournalReport(try await opened.journalSize()))
            if json { return try JSONOutput.write(report) }
            print("store \(report.store): schema version \(report.schemaVersion), \(report.fileBytes) bytes")
            print("")
            print(UserReport.table(report.users))
            print("")
            var datastores = [["USER", "DATASTORE", "ITEMS", "DELETED", "LAST SEQ"]]
            for datastore in report.datastores {
                datastores.append([datastore.user, datastore.name, "\(datastore.items)", "\(datastore.deletedItems)", "\(datastore.lastSequence)"])
            }
            print(StoreText.table(datastores))
            print("")
            var devices = [["USER", "DEVICE", "DATASTORE", "LAST ANCHOR", "NEXT ANCHOR", "ACKED SEQ", "LAST SESSION"]]
            for device in report.devices {
                devices.append([device.user, device.device, device.datastore ?? "-", device.lastAnchor ?? "-", device.nextAnchor ?? "-",
                                "\(device.acknowledgedSequence)", StoreText.time(device.lastSession)])
            }
            print(StoreText.table(devices))
            print("")
            print("journal: \(report.journal.versions) versions, \(report.journal.payloadBytes) payload bytes")
        }
    }
}

/// `syncml inspect --json`.
struct StoreReport: Encodable {
    var store: String
    var schemaVersion: Int
    var fileBytes: Int
    var users: [UserReport]
    var datastores: [DatastoreReport]
    var devices: [DeviceReport]
    var journal: JournalReport
}

/// A user, in `inspect` and `user list`.
struct UserReport: Encodable {
    var name: String
    var created: Date
    var hasPassword: Bool
    var md5Enabled: Bool

    init(_ user: UserSummary) {
        (name, created, hasPassword, md5Enabled) = (user.name, user.created, user.hasPassword, user.md5Enabled)
    }

    static func table(_ users: [UserReport]) -> String {
        var rows = [["USER", "CREATED", "PASSWORD", "MD5"]]
        for user in users {
            rows.append([user.name, StoreText.time(user.created), user.hasPassword ? "yes" : "no", user.md5Enabled ? "yes" : "no"])
        }
        return StoreText.table(rows)
    }
}

struct DatastoreReport: Encodable {
    var user: String
    var name: String
    var items: Int
    var deletedItems: Int
    var lastSequence: Int64

    init(_ datastore: DatastoreSummary) {
        (user, name, items, deletedItems, lastSequence) =
            (datastore.user, datastore.name, datastore.liveItems, datastore.deletedItems, datastore.lastSequence)
    }
}

struct DeviceReport: Encodable {
    var user: String
    var device: String
    var datastore: String?
    var lastAnchor: String?
    var nextAnchor: String?
    var acknowledgedSequence: Int64
    var lastSession: Date?

    init(_ device: DeviceSummary) {
        (user, self.device, datastore, lastAnchor, nextAnchor, acknowledgedSequence, lastSession) =
            (device.user, device.devID, device.datastore, device.state.lastAnchor, device.state.nextAnchor, device.state.acknowledged, device.lastSession)
    }

    private enum CodingKeys: CodingKey { case user, device, datastore, lastAnchor, nextAnchor, acknowledgedSequence, lastSession }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(user, forKey: .user)
        try container.encode(device, forKey: .device)
        try container.encode(datastore, forKey: .datastore)
        try container.encode(lastAnchor, forKey: .lastAnchor)
        try container.encode(nextAnchor, forKey: .nextAnchor)
        try container.encode(acknowledgedSequence, forKey: .acknowledgedSequence)
        try container.encode(lastSession, forKey: .lastSession)
    }
}

struct JournalReport: Encodable {
    var versions: Int
    var payloadBytes: Int

    init(_ size: (rows: Int, payloadBytes: Int)) {
        (versions, payloadBytes) = size
    }
}
