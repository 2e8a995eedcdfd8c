import Foundation
import Testing

@Suite("syncml preview")
struct PreviewCommandTests {
    @Test("a dry run of a slow sync lists what pairs (equal or merged) and what would be added, and changes nothing")
    func dryRunOfASlowSync() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        #expect(try await cli.run(["user", "add", "--db", "server.sqlite", "alice"], input: "secret\n").status == 0)
        #expect(try await cli.run(["generate", "vcards", "--count", "6", "--directory", "stored"]).status == 0)
        #expect(try await cli.run(["import", "--db", "server.sqlite", "--user", "alice", "stored"]).status == 0)
        let manager = FileManager.default
        try manager.createDirectory(atPath: cli.path("phone"), withIntermediateDirectories: false)
        let first = try String(contentsOfFile: cli.path("stored/1.vcf"), encoding: .utf8)
        let second = try String(contentsOfFile: cli.path("stored/2.vcf"), encoding: .utf8)
        try first.write(toFile: cli.path("phone/1.vcf"), atomically: true, encoding: .utf8)
        try second.replacingOccurrences(of: "END:VCARD", with: "NOTE:from the phone\r\nEND:VCARD")
            .write(toFile: cli.path("phone/2.vcf"), atomically: true, encoding: .utf8)
        try "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:New Person\r\nN:Person;New;;;\r\nEND:VCARD\r\n".write(toFile: cli.path("phone/new.vcf"), atomically: true, encoding: .utf8)
        let before = try await cli.run(["inspect", "--db", "server.sqlite"]).output

        let preview = try await cli.run(["preview", "--db", "server.sqlite", "--user", "alice", "--contacts", "phone"])
        #expect(preview.status == 0, "\(preview.error)")
        #expect(preview.lines.contains { $0.contains("same as") && $0.contains("1.vcf") }, "\(preview.output)")
        #expect(preview.lines.contains { $0.contains("merge with") && $0.contains("2.vcf") }, "\(preview.output)")
        #expect(preview.lines.contains { $0.contains("add") && $0.contains("new.vcf") }, "\(preview.output)")
        #expect(preview.output.contains("1 same, 1 merged, 1 added; the device would receive 4 stored records"), "\(preview.output)")
        #expect(try await cli.run(["inspect", "--db", "server.sqlite"]).output == before)
        #expect(try manager.contentsOfDirectory(atPath: cli.path("phone")).sorted() == ["1.vcf", "2.vcf", "new.vcf"])
        #expect(try await cli.run(["preview", "--db", "server.sqlite", "--user", "nobody", "--contacts", "phone"]).error == "syncml: preview failed: no user nobody\n")
    }
}
