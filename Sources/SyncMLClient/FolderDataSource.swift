import Crypto
import SyncMLRecords
public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A datastore kept as a folder with one record per file: `.vcf` for contacts,
/// `.ics` for calendar and tasks, `.txt` for notes. A record's id is its file name.
///
/// Hidden files, subfolders, empty files and files with another extension are
/// not records and are left alone; a record file that cannot be read, or a
/// `.vcf`/`.ics` that does not parse (`RecordFiles`: a vCard without its
/// `END:VCARD` is refused, as `syncml import` refuses it), fails the listing
/// with the file's name (were it skipped, the engine would take it for deleted). Writes never leave a half-written record:
/// each goes to a hidden temporary file first and is then renamed into place.
public struct FolderDataSource: SyncDataSource {
    /// The folder; it must exist.
    public let directory: URL
    /// What the files hold: decides the extension of new files and their MIME type.
    public let kind: DatastoreKind

    /// The records in `directory`, one file each, of `kind`.
    public init(directory: URL, kind: DatastoreKind) {
        self.directory = directory
        self.kind = kind
    }

    /// The extension of this kind's record files, without the dot.
    package var fileExtension: String {
        switch kind {
        case .contacts: "vcf"
        case .calendar, .tasks: "ics"
        case .notes: "txt"
        }
    }

    /// The MIME type of this kind's records (vCard 2.1 files too: the engine tells versions apart).
    package var recordType: String {
        switch kind {
        case .contacts: "text/vcard"
        case .calendar, .tasks: "text/calendar"
        case .notes: "text/plain"
        }
    }

    /// Every record file, sorted by name.
    public func allRecords() async throws -> [HostRecord] {
        try records(named: try recordFileNames()[...])
    }

    /// Every record file, sorted by name, in batches: the folder is listed when
    /// the first batch is asked for and each file is read with its batch, so only
    /// the names are held for the whole folder.
    public func records(batchSize: Int) -> AsyncThrowingStream<[HostRecord], any Error> {
        let batches = RecordBatches(batchSize: batchSize, list: { try recordFileNames() }, read: { try records(named: $0) })
        return AsyncThrowingStream { try await batches.next() }
    }

    /// Writes a new file named after a hash of the payload (`3f2a9c01d4e5b6a7.vcf`),
    /// with `-2`, `-3`… when that name is taken: an existing file is never overwritten.
    public func add(payload: [UInt8], type: String) async throws -> String {
        let stem = SHA256.hash(data: payload).prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
        let temporary = try writeTemporary(payload, for: stem)
        defer { try? FileManager.default.removeItem(at: temporary) }
        for attempt in 1...1000 {
            let name = attempt == 1 ? "\(stem).\(fileExtension)" : "\(stem)-\(attempt).\(fileExtension)"
            let destination = directory.appendingPathComponent(name)
            // A hard link publishes the finished file under a name only if the name is free.
            if link(temporary.path, destination.path) == 0 { return name }
            let code = errno
            guard code == EEXIST else { throw failure("cannot write", name, reason: Self.text(errno: code)) }
        }
        throw failure("cannot write", "\(stem).\(fileExtension)", reason: "1000 files already have that name")
    }

    /// Replaces file `id` atomically (creating it again if it was deleted meanwhile).
    public func update(id: String, payload: [UInt8], type: String) async throws {
        try checkIsFileName(id)
        let temporary = try writeTemporary(payload, for: id)
        guard rename(temporary.path, directory.appendingPathComponent(id).path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw failure("cannot write", id, reason: Self.text(errno: code))
        }
    }

    /// Removes file `id`; a file already gone is fine.
    public func delete(id: String) async throws {
        try checkIsFileName(id)
        guard unlink(directory.appendingPathComponent(id).path) != 0 else { return }
        let code = errno
        guard code == ENOENT else { throw failure("cannot delete", id, reason: Self.text(errno: code)) }
    }

    // MARK: Files

    /// The names of the record files: visible, regular, with this kind's extension.
    private func recordFileNames() throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw SyncClientError(.local, "cannot list folder \(directory.path): \(Self.reason(error))")
        }
        let suffix = "." + fileExtension
        return names.filter { name in
            guard !name.hasPrefix("."), name.lowercased().hasSuffix(suffix), name.count > suffix.count else { return false }
            // A file that exists but cannot be read (a dangling link) stays in, so reading it
            // fails loudly: skipping it would make the engine take it for deleted.
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path, isDirectory: &isDirectory)
            return !(exists && isDirectory.boolValue)
        }.sorted()
    }

    /// The records of files `names`; empty files are not records.
    private func records(named names: ArraySlice<String>) throws -> [HostRecord] {
        var records: [HostRecord] = []
        records.reserveCapacity(names.count)
        for name in names {
            let payload = try read(name)
            guard !payload.isEmpty else { continue }
            if kind != .notes {
                do {
                    _ = try RecordFiles.parse(payload, name: directory.appendingPathComponent(name).path)
                } catch {
                    throw SyncClientError(.local, error.description)
                }
            }
            records.append(HostRecord(id: name, payload: payload, type: recordType))
        }
        return records
    }

    private func read(_ name: String) throws -> [UInt8] {
        do {
            return try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
        } catch {
            throw failure("cannot read", name, reason: Self.reason(error))
        }
    }

    /// Writes `payload` to a hidden file beside `name`'s (same file system, so a rename is atomic).
    private func writeTemporary(_ payload: [UInt8], for name: String) throws -> URL {
        let temporary = directory.appendingPathComponent(".\(name).\(UUID().uuidString).tmp")
        do {
            try Data(payload).write(to: temporary)
        } catch {
            throw failure("cannot write", name, reason: Self.reason(error))
        }
        return temporary
    }

    /// Ids come from the engine, which got them from this source; still, none may leave the folder.
    private func checkIsFileName(_ id: String) throws {
        guard !id.isEmpty, !id.hasPrefix("."), !id.contains("/"), !id.contains("\0") else {
            throw SyncClientError(.local, "'\(id)' is not a record file name in \(directory.path)")
        }
    }

    private func failure(_ what: String, _ name: String, reason: String) -> SyncClientError {
        SyncClientError(.local, "\(what) \(directory.appendingPathComponent(name).path): \(reason)")
    }

    private static func text(errno code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
    }

    /// The underlying POSIX reason of a Foundation error when there is one (`no such file or directory`).
    private static func reason(_ error: any Error) -> String {
        let error = error as NSError
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return text(errno: Int32(underlying.code))
        }
        if error.domain == NSPOSIXErrorDomain { return text(errno: Int32(error.code)) }
        return error.localizedDescription
    }
}
