import Foundation
import Testing

extension InteropTests {
    /// Issue 19: duplicates a user already has, merged in the store by `syncml
    /// dedupe --apply` (a session of kind `dedupe`) and reverted by `syncml undo`;
    /// SyncEvolution (the phone) and our client (the CRM) converge after each.
    @Suite("Dedupe: merge and undo in the store, two devices converge")
    struct Dedupe {
        static let anna = Samples.contact("Anna Schmidt", "TEL;TYPE=CELL:+49 171 5550101", "EMAIL;TYPE=INTERNET:anna@example.org",
                                          "NOTE:Met at the fair")
        static let annaCopy = Samples.contact("Anna Schmidt", "TEL;TYPE=CELL:0171 5550101", "EMAIL;TYPE=INTERNET:ANNA@example.org",
                                              "TITLE:Buyer")
        static let bob = Samples.contact("Bob Jones", "TEL;TYPE=WORK:+44 20 7946 0001", "EMAIL;TYPE=INTERNET:bob@example.org")

        @Test("the phone's duplicates reach the CRM; after dedupe --apply both hold one merged contact; after undo both hold the two again")
        func mergeAndUndoConverge() async throws {
            try await InteropWorkspace.with { workspace in
                let server = try await workspace.startServer()
                let phone = try await workspace.client("phone", of: server)
                let crm = try workspace.crm(of: server)
                try phone.write(Self.anna, as: "anna.vcf", in: .addressbook)
                try phone.write(Self.annaCopy, as: "anna-copy.vcf", in: .addressbook)
                try phone.write(Self.bob, as: "bob.vcf", in: .addressbook)
                try await requireSuccess(phone.sync(.twoWay), server)
                try await requireSuccess(crm.sync(), server)
                let both = ["Anna Schmidt", "Anna Schmidt", "Bob Jones"]
                #expect(try crm.titles(in: .addressbook) == both)
                #expect(try await server.titles(of: .alice, in: .addressbook) == both)

                let store = server.store.path
                let applied = try await SyncMLTool.run(["dedupe", "--db", store, "--user", "alice", "--apply"])
                #expect(applied.contains("merged 1 group: 2 records became 1"), "\(applied)")
                let line = try #require(applied.split(separator: "\n").first { $0.hasPrefix("store session ") })
                let session = String(line.dropFirst("store session ".count).prefix { $0.isNumber })

                let phoneMerge = try await requireSuccess(phone.sync(.twoWay), server)
                #expect(phoneMerge.report?[.addressbook].count(.local, .updated) == 1, "\(phoneMerge)")
                #expect(phoneMerge.report?[.addressbook].count(.local, .removed) == 1, "\(phoneMerge)")
                let crmMerge = try await requireSuccess(crm.sync(), server)
                #expect(crmMerge[.addressbook]?.local == [0, 1, 1], "\(crmMerge)")
                let one = ["Anna Schmidt", "Bob Jones"]
                for holder in [try phone.titles(in: .addressbook), try crm.titles(in: .addressbook), try await server.titles(of: .alice, in: .addressbook)] {
                    #expect(holder == one)
                }
                for anna in [try phone.item(titled: "Anna Schmidt", in: .addressbook), try crm.item(titled: "Anna Schmidt", in: .addressbook)] {
                    let text = try #require(anna).text
                    #expect(ItemText.value(of: "TITLE", in: text) == "Buyer", "the copy's title is kept")
                    #expect(ItemText.value(of: "NOTE", in: text) == "Met at the fair", "the other's note is kept")
                    #expect(ItemText.values(of: "TEL", in: text).count == 1, "one number once: \(text)")
                }
                let quiet = try await requireSuccess(phone.sync(.twoWay), server)
                #expect(quiet.report?[.addressbook].count(.remote, .updated) == 0, "nothing echoes back: \(quiet)")

                let undone = try await SyncMLTool.run(["undo", session, "--db", store])
                #expect(undone.contains("2 reverted"), "\(undone)")
                try await requireSuccess(phone.sync(.twoWay), server)
                try await requireSuccess(crm.sync(), server)
                try await requireSuccess(phone.sync(.twoWay), server)
                for holder in [try phone.titles(in: .addressbook), try crm.titles(in: .addressbook), try await server.titles(of: .alice, in: .addressbook)] {
                    #expect(holder == both)
                }
                for folder in [try phone.items(in: .addressbook), try crm.items(in: .addressbook)] {
                    let annas = folder.filter { $0.title == "Anna Schmidt" }.map(\.text)
                    #expect(annas.contains { ItemText.value(of: "NOTE", in: $0) == "Met at the fair" && ItemText.value(of: "TITLE", in: $0) == nil })
                    #expect(annas.contains { ItemText.value(of: "TITLE", in: $0) == "Buyer" && ItemText.value(of: "NOTE", in: $0) == nil })
                }
            }
        }
    }
}
