import Foundation
import SyncMLClient
import Testing

/// A fresh folder under the temporary directory, removed by `remove()`.
private struct Folder {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-folder-\(UUID().uuidString)")

    init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }

    func remove() { try? FileManager.default.removeItem(at: url) }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
    }

    func text(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: url.appendingPathComponent(name)), as: UTF8.self)
    }

    /// Every entry, hidden ones included, sorted.
    var entries: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted() }
}

private let alice = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alice\r\nN:;Alice;;;\r\nEND:VCARD\r\n"
private let bob = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:;Bob\r\nEND:VCARD\r\n"

@Suite("FolderDataSource")
struct FolderDataSourceTests {
    @Test("lists one record per file of its kind, named by file, skipping hidden files, folders, empty files and other extensions")
    func listsRecordFiles() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        try folder.write("b.vcf", bob)
        try folder.write("a.VCF", alice)
        try folder.write(".hidden.vcf", alice)
        try folder.write("empty.vcf", "")
        try folder.write("notes.txt", "not a contact")
        try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("sub.vcf"), withIntermediateDirectories: false)

        let records = try await FolderDataSource(directory: folder.url, kind: .contacts).allRecords()
        #expect(records.map(\.id) == ["a.VCF", "b.vcf"])
        #expect(records.map(\.type) == ["text/vcard", "text/vcard"], "vCard 2.1 too: the engine tells versions apart")
        #expect(records.map { String(decoding: $0.payload, as: UTF8.self) } == [alice, bob])
    }

    @Test("each kind has its extension and type", arguments: [
        (DatastoreKind.contacts, "vcf", "text/vcard"), (.calendar, "ics", "text/calendar"),
        (.tasks, "ics", "text/calendar"), (.notes, "txt", "text/plain"),
    ])
    func kinds(kind: DatastoreKind, fileExtension: String, type: String) {
        let source = FolderDataSource(directory: URL(fileURLWithPath: "/nowhere"), kind: kind)
        #expect(source.fileExtension == fileExtension)
        #expect(source.recordType == type)
    }

    @Test("add writes a new file named after the payload and never overwrites: the same payload twice gets a second name")
    func addsNewFiles() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        let source = FolderDataSource(directory: folder.url, kind: .contacts)
        let first = try await source.add(payload: Array(alice.utf8), type: "text/vcard")
        let second = try await source.add(payload: Array(alice.utf8), type: "text/vcard")
        let third = try await source.add(payload: Array(bob.utf8), type: "text/x-vcard")
        #expect(first.hasSuffix(".vcf") && first.count == 20, "\(first)")
        #expect(second == first.replacingOccurrences(of: ".vcf", with: "-2.vcf"))
        #expect(third != first)
        #expect(try folder.text(first) == alice && folder.text(second) == alice && folder.text(third) == bob)
        #expect(folder.entries == [first, second, third].sorted(), "no temporary file is left behind")
        #expect(try await source.allRecords().count == 3)
    }

    @Test("update replaces the file's content in place of the old one, and recreates a file deleted meanwhile")
    func updatesFiles() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        try folder.write("alice.vcf", alice)
        let source = FolderDataSource(directory: folder.url, kind: .contacts)
        try await source.update(id: "alice.vcf", payload: Array(bob.utf8), type: "text/vcard")
        #expect(try folder.text("alice.vcf") == bob)
        try await source.update(id: "gone.vcf", payload: Array(alice.utf8), type: "text/vcard")
        #expect(try folder.text("gone.vcf") == alice)
        #expect(folder.entries == ["alice.vcf", "gone.vcf"])
    }

    @Test("delete removes the file; deleting a missing one is not an error")
    func deletesFiles() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        try folder.write("alice.vcf", alice)
        let source = FolderDataSource(directory: folder.url, kind: .contacts)
        try await source.delete(id: "alice.vcf")
        try await source.delete(id: "alice.vcf")
        #expect(folder.entries.isEmpty)
    }

    @Test("ids that would reach outside the folder are refused", arguments: ["../x.vcf", "a/b.vcf", ".hidden.vcf", ""])
    func refusesPaths(id: String) async throws {
        let folder = try Folder()
        defer { folder.remove() }
        let source = FolderDataSource(directory: folder.url, kind: .contacts)
        await #expect(throws: SyncClientError.self) { try await source.update(id: id, payload: [0x41], type: "text/vcard") }
        await #expect(throws: SyncClientError.self) { try await source.delete(id: id) }
        #expect(folder.entries.isEmpty)
    }

    @Test("a missing folder or an unreadable file is a local error naming it")
    func readFailures() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        let missing = folder.url.appendingPathComponent("missing")
        let listing = await #expect(throws: SyncClientError.self) {
            _ = try await FolderDataSource(directory: missing, kind: .contacts).allRecords()
        }
        #expect(listing?.kind == .local)
        #expect(listing?.message.hasPrefix("cannot list folder \(missing.path)") == true, "\(String(describing: listing))")

        // A dangling symbolic link looks like a record file but cannot be read.
        try FileManager.default.createSymbolicLink(atPath: folder.url.appendingPathComponent("broken.vcf").path, withDestinationPath: missing.path)
        try folder.write("ok.vcf", alice)
        let source = FolderDataSource(directory: folder.url, kind: .contacts)
        let reading = await #expect(throws: SyncClientError.self) { _ = try await source.allRecords() }
        #expect(reading?.kind == .local)
        #expect(reading?.message.contains("broken.vcf") == true, "\(String(describing: reading))")
    }
}

@Suite("FolderDataSource and malformed records")
struct FolderMalformedRecordTests {
    @Test("a .vcf without END:VCARD fails the listing with the file and line, as `syncml import` refuses it; notes are not parsed")
    func missingEnd() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        try folder.write("ok.vcf", alice)
        try folder.write("half.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Half\r\n")
        let listing = await #expect(throws: SyncClientError.self) {
            _ = try await FolderDataSource(directory: folder.url, kind: .contacts).allRecords()
        }
        #expect(listing?.kind == .local)
        #expect(listing?.message == folder.url.appendingPathComponent("half.vcf").path + ": line 1: BEGIN:VCARD has no END:VCARD")

        try folder.write("note.txt", "BEGIN:VCARD but only a note")
        #expect(try await FolderDataSource(directory: folder.url, kind: .notes).allRecords().map(\.id) == ["note.txt"])
    }
}
