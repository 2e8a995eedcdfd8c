import Foundation
import Testing

@Suite("syncml generate")
struct GenerateCommandTests {
    func contents(_ cli: CLI, _ directory: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: cli.path(directory)) {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: cli.path("\(directory)/\(name)")))
        }
        return files
    }

    @Test("vcards, events and tasks write one file per record, the same bytes for the same seed")
    func files() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        for (arguments, directory, ext) in [
            (["vcards", "--count", "12", "--version", "2.1"], "v21", "vcf"),
            (["vcards", "--count", "12", "--version", "4.0"], "v40", "vcf"),
            (["events", "--count", "12", "--format", "vcal"], "vcal", "vcs"),
            (["events", "--count", "12"], "ical", "ics"),
            (["tasks", "--count", "12", "--format", "vcal"], "tasks", "vcs"),
        ] {
            for run in ["1", "2"] {
                let result = try await cli.run(["generate"] + arguments + ["--seed", "9", "--directory", directory + run])
                #expect(result.status == 0, "\(arguments): \(result.error)")
            }
            let first = try contents(cli, directory + "1")
            #expect(Set(first.keys) == Set((1...12).map { "\($0).\(ext)" }))
            #expect(first == (try contents(cli, directory + "2")), "\(arguments)")
        }
        let card = try #require(String(data: try contents(cli, "v211")["1.vcf"]!, encoding: .utf8))
        #expect(card.hasPrefix("BEGIN:VCARD\r\nVERSION:2.1\r\n"))
    }

    @Test("vcards --book b --overlap P writes P % twins of book a and lists them with --twins")
    func overlappingBook() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        #expect(try await cli.run(["generate", "vcards", "--count", "20", "--directory", "a"]).status == 0)
        let b = try await cli.run(["generate", "vcards", "--count", "20", "--directory", "b", "--book", "b", "--overlap", "25",
                                   "--version", "2.1", "--twins", "twins.txt"])
        #expect(b.status == 0, "\(b.error)")
        let twins = try String(contentsOfFile: cli.path("twins.txt"), encoding: .utf8)
        #expect(twins == "4.vcf\n8.vcf\n12.vcf\n16.vcf\n20.vcf\n")
        #expect(try contents(cli, "b").count == 20)

        let missing = try await cli.run(["generate", "vcards", "--count", "2", "--directory", "c", "--book", "b"])
        #expect(missing.status != 0 && missing.error.contains("--book b needs --overlap"))
        let stray = try await cli.run(["generate", "vcards", "--count", "2", "--directory", "c", "--overlap", "10"])
        #expect(stray.status != 0 && stray.error.contains("--overlap and --twins are for --book b"))
    }

    @Test("contacts --version 2.1 sends text/x-vcard items")
    func message() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let result = try await cli.run(["generate", "contacts", "--count", "3", "--format", "xml", "--version", "2.1"])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("<Type xmlns='syncml:metinf'>text/x-vcard</Type>"), "\(result.output.prefix(2_000))")
        #expect(result.output.contains("VERSION:2.1"))
    }
}
