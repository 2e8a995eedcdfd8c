import Foundation
import SyncMLRecords
/// `syncml dedupe FOLDER`: the records of a folder of files (an Outlook or
/// phone export, the folder `syncml sync` keeps), and writing the merges back.
///
/// A file holding one record is that record (its id is the file name); a file
/// holding several (a phone's whole-book export) gives ids `NAME#1`, `NAME#2`….
enum DedupeFolder {
    /// The file name extensions read; hidden files, folders and other files are left alone.
    static let extensions: Set<String> = ["vcf", "vcard", "ics", "ical", "vcs", "xml", "sif"]

    struct File {
        var name: String
        var records: [(record: VComponent, encoding: RecordEncoding)]
    }

    struct Contents {
        var directory: URL
        var files: [File]
        var records: [DuplicateRecord]
        var unreadable: [DedupeReport.Problem]
        /// Record id → (file, index in the file).
        var location: [String: (file: Int, index: Int)]
    }

    static func read(_ path: String) throws -> Contents {
        let directory = URL(fileURLWithPath: path).standardizedFileURL
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw CommandFailure("cannot list folder \(path): \((error as NSError).localizedDescription)")
        }
        var contents = Contents(directory: directory, files: [], records: [], unreadable: [], location: [:])
        for name in names.sorted(by: DuplicateFinder.naturalOrder) {
            let url = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard !name.hasPrefix("."), extensions.contains(url.pathExtension.lowercased()),
                  FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let parsed: [(record: VComponent, encoding: RecordEncoding)]
            do {
                let bytes = [UInt8](try Data(contentsOf: url))
                guard !bytes.isEmpty else { continue }
                parsed = try RecordPayload.parse(bytes) ?? []
            } catch let error as RecordError {
                contents.unreadable.append(.init(id: name, reason: "\(error)"))
                continue
            } catch {
                contents.unreadable.append(.init(id: name, reason: (error as NSError).localizedDescription))
                continue
            }
            guard !parsed.isEmpty else { continue }
            let fileIndex = contents.files.count
            contents.files.append(File(name: name, records: parsed))
            for (index, entry) in parsed.enumerated() {
                let id = parsed.count == 1 ? name : "\(name)#\(index + 1)"
                contents.records.append(DuplicateRecord(id: id, record: entry.record, encoding: entry.encoding))
                contents.location[id] = (fileIndex, index)
            }
        }
        return contents
    }

    /// Writes the merges: the originals of every file touched go into the backup
    /// folder first (files that lose all their records are moved there, the others
    /// copied), then each rewritten file replaces its original atomically. Returns the backup folder.
    static func apply(_ proposals: [DuplicateProposal], contents: Contents, backup: String?) throws -> URL {
        var replacement: [String: [UInt8]] = [:] // survivor id → merged bytes
        var removed = Set<String>()
        for proposal in proposals {
            replacement[proposal.survivor] = try proposal.payload()
            removed.formUnion(proposal.group.members.filter { $0 != proposal.survivor })
        }
        // The files touched: the new content of those that keep a record, and those left empty.
        var files = Set<Int>()
        for id in Array(replacement.keys) + Array(removed) {
            guard let (file, _) = contents.location[id] else { throw CommandFailure("record \(id) is not in \(contents.directory.path)") }
            files.insert(file)
        }
        var rewritten: [Int: [UInt8]] = [:]
        for file in files {
            let entry = contents.files[file]
            var bytes: [UInt8] = []
            for (index, record) in entry.records.enumerated() {
                let id = entry.records.count == 1 ? entry.name : "\(entry.name)#\(index + 1)"
                if removed.contains(id) { continue }
                bytes += try replacement[id] ?? RecordPayload.write(record.record, as: record.encoding)
            }
            if !bytes.isEmpty { rewritten[file] = bytes }
        }

        let manager = FileManager.default
        let folder = try backupFolder(backup, for: contents.directory)
        do {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure("cannot create the backup folder \(folder.path): \((error as NSError).localizedDescription)")
        }
        let order = files.sorted()
        func fail(_ what: String, _ error: any Error) -> CommandFailure {
            CommandFailure("\(what): \((error as NSError).localizedDescription) (the originals are in \(folder.path))")
        }
        for file in order where rewritten[file] != nil {
            let name = contents.files[file].name
            do { try manager.copyItem(at: contents.directory.appendingPathComponent(name), to: folder.appendingPathComponent(name)) } catch {
                throw fail("cannot back up \(name)", error)
            }
        }
        for file in order where rewritten[file] == nil {
            let name = contents.files[file].name
            do { try manager.moveItem(at: contents.directory.appendingPathComponent(name), to: folder.appendingPathComponent(name)) } catch {
                throw fail("cannot move \(name) into the backup", error)
            }
        }
        for file in order {
            guard let bytes = rewritten[file] else { continue }
            let name = contents.files[file].name
            do {
                // Data.write(.atomic) writes a temporary file beside it and renames it into place.
                try Data(bytes).write(to: contents.directory.appendingPathComponent(name), options: .atomic)
            } catch {
                throw fail("cannot write \(name)", error)
            }
        }
        return folder
    }

    /// `--backup`, which must not exist yet, or `FOLDER.dedupe-backup-20250102-030405` beside the folder.
    static func backupFolder(_ chosen: String?, for directory: URL) throws -> URL {
        if let chosen {
            let url = URL(fileURLWithPath: chosen).standardizedFileURL
            if FileManager.default.fileExists(atPath: url.path) { throw CommandFailure("backup folder \(chosen) exists already: choose a new one") }
            return url
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let base = directory.deletingLastPathComponent()
            .appendingPathComponent(directory.lastPathComponent + ".dedupe-backup-" + formatter.string(from: Date())).path
        var candidate = base
        var attempt = 1
        while FileManager.default.fileExists(atPath: candidate) {
            attempt += 1
            candidate = base + "-\(attempt)"
        }
        return URL(fileURLWithPath: candidate)
    }
}
