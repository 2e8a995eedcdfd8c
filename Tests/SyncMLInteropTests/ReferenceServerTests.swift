import Foundation
import Testing

extension InteropTests {
    /// Our client (`syncml sync` on folders of record files, the CRM's role) against
    /// SyncEvolution's own server (`syncevo-http-server`, file backend), instead of
    /// ours: the records must arrive in the server's item directories, and the
    /// server's changes in our folders, with no duplicates on either end.
    ///
    /// The server's datastores are SyncEvolution's usual `addressbook`, `calendar`
    /// and `todo`, so the client is given `--remote-contacts addressbook --remote-tasks todo`.
    /// Without `syncevolution-http` and `python3-twisted` the suite is skipped with a
    /// loud message, or fails under `SYNCML_REQUIRE_PEERS=1`.
    @Suite("Our client against SyncEvolution's server", .enabled { await SyncEvolutionServer.testsShouldRun() })
    struct ReferenceServer {
        @Test("a first sync uploads contacts, events and tasks into SyncEvolution's server; a second sync changes nothing")
        func firstSyncUploadsTheFolders() async throws {
            try await InteropWorkspace.with { workspace in
                let (server, crm) = try await workspace.referencePair()

                let upload = try await requireSuccess(crm.sync(), server)
                for datastore in Datastore.allCases {
                    #expect(upload[datastore]?.performed == "slow", "a first sync is slow: \(upload)")
                    #expect(upload[datastore]?.remote == [Samples.titles(datastore).count, 0, 0], "\(upload)")
                    #expect(upload[datastore]?.local == [0, 0, 0], "\(upload)")
                    #expect(try server.titles(in: datastore) == Samples.titles(datastore))
                }
                let grace = try #require(try server.item(titled: "Grace Hopper", in: .addressbook))
                #expect(ItemText.value(of: "NOTE", in: grace.text) == "COBOL")
                #expect(ItemText.value(of: "N", in: grace.text) == "Hopper;Grace;;;")
                let emilie = try #require(try server.item(titled: "Émilie du Châtelet", in: .addressbook))
                #expect(ItemText.value(of: "ORG", in: emilie.text)?.split(separator: ";").first == "Académie", "non-ASCII text arrives intact")
                let review = try #require(try server.item(titled: "Weekly review", in: .calendar))
                #expect(ItemText.value(of: "RRULE", in: review.text)?.contains("FREQ=WEEKLY") == true, "the recurrence arrives")
                let report = try #require(try server.item(titled: "Write the report", in: .todo))
                #expect(ItemText.value(of: "DUE", in: report.text) == "20250320T170000Z")

                let again = try await requireSuccess(crm.sync(), server)
                for datastore in Datastore.allCases {
                    #expect(again[datastore]?.performed == "two-way", "\(again)")
                    #expect(again[datastore]?.isQuiet == true, "nothing changed: \(again)")
                    #expect(try server.titles(in: datastore) == Samples.titles(datastore))
                    #expect(try crm.titles(in: datastore) == Samples.titles(datastore))
                }
            }
        }

