import Foundation
import Testing

/// A small book with duplicates, written into `folder` of `cli`'s directory: Anna twice
/// (3.0 and a phone's 2.1), Bob twice (one copy inside a two-record export), a
/// colleague of both sharing the switchboard, and a file that does not parse.
enum DedupeBook {
    static let files: [String: String] = [
        "anna.vcf": "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Schmidt;Anna;;;\r\nFN:Anna Schmidt\r\nORG:Acme GmbH\r\nTEL;TYPE=WORK,VOICE:+49 30 1234500\r\nTEL;TYPE=CELL:+49 171 5550101\r\nEMAIL;TYPE=INTERNET:anna.schmidt@acme.example\r\nNOTE:Met at CeBIT\r\nEND:VCARD\r\n",
        "anna-phone.vcf": "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Schmidt;Anna\r\nTEL;CELL:0171/5550101\r\nEMAIL;INTERNET:Anna.Schmidt@ACME.example\r\nTITLE:Buyer\r\nNOTE:Old note\r\nEND:VCARD\r\n",
        "bob.vcf": "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Jones;Bob;;;\r\nFN:Bob Jones\r\nORG:Acme GmbH\r\nTEL;TYPE=WORK,VOICE:+49 30 1234500\r\nEMAIL:bob.jones@acme.example\r\nEND:VCARD\r\n",
        "export.vcf": "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Jones;Bob;;;\r\nFN:Bob Jones\r\nTEL;TYPE=WORK:030 1234500\r\nEMAIL:BOB.JONES@acme.example\r\nURL:https://bob.example\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nN:Other;Carla;;;\r\nFN:Carla Other\r\nTEL;TYPE=WORK:+49 30 1234500\r\nEMAIL:carla@acme.example\r\nEND:VCARD\r\n",
        "broken.vcf": "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Broken;\r\nEND:VCARDX\r\n",
    ]

    static func write(into folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
    }

    static func contents(of folder: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            result[name] = String(decoding: try Data(contentsOf: folder.appendingPathComponent(name)), as: UTF8.self)
        }
        return result
    }
}

@Suite("syncml dedupe")
struct DedupeCommandTests {
    @Test("A folder: the dry run changes nothing; --apply moves the originals into a backup beside the folder first, then writes the merges")
    func folderBackup() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let folder = cli.directory.appendingPathComponent("book")
        try DedupeBook.write(into: folder)

        let dry = try await cli.run(["dedupe", "book"])
        #expect(dry.status == 0, "\(dry.error)")
        #expect(dry.output.contains("5 records read, 1 unreadable"))
        #expect(dry.output.contains("2 groups of duplicates: 4 records would become 2"))
        #expect(dry.output.contains("agreed: name, email:anna.schmidt@acme.example, phone:5550101"))
        #expect(dry.output.contains("not kept: NOTE \"Old note\" of anna-phone.vcf"))
        #expect(dry.output.contains("dry run: nothing was changed"))
        #expect(try DedupeBook.contents(of: folder) == DedupeBook.files)

        let applied = try await cli.run(["dedupe", "book", "--apply"])
        #expect(applied.status == 0, "\(applied.error)")
        #expect(applied.output.contains("merged 2 groups: 4 records became 2"))
        let line = try #require(applied.lines.first { $0.hasPrefix("the originals are in ") })
        let backup = URL(fileURLWithPath: String(line.dropFirst("the originals are in ".count)))
        #expect(backup.deletingLastPathComponent().path.trimmingCharacters(in: ["/"]) == cli.directory.path.trimmingCharacters(in: ["/"]), "beside the folder")
        #expect(backup.lastPathComponent.hasPrefix("book.dedupe-backup-"))
        let saved = try DedupeBook.contents(of: backup)
        #expect(Set(saved.keys) == ["anna.vcf", "anna-phone.vcf", "bob.vcf", "export.vcf"])
        for (name, text) in saved { #expect(text == DedupeBook.files[name], "\(name) backed up as it was") }

        let now = try DedupeBook.contents(of: folder)
        #expect(Set(now.keys) == ["anna.vcf", "bob.vcf", "export.vcf", "broken.vcf"])
        #expect(now["broken.vcf"] == DedupeBook.files["broken.vcf"])
        let anna = try #require(now["anna.vcf"])
        for value in ["Buyer", "Met at CeBIT", "+49 171 5550101", "+49 30 1234500"] { #expect(anna.contains(value)) }
        #expect(!anna.contains("0171/5550101"), "one number once")
        #expect(try #require(now["bob.vcf"]).contains("https://bob.example"))
        #expect(now["export.vcf"]?.contains("Carla") == true && now["export.vcf"]?.contains("Bob") == false)

        let again = try await cli.run(["dedupe", "book"])
        #expect(again.output.contains("no duplicates found"))
    }

    @Test("A store: --apply is one session of kind dedupe, and syncml undo reverts it")
    func storeApplyAndUndo() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let folder = cli.directory.appendingPathComponent("book")
        try DedupeBook.write(into: folder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("broken.vcf"))
        let db = ["--db", cli.path("store.sqlite")]
        #expect(try await cli.run(["import", "book", "--user", "ann"] + db).status == 0)

        let applied = try await cli.run(["dedupe", "--user", "ann"] + db + ["--apply"])
        #expect(applied.status == 0, "\(applied.error)")
        #expect(applied.output.contains("merged 2 groups: 4 records became 2"))
        let line = try #require(applied.lines.first { $0.hasPrefix("store session ") })
        let session = String(line.dropFirst("store session ".count).prefix { $0.isNumber })
        #expect(line.contains("syncml undo \(session)"))
        let sessions = try await cli.run(["sessions"] + db)
        #expect(sessions.lines.contains { $0.hasPrefix(session + " ") && $0.contains("dedupe") && $0.contains("completed") })
        #expect(try await cli.run(["export", "--user", "ann", "--datastore", "contacts"] + db).output.components(separatedBy: "BEGIN:VCARD").count - 1 == 3)

        let undo = try await cli.run(["undo", session] + db)
        #expect(undo.status == 0, "\(undo.error)")
        #expect(try await cli.run(["export", "--user", "ann", "--datastore", "contacts"] + db).output.components(separatedBy: "BEGIN:VCARD").count - 1 == 5)
        #expect(try await cli.run(["dedupe", "--user", "ann"] + db).output.contains("2 groups of duplicates"))
    }

