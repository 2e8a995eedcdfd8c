import ArgumentParser
import Foundation
import Logging
import SyncMLClient
import SyncMLCodec
import SyncMLInProcess
import SyncMLProtocol
import SyncMLServer
import SyncMLStore

/// `syncml preview`: a dry run of a device's first (slow) sync against a store.
/// The real engine runs against a copy of the store, so the report is what a
/// sync would do; the store and the folders are not touched.
struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Dry run of a first (slow) sync of folders against a user's data: what would pair, merge and be added.",
        discussion: """
            Runs the server engine on a copy of the store (in a temporary directory, removed afterwards) with a client \
            holding the folders' records, and lists per record whether it pairs with a stored record (equal, or merged \
            field by field) or would be added, and how many stored records the device would receive. Neither the store \
            nor the folders change. The folders are the same as for `syncml sync`.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "The user whose data the device would sync with.")
    var user: String

    @OptionGroup var recordFolders: RecordFolders

    private var folders: [(kind: DatastoreKind, path: String)] { recordFolders.given }

    func validate() throws {
        guard !folders.isEmpty else { throw ValidationError("give at least one folder: --contacts, --calendar, --tasks or --notes") }
    }

    func run() throws {
        let (options, userName, folders) = (store, user, folders)
        try Self.runningStore {
            let original = try options.openExisting()
            guard let userID = try await original.existingUser(named: userName) else { throw CommandFailure("preview failed: no user \(userName)") }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-preview-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let copyPath = directory.appendingPathComponent("copy.sqlite").path
            try await original.copy(to: copyPath)
            let copy = try SyncStore(path: copyPath)
            // The copy's account gets a throwaway password: only this process signs in to it.
            let password = UUID().uuidString
            try await copy.setPassword(user: userName, password: password, md5: true)

            var datastores: [ClientDatastore] = []
            var sources: [(kind: DatastoreKind, source: PreviewSource)] = []
            for folder in folders {
                let records = try await FolderDataSource(directory: URL(fileURLWithPath: folder.path), kind: folder.kind).allRecords()
                let source = PreviewSource(records)
                sources.append((folder.kind, source))
                datastores.append(ClientDatastore(name: folder.kind.rawValue, kind: folder.kind, source: source))
            }
            let server = SyncServer(store: copy, logger: Logger(label: "preview", factory: { _ in SwiftLogNoOpLogHandler() }))
            let deviceID = "syncml-preview"
            let client = SyncClient(configuration: ClientConfiguration(serverURL: "http://preview/sync", user: userName, password: password, deviceID: deviceID),
                                    datastores: datastores, transport: InProcessTransport(server: server), state: try ClientState.inMemory())
            let report: SyncReport
            do {
                report = try await client.sync(mode: .slow)
            } catch {
                throw CommandFailure("preview failed: \(error)")
            }

            let device = try await copy.device(devID: deviceID, user: userID)
            var lines: [String] = []
            for (kind, source) in sources {
                guard let datastoreID = try await copy.existingDatastore(named: kind.rawValue, user: userID) else { continue }
                let stored = try await original.existingDatastore(named: kind.rawValue, user: userID)
                let maps = try await copy.maps(device: device, datastore: datastoreID)
                var counts = (equal: 0, merged: 0, added: 0)
                lines.append("\(kind.rawValue):")
                for record in source.initial.sorted(by: { $0.id < $1.id }) {
                    let title = Self.title(of: record.payload)
                    guard let guid = maps[record.id] else {
                        lines.append("  not taken   \(record.id)  \(title)")
                        continue
                    }
                    let before = try await stored.asyncFlatMap { try await original.item(guid: guid, datastore: $0) }
                    guard let before, !before.deleted else {
                        counts.added += 1
                        lines.append("  add         \(record.id)  \(title)")
                        continue
                    }
                    let after = try await copy.item(guid: guid, datastore: datastoreID)
                    if after?.fingerprint == before.fingerprint {
                        counts.equal += 1
                        lines.append("  same as     \(record.id)  \(title)  = stored \(guid)")
                    } else {
                        counts.merged += 1
                        let storedTitle = Self.title(of: try await original.payload(guid: guid, datastore: stored!) ?? [])
                        lines.append("  merge with  \(record.id)  \(title)  + stored \(guid) \(storedTitle)")
                    }
                }
                let received = report.datastores.first { $0.name == kind.rawValue }?.local.added ?? 0
                lines.append("  \(counts.equal) same, \(counts.merged) merged, \(counts.added) added; the device would receive \(received) stored records")
            }
            lines.append("(dry run: nothing was changed)")
            print(lines.joined(separator: "\n"))
        }
    }

    /// A record's FN, SUMMARY or first line, for the listing.
    static func title(of payload: [UInt8]) -> String {
        let text = String(decoding: payload.prefix(4096), as: UTF8.self)
        for line in text.split(whereSeparator: \.isNewline) {
            for key in ["FN:", "SUMMARY:"] where line.hasPrefix(key) { return String(line.dropFirst(key.count)) }
        }
        return String(text.split(whereSeparator: \.isNewline).first ?? "")
    }
}

extension Optional {
    fileprivate func asyncFlatMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

/// The folder's records in memory: what the server would send is kept here, never written.
actor PreviewSource: SyncDataSource {
    let initial: [HostRecord]
    private var records: [String: HostRecord]
    private var counter = 0

    init(_ records: [HostRecord]) {
        initial = records
        self.records = Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func allRecords() async throws -> [HostRecord] { Array(records.values) }
    func add(payload: [UInt8], type: String) async throws -> String {
        counter += 1
        let id = "preview-\(counter)"
        records[id] = HostRecord(id: id, payload: payload, type: type)
        return id
    }
    func update(id: String, payload: [UInt8], type: String) async throws { records[id] = HostRecord(id: id, payload: payload, type: type) }
    func delete(id: String) async throws { records[id] = nil }
}
