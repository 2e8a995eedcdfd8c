import Foundation
import Testing

/// `syncml-bench`, the measuring tool behind Benchmarks/side-by-side.py: its
/// figures are only worth printing if the work behind them is the real one.
@Suite("syncml-bench")
struct BenchCommandTests {
    /// The JSON objects `syncml-bench` printed, by their "step".
    func figures(_ result: CLI.Result) throws -> [String: [String: Any]] {
        var figures: [String: [String: Any]] = [:]
        for line in result.lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            figures[try #require(object["step"] as? String)] = object
        }
        return figures
    }

    @Test("sync: a slow sync of every contact, then a two-way sync that carries exactly the edited ones")
    func sync() async throws {
        var cli = try CLI()
        cli.program = "syncml-bench"
        defer { cli.remove() }
        let result = try await cli.run(["sync", "--contacts", "300", "--changes", "25", "--directory", cli.directory.path])
        #expect(result.status == 0, "\(result.error)")
        let figures = try figures(result)
        #expect(figures["slow"]?["contacts"] as? Int == 300)
        #expect((figures["slow"]?["seconds"] as? Double ?? 0) > 0)
        #expect((figures["slow"]?["peak_rss_bytes"] as? Int ?? 0) > 1 << 20)
        #expect(figures["incremental"]?["changes"] as? Int == 25)
        let left = try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).filter { $0.hasSuffix(".sqlite") }
        #expect(left.isEmpty, "the stores are removed afterwards: \(left)")
    }

    @Test("first-sync: book B meets book A on the server; its twins pair, nothing is doubled")
    func firstSync() async throws {
        var cli = try CLI()
        cli.program = "syncml-bench"
        defer { cli.remove() }
        let result = try await cli.run(["first-sync", "--contacts", "200", "--overlap", "30", "--directory", cli.directory.path])
        #expect(result.status == 0, "\(result.error)")
        let figure = try #require(try figures(result)["first-sync"])
        #expect(figure["twins"] as? Int == 60)
        #expect(figure["duplicates"] as? Int == 0)
        #expect(figure["server_contacts"] as? Int == 340)
        #expect(figure["sent_to_phone"] as? Int == 140)
    }

    @Test("dedupe: a generated book's known duplicates are counted against what the library API found")
    func dedupe() async throws {
        var cli = try CLI()
        cli.program = "syncml-bench"
        defer { cli.remove() }
        let result = try await cli.run(["dedupe", "--contacts", "300"])
        #expect(result.status == 0, "\(result.error)")
        let figure = try #require(try figures(result)["dedupe"])
        #expect(figure["records"] as? Int == 300)
        let groups = try #require(figure["groups"] as? Int)
        #expect(groups > 30, "a third of the people have copies")
        #expect(figure["correct_groups"] as? Int == groups)
        #expect(figure["found_pairs"] as? Int == figure["true_pairs"] as? Int)
        #expect(figure["precision"] as? Double == 1.0 && figure["recall"] as? Double == 1.0)
    }

    @Test("bad arguments are refused with a one-line error, never a crash")
    func badArguments() async throws {
        var cli = try CLI()
        cli.program = "syncml-bench"
        defer { cli.remove() }
        for arguments in [["sync", "--contacts=-5"], ["hash", "--contacts", "5", "--repeats", "0"], ["decode", "missing.wbxml"],
                          ["first-sync", "--contacts", "5", "--overlap", "101"], ["records", "--contacts=-1", "-o", "x.bin"],
                          ["dedupe", "--contacts=-1"], ["dedupe", "--contacts", "5", "--duplicates", "101"]] {
            let result = try await cli.run(arguments)
            #expect(result.status == 64, "\(arguments): \(result.status) \(result.error)")
            #expect(result.error.hasPrefix("Error: "), "\(arguments): \(result.error)")
        }
    }

    @Test("records: N generated contacts separated by NUL bytes, the input of the C baselines")
    func records() async throws {
        var cli = try CLI()
        cli.program = "syncml-bench"
        defer { cli.remove() }
        #expect(try await cli.run(["records", "--contacts", "50", "-o", cli.path("records.bin")]).status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: cli.path("records.bin")))
        let records = bytes.split(separator: 0)
        #expect(records.count == 50)
        #expect(records.allSatisfy { $0.starts(with: Data("BEGIN:VCARD".utf8)) })
    }

    @Test("journal and hash print a per-record cost")
    func parts() async throws {
        var cli = try CLI()
        cli.program = "syncml-bench"
        defer { cli.remove() }
        let journal = try figures(try await cli.run(["journal", "--contacts", "100", "--directory", cli.directory.path]))
        #expect((journal["journal"]?["ns_per_record"] as? Double ?? 0) > 0)
        let hash = try figures(try await cli.run(["hash", "--contacts", "100", "--repeats", "1"]))
        #expect((hash["hash"]?["hash_ns"] as? Double ?? 0) > 0)
        #expect((hash["hash"]?["parse_ns"] as? Double ?? 0) > (hash["hash"]?["hash_ns"] as? Double ?? 0))
    }

    @Test("decode counts the commands of a generated slow-sync message (one Add per contact, inside one Sync)")
    func decode() async throws {
        var cli = try CLI()
        defer { cli.remove() }
        #expect(try await cli.run(["generate", "contacts", "--count", "40", "-o", "message.wbxml"]).status == 0)
        cli.program = "syncml-bench"
        let decoded = try figures(try await cli.run(["decode", cli.path("message.wbxml"), "--repeats", "1"]))
        let commands = try #require(decoded["decode"]?["commands"] as? Int)
        #expect(commands >= 40 && commands <= 45, "40 Adds and the few commands around them: \(commands)")
    }
}
