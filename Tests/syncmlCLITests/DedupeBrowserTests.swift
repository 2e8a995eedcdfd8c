import Foundation
import Testing

@Suite("syncml dedupe --html in a real browser (headless Chromium)", .enabled { await Browser.testsShouldRun() })
struct DedupeBrowserTests {
    @Test("The page shows the groups side by side; unticking one and saving gives a decisions file that --apply honours")
    func reviewUntickSaveApply() async throws {
        let tools = try await Browser.tools().get()
        let cli = try CLI()
        defer { cli.remove() }
        let folder = cli.directory.appendingPathComponent("book")
        try DedupeBook.write(into: folder)
        let page = cli.path("review.html")
        let dry = try await cli.run(["dedupe", "book", "--html", page])
        #expect(dry.status == 0, "\(dry.error)")
        #expect(dry.output.contains("Review them in \(page)"))

        let downloads = cli.directory.appendingPathComponent("downloads")
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        let review = try await Browser.run(tools.python, [Browser.reviewScript.path, page, downloads.path, "2", tools.chromium, tools.chromedriver],
                                           timeout: 180)
        try #require(review.status == 0, "the browser script failed: \(review.error.suffix(2_000))")
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(review.output.utf8)) as? [String: Any])
        let groups = try #require(seen["groups"] as? [[String: Any]])
        #expect(groups.count == 2)
        #expect(groups.allSatisfy { $0["ticked"] as? Bool == true }, "every group ticked at first")
        #expect(groups.first?["columns"] as? [String] == ["anna-phone.vcf", "anna.vcf"])
        #expect((groups.first?["differing"] as? [String])?.contains("NOTE") == true)
        #expect(groups.first?["dropped"] as? [String] == ["Old note"])
        #expect(groups.last?["columns"] as? [String] == ["bob.vcf", "export.vcf#1"])
        #expect(seen["counter_before"] as? String == "2 of 2 groups will be merged")
        #expect(seen["counter_after"] as? String == "1 of 2 groups will be merged")
        #expect(seen["unticked_dimmed"] as? Bool == true)
        #expect(seen["textarea_shown"] as? Bool == true)
        #expect((seen["console_errors"] as? [String])?.isEmpty == true, "\(seen["console_errors"] ?? "")")

        let decisions = try #require(seen["decisions"] as? String)
        let saved = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: decisions))) as? [String: Any])
        #expect((saved["groups"] as? [[String: Any]])?.map { $0["accept"] as? Bool } == [true, false])

        let applied = try await cli.run(["dedupe", "book", "--apply", decisions])
        #expect(applied.status == 0, "\(applied.error)")
        #expect(applied.output.contains("merged 1 group: 2 records became 1"))
        let now = try DedupeBook.contents(of: folder)
        #expect(now["anna-phone.vcf"] == nil, "the ticked group was merged")
        #expect(now["anna.vcf"]?.contains("Buyer") == true)
        #expect(now["bob.vcf"] == DedupeBook.files["bob.vcf"], "the unticked group was left alone")
        #expect(now["export.vcf"] == DedupeBook.files["export.vcf"])
    }
}
