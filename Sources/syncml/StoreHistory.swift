import ArgumentParser
import Foundation
import SyncMLStore

/// `syncml history ITEM`: the versions of one item, named the way its user knows it.
struct ItemHistory: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the versions of an item still in the journal.",
        discussion: """
            ITEM is what you know the record by: its GUID in the store (the file name `syncml export --output` \
            writes); with --device DEVID, that device's own id for it (its LUID, as in the device's logs); with \
            --state FILE, a record file (path or name) of a folder `syncml sync` syncs with that state file — then \
            the versions are the client's own, read from the state file: what the folder held at each sync (device \
            "local") and what the server sent. --user and --datastore narrow the search; an ITEM found in several \
            places is an error that lists them.
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "The item's GUID; with --device, the device's LUID; with --state, a record file.")
    var item: String

    @Option(help: "The user whose datastore holds the item.")
    var user: String?

    @Option(help: "The datastore holding the item.")
    var datastore: String?

    @Option(help: ArgumentHelp("ITEM is this device's id for the record (its LUID).", valueName: "devid"))
    var device: String?

    @Option(help: ArgumentHelp("ITEM is a record file of a folder synced by `syncml sync --state FILE`.", valueName: "file"))
    var state: String?

    @OptionGroup var output: JSONFlag

    func validate() throws {
        guard device == nil || state == nil else { throw ValidationError("give --device or --state, not both") }
        guard state == nil || user == nil else { throw ValidationError("--user is for the store (--db): a state file has no users to choose from") }
    }

    func run() throws {
        let (store, item, user, name, devID, state, json) = (self.store, self.item, self.user, self.datastore, self.device, self.state, output.json)
        try Self.runningStore {
            let subject: HistorySubject
            if let state {
                subject = try await HistorySubject.file(item, state: state, datastore: name)
            } else if let devID {
                subject = try await HistorySubject.luid(item, devID: devID, in: store.openExisting(), user: user, datastore: name)
            } else {
                subject = try await HistorySubject.guid(item, in: store.openExisting(), user: user, datastore: name)
            }
            let report = try await subject.report()
            if json { return try JSONOutput.write(report) }
            var rows = [["SEQ", "TIME", "OP", "DEVICE", "SESSION", "FINGERPRINT", "BYTES"]]
            for version in report.versions {
                rows.append(["\(version.sequence)", StoreText.time(version.time), version.operation, version.device ?? (state == nil ? "-" : "local"),
                             version.session.map { "\($0)" } ?? "-", version.fingerprint ?? "-", "\(version.storedBytes)"])
            }
            print(subject.title)
            print(StoreText.table(rows))
        }
    }
}

/// The item whose history is asked for, found in a store by what the user gave.
struct HistorySubject {
    var store: SyncStore
    var guid: String
    var location: ItemLocation
    var luid: String?
    var devID: String?
    var state: String?

    /// The first line of the listing.
    var title: String {
        var line = "item \(guid) in \(location.user)/\(location.datastoreName)"
        if let luid, let devID { line += " (LUID \(luid) of device \(devID))" }
        if let state { line = "record \(guid) in \(location.datastoreName) (state \(state))" }
        return line
    }

    static func guid(_ guid: String, in store: SyncStore, user: String?, datastore: String?) async throws -> HistorySubject {
        let places = try await store.locate(guid: guid).filter { ($0.user == user || user == nil) && ($0.datastoreName == datastore || datastore == nil) }
        let place = try single(places, "item \(guid)") { "\($0.user)/\($0.datastoreName)" }
        return HistorySubject(store: store, guid: guid, location: place)
    }

    static func luid(_ luid: String, devID: String, in store: SyncStore, user: String?, datastore: String?) async throws -> HistorySubject {
        let mapped = try await store.locate(luid: luid, devID: devID)
            .filter { ($0.location.user == user || user == nil) && ($0.location.datastoreName == datastore || datastore == nil) }
        let item = try single(mapped, "LUID \(luid) of device \(devID)") { "\($0.location.user)/\($0.location.datastoreName) (GUID \($0.guid))" }
        return HistorySubject(store: store, guid: item.guid, location: item.location, luid: luid, devID: devID)
    }

    /// A record file's history in the client's state: the mirror keeps one item per file, named by the file.
    static func file(_ path: String, state: String, datastore: String?) async throws -> HistorySubject {
        try StoreOptions.requireFile(state, "state file")
        let store: SyncStore
        do {
            store = try SyncStore(path: state)
        } catch {
            throw CommandFailure("cannot open state \(state): \(error.message)")
        }
        let name = URL(fileURLWithPath: path).lastPathComponent
        let places = try await store.locate(guid: name).filter { $0.datastoreName == datastore || datastore == nil }
        let place = try single(places, "record file \(name) in state \(state)", narrowing: "give --datastore") { $0.datastoreName }
        return HistorySubject(store: store, guid: name, location: place, state: state)
    }

    /// The one candidate, or an error that says there is none or lists them.
    private static func single<T>(_ candidates: [T], _ what: String, narrowing: String = "give --user or --datastore",
                                  _ describe: (T) -> String) throws -> T {
        guard let first = candidates.first else { throw CommandFailure("no \(what)") }
        guard candidates.count == 1 else {
            throw CommandFailure("\(what) is in several places: \(candidates.map(describe).joined(separator: ", ")); \(narrowing)")
        }
        return first
    }

    func report() async throws -> HistoryReport {
        var devices: [DeviceID: String] = [:]
        var versions: [VersionReport] = []
        for entry in try await store.history(guid: guid, datastore: location.datastore) {
            var device: String?
            if let id = entry.device {
                if devices[id] == nil { devices[id] = try await store.devID(of: id) ?? "#\(id.rawValue)" }
                device = devices[id]
            }
            versions.append(VersionReport(sequence: entry.sequence, time: entry.time, operation: entry.operation.description, device: device,
                                          session: entry.session?.rawValue, fingerprint: entry.fingerprint.map { "\($0)" }, storedBytes: entry.storedBytes))
        }
        return HistoryReport(item: guid, user: location.user, datastore: location.datastoreName, luid: luid, device: devID, state: state, versions: versions)
    }
}

/// `syncml history --json`.
struct HistoryReport: Encodable {
    var item: String
    var user: String
    var datastore: String
    var luid: String?
    var device: String?
    var state: String?
    var versions: [VersionReport]

    private enum CodingKeys: CodingKey { case item, user, datastore, luid, device, state, versions }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(item, forKey: .item)
        try container.encode(user, forKey: .user)
        try container.encode(datastore, forKey: .datastore)
        try container.encode(luid, forKey: .luid)
        try container.encode(device, forKey: .device)
        try container.encode(state, forKey: .state)
        try container.encode(versions, forKey: .versions)
    }
}

struct VersionReport: Encodable {
    var sequence: Int64
    var time: Date
    var operation: String
    var device: String?
    var session: Int64?
    var fingerprint: String?
    var storedBytes: Int

    private enum CodingKeys: CodingKey { case sequence, time, operation, device, session, fingerprint, storedBytes }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(time, forKey: .time)
        try container.encode(operation, forKey: .operation)
        try container.encode(device, forKey: .device)
        try container.encode(session, forKey: .session)
        try container.encode(fingerprint, forKey: .fingerprint)
        try container.encode(storedBytes, forKey: .storedBytes)
    }
}