    @Test("A decisions file is honoured: an unticked group stays apart, a group whose record changed since the review is skipped")
    func decisions() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let folder = cli.directory.appendingPathComponent("book")
        try DedupeBook.write(into: folder)
        let report = try await cli.run(["dedupe", "book", "--json"])
        #expect(report.status == 0, "\(report.error)")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(report.output.utf8)) as? [String: Any])
        var groups = try #require(json["groups"] as? [[String: Any]])
        #expect(groups.count == 2)
        #expect((groups[0]["members"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["anna-phone.vcf", "anna.vcf"])
        #expect(groups[0]["survivor"] as? String == "anna.vcf")
        groups[1]["accept"] = false
        json["groups"] = groups
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: cli.path("decisions.json")))

        // Bob's group is not ticked; Anna's copy changes after the review.
        try Data(DedupeBook.files["anna-phone.vcf"]!.replacingOccurrences(of: "Buyer", with: "Head buyer").utf8)
            .write(to: folder.appendingPathComponent("anna-phone.vcf"))
        let stale = try await cli.run(["dedupe", "book", "--apply", "decisions.json"])
        #expect(stale.status == 0, "\(stale.error)")
        #expect(stale.output.contains("merged 0 groups"))
        #expect(stale.output.contains("skipped decision 1: record anna-phone.vcf changed since the review"))
        #expect(try DedupeBook.contents(of: folder)["bob.vcf"] == DedupeBook.files["bob.vcf"])

        try Data(DedupeBook.files["anna-phone.vcf"]!.utf8).write(to: folder.appendingPathComponent("anna-phone.vcf"))
        let dryRun = try await cli.run(["dedupe", "book", "--apply", "decisions.json", "--dry-run", "--json"])
        let dryJSON = try #require(try JSONSerialization.jsonObject(with: Data(dryRun.output.utf8)) as? [String: Any])
        #expect((dryJSON["applied"] as? [String: Any])?["dryRun"] as? Bool == true)
        #expect((dryJSON["applied"] as? [String: Any])?["merged"] as? Int == 1)
        #expect(try DedupeBook.contents(of: folder) == DedupeBook.files)

        let applied = try await cli.run(["dedupe", "book", "--apply", "decisions.json"])
        #expect(applied.output.contains("merged 1 group: 2 records became 1"))
        let now = try DedupeBook.contents(of: folder)
        #expect(now["anna-phone.vcf"] == nil)
        #expect(now["bob.vcf"] == DedupeBook.files["bob.vcf"] && now["export.vcf"] == DedupeBook.files["export.vcf"])
    }

    @Test("Bad input is a one-line error and changes nothing")
    func errors() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        try DedupeBook.write(into: cli.directory.appendingPathComponent("book"))
        try Data("{\"groups\": 3}".utf8).write(to: URL(fileURLWithPath: cli.path("bad.json")))
        let cases: [([String], String)] = [
            (["dedupe"], "give a folder of record files, or --user"),
            (["dedupe", "missing"], "no folder missing"),
            (["dedupe", "book", "bad.json"], "a decisions file is read by --apply"),
            (["dedupe", "book", "--apply", "bad.json"], "bad.json is not a decisions file"),
            (["dedupe", "book", "--apply", "none.json"], "no decisions file none.json"),
            (["dedupe", "book", "--user", "ann"], "a folder or --user, not both"),
            (["dedupe", "--user", "nobody", "--db", cli.path("empty.sqlite")], "no user nobody"),
            (["dedupe", "book", "--apply", "--backup", "book"], "exists already"),
        ]
        for (arguments, message) in cases {
            let result = try await cli.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.error.contains(message), "\(arguments): \(result.error)")
            #expect(result.error.split(separator: "\n").count == 1, "\(arguments): one line, not \(result.error)")
        }
        #expect(try DedupeBook.contents(of: cli.directory.appendingPathComponent("book")) == DedupeBook.files)
    }
}