        @Test("two-way: our add, edit and delete reach SyncEvolution's server, and its add, edit and delete reach our folders, once")
        func twoWayChangesReachBothEnds() async throws {
            try await InteropWorkspace.with { workspace in
                let (server, crm) = try await workspace.referencePair()
                try await requireSuccess(crm.sync(), server)

                // Our side: an add, an edit, a delete of contacts; an event edited, the task deleted.
                try crm.write(Samples.contact("Alan Turing", "EMAIL;TYPE=INTERNET:alan@example.org"), as: "alan.vcf", in: .addressbook)
                try crm.replace(titled: "Grace Hopper", in: .addressbook,
                                with: Samples.contact("Grace Hopper", "EMAIL;TYPE=INTERNET:grace@example.org", "NOTE:COBOL and compilers",
                                                      "TEL;TYPE=WORK:+1 555 0100"))
                try crm.delete(titled: "Ada Lovelace", in: .addressbook)
                try crm.replace(titled: "Project kickoff", in: .calendar,
                                with: Samples.event("Project kickoff", uid: "kickoff@interop.test", start: "20250310T090000Z", end: "20250310T100000Z",
                                                    "LOCATION:Room 4"))
                try crm.delete(titled: "Write the report", in: .todo)
                // The server's side: a contact and an event written into its own directories.
                try server.write(Samples.contact("Katherine Johnson", "TEL;TYPE=WORK:+1 757 555 0199", "NOTE:orbital mechanics"),
                                 as: "katherine.vcf", in: .addressbook)
                try server.write(Samples.event("Dentist", uid: "dentist@interop.test", start: "20250402T080000Z", end: "20250402T083000Z"),
                                 as: "dentist.ics", in: .calendar)

                let both = try await requireSuccess(crm.sync(), server)
                #expect(both[.addressbook]?.performed == "two-way", "\(both)")
                #expect(both[.addressbook]?.remote == [1, 1, 1], "\(both)")
                #expect(both[.addressbook]?.local == [1, 0, 0], "\(both)")
                #expect(both[.calendar]?.remote == [0, 1, 0], "\(both)")
                #expect(both[.calendar]?.local == [1, 0, 0], "\(both)")
                #expect(both[.todo]?.remote == [0, 0, 1], "\(both)")

                let contacts = ["Alan Turing", "Grace Hopper", "Katherine Johnson", "Émilie du Châtelet"].sorted()
                let events = (Samples.titles(.calendar) + ["Dentist"]).sorted()
                for (datastore, titles) in [(Datastore.addressbook, contacts), (.calendar, events), (.todo, [])] {
                    #expect(try server.titles(in: datastore) == titles, "\(datastore) on the server")
                    #expect(try crm.titles(in: datastore) == titles, "\(datastore) in our folder")
                }
                let grace = try #require(try server.item(titled: "Grace Hopper", in: .addressbook))
                #expect(ItemText.value(of: "NOTE", in: grace.text) == "COBOL and compilers")
                #expect(ItemText.values(of: "TEL", in: grace.text).contains("+1 555 0100"))
                let kickoff = try #require(try server.item(titled: "Project kickoff", in: .calendar))
                #expect(ItemText.value(of: "LOCATION", in: kickoff.text) == "Room 4")
                let katherine = try #require(try crm.item(titled: "Katherine Johnson", in: .addressbook))
                #expect(katherine.name.hasSuffix(".vcf"), "a received contact is a record file the next sync reads: \(katherine.name)")
                #expect(ItemText.value(of: "NOTE", in: katherine.text) == "orbital mechanics")
                #expect(ItemText.value(of: "N", in: katherine.text) == "Johnson;Katherine;;;")

                // The server's side again: an edit and a delete.
                try server.edit(titled: "Émilie du Châtelet", in: .addressbook,
                                with: Samples.contact("Émilie du Châtelet", "ORG:Académie", "NOTE:Principia in French"))
                try server.delete(titled: "Alan Turing", in: .addressbook)
                let back = try await requireSuccess(crm.sync(), server)
                #expect(back[.addressbook]?.local == [0, 1, 1], "\(back)")
                #expect(back[.addressbook]?.remote == [0, 0, 0], "nothing echoes back: \(back)")
                let remaining = ["Grace Hopper", "Katherine Johnson", "Émilie du Châtelet"].sorted()
                #expect(try crm.titles(in: .addressbook) == remaining)
                #expect(try server.titles(in: .addressbook) == remaining)
                let emilie = try #require(try crm.item(titled: "Émilie du Châtelet", in: .addressbook))
                #expect(ItemText.value(of: "NOTE", in: emilie.text) == "Principia in French")

                let quiet = try await requireSuccess(crm.sync(), server)
                for datastore in Datastore.allCases {
                    #expect(quiet[datastore]?.isQuiet == true, "nothing changed since: \(quiet)")
                }
                #expect(try server.titles(in: .addressbook) == remaining, "no duplicates on the server")
                #expect(try crm.titles(in: .addressbook) == remaining, "no duplicates in our folder")
            }
        }
    }
}

extension InteropWorkspace {
    /// SyncEvolution's server, empty, and our client (the CRM) holding `Samples.book`,
    /// configured for it but not synced yet.
    func referencePair() async throws -> (server: SyncEvolutionServer, crm: CRMClient) {
        let deviceID = "syncml-interop-crm"
        let server = try await startReferenceServer(devices: [(deviceID, .alice)])
        var office = try crm(of: server)
        #expect(office.deviceID == deviceID)
        office.remoteURIs = [.addressbook: Datastore.addressbook.rawValue, .calendar: Datastore.calendar.rawValue,
                             .todo: Datastore.todo.rawValue]
        try Samples.fill(office)
        return (server, office)
    }
}
