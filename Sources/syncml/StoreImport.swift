import ArgumentParser
import Foundation
import SyncMLRecords
import SyncMLStore

/// `syncml import`: records from files into a user's datastores, as one undoable session.
struct ImportRecords: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import vCard, iCalendar/vCalendar and SIF files into a user's datastores.",
        discussion: """
            Reads every FILE (a file may hold many records) and every .vcf/.vcs/.ics/.xml/.sif* file under each DIR. \
            All files are parsed before anything is written; a malformed one fails the import. Each record goes to \
            --datastore, or by its kind to contacts, calendar, tasks or notes. A record identical to a stored one \
            (same fingerprint, see docs/RECORDS.md) is counted as unchanged and not added; one repeating an earlier \
            record of the same import is a duplicate and skipped. The records are written in batches of 2,000, one \
            transaction each, all in one session of kind "import" that `syncml undo` reverts.
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "The files or directories to import.")
    var paths: [String]

    @Option(help: "The user whose datastores receive the records (created if needed).")
    var user: String

    @Option(help: "The datastore (contacts, calendar, tasks, or any name); default: by each record's kind.")
    var datastore: String?

    /// Records per transaction.
    static let batchSize = 2_000

    /// One record ready to store.
    struct Prepared: Sendable {
        var datastore: String
        var change: ItemChange
        var fingerprint: Fingerprint
    }

    func run() throws {
        var prepared: [Prepared] = []
        let progress = ProgressLine()
        try Self.reportingFailures {
            let files = try Self.expand(paths)
            for (index, file) in files.enumerated() {
                for record in try RecordFile.read(file) {
                    prepared.append(Self.prepare(record, datastore: datastore))
                }
                progress.update("reading", index + 1, of: files.count)
            }
            progress.finish()
        }
        let (store, user, records) = (self.store, self.user, prepared)
        try Self.runningStore {
            let counts = try await Self.importing(records, user: user, into: store.open(), progress: progress)
            for (name, count) in counts.perDatastore.sorted(by: { $0.key < $1.key }) {
                print("\(name): \(count.added) added, \(count.unchanged) unchanged, \(count.duplicates) duplicates")
            }
            let total = counts.total
            print("total: \(total.added) added, \(total.unchanged) unchanged, \(total.duplicates) duplicates"
                + (counts.session.map { " (session \($0.rawValue))" } ?? ""))
        }
    }

    struct Count: Sendable {
        var added = 0, unchanged = 0, duplicates = 0
    }

    struct Counts: Sendable {
        var perDatastore: [String: Count] = [:]
        var session: SessionID?
        var total: Count {
            perDatastore.values.reduce(into: Count()) {
                $0.added += $1.added
                $0.unchanged += $1.unchanged
                $0.duplicates += $1.duplicates
            }
        }
    }

    /// Writes `records` in batches, all in one import session (begun only when something is added).
    static func importing(_ records: [Prepared], user name: String, into store: SyncStore, progress: ProgressLine) async throws -> Counts {
        let user = try await store.user(named: name)
        var counts = Counts()
        var datastores: [String: DatastoreID] = [:]
        var seen = Set<[UInt8]>()
        var session: SessionID?
        defer { progress.finish() }
        var start = 0
        while start < records.count {
            let batch = records[start..<min(start + batchSize, records.count)]
            var changes: [String: [ItemChange]] = [:]
            for record in batch {
                let datastore: DatastoreID
                if let known = datastores[record.datastore] {
                    datastore = known
                } else {
                    datastore = try await store.datastore(named: record.datastore, user: user)
                    datastores[record.datastore] = datastore
                }
                var count = counts.perDatastore[record.datastore, default: Count()]
                defer { counts.perDatastore[record.datastore] = count }
                guard seen.insert(Array(record.datastore.utf8) + [0] + record.fingerprint.bytes).inserted else {
                    count.duplicates += 1
                    continue
                }
                if try await !store.items(withFingerprint: record.fingerprint, datastore: datastore).isEmpty {
                    count.unchanged += 1
                    continue
                }
                changes[record.datastore, default: []].append(record.change)
            }
            if !changes.isEmpty, session == nil {
                session = try await store.beginSession(device: nil, kind: "import")
            }
            for (name, batchChanges) in changes.sorted(by: { $0.key < $1.key }) {
                do {
                    let applied = try await store.apply(batchChanges, datastore: datastores[name]!, device: nil, session: session)
                    counts.perDatastore[name, default: Count()].added += applied.filter { $0.outcome == .added }.count
                } catch {
                    if let session { try? await store.endSession(session, succeeded: false) }
                    throw error
                }
            }
            start += batch.count
            progress.update("importing", start, of: records.count)
        }
        if let session { try await store.endSession(session) }
        counts.session = session
        return counts
    }

    /// The change storing `record`: its own format's bytes, its fingerprint and match keys.
    static func prepare(_ record: VComponent, datastore: String?) -> Prepared {
        let signature = RecordSignature(record)
        let format = record.format ?? (signature.kind == .contact ? .vCard30 : .iCalendar20)
        let type: String = switch format {
        case .vCard21: "text/x-vcard"
        case .vCalendar10: "text/x-vcalendar"
        case .iCalendar20: "text/calendar"
        default: "text/vcard"
        }
        let name = datastore ?? defaultDatastore(signature.kind)
        let change = ItemChange(.add, type: type, payload: VObjectWriter.write(record, as: format),
                                fingerprint: signature.fingerprint, matchKeys: signature.matchKey.indexKeys)
        return Prepared(datastore: name, change: change, fingerprint: signature.fingerprint)
    }

    static func defaultDatastore(_ kind: RecordKind) -> String {
        switch kind {
        case .contact: "contacts"
        case .event: "calendar"
        case .task: "tasks"
        case .other: "notes"
        }
    }

    static let recordExtensions: Set<String> = ["vcf", "vcs", "ics", "xml", "sif", "sifc", "sife", "sift", "sifn"]

    /// Files as given, directories expanded (recursively, sorted, by extension).
    static func expand(_ paths: [String]) throws -> [String] {
        let manager = FileManager.default
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CommandFailure("cannot open \(path): No such file or directory")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            guard let enumerator = manager.enumerator(atPath: path) else { throw CommandFailure("cannot read directory \(path)") }
            var found: [String] = []
            while let relative = enumerator.nextObject() as? String {
                let full = (path as NSString).appendingPathComponent(relative)
                var nested: ObjCBool = false
                if manager.fileExists(atPath: full, isDirectory: &nested), !nested.boolValue,
                   recordExtensions.contains((relative as NSString).pathExtension.lowercased()) {
                    found.append(full)
                }
            }
            files += found.sorted()
        }
        return files
    }
}
