import Foundation
import Testing

extension InteropTests {
    /// The seed's triangle: the CRM (our client, `syncml sync` on folders of record
    /// files) and the phone (SyncEvolution, standing in for Outlook) never talk to
    /// each other, only to our server. A change on either end reaches the other
    /// after one sync on each leg: the changed end first, then the other.
    @Suite("Triangle: CRM, server, phone")
    struct Triangle {
        // MARK: Creating

        @Test("contacts, events and tasks created on the CRM reach the phone: CRM syncs, then the phone", arguments: Transport.both)
        func recordsCreatedOnTheCRMReachThePhone(over transport: Transport) async throws {
            try await InteropWorkspace.with { workspace in
                let server = try await workspace.startServer(transport: transport)
                let crm = try workspace.crm(of: server)
                let phone = try await workspace.client("phone", of: server)
                try Samples.fill(crm)

                let upload = try await requireSuccess(crm.sync(), server)
                for datastore in Datastore.allCases {
                    #expect(upload[datastore]?.remote == [Samples.titles(datastore).count, 0, 0], "\(upload)")
                    #expect(try await server.titles(of: .alice, in: datastore) == Samples.titles(datastore))
                }

                let download = try await requireSuccess(phone.sync(.twoWay), server)
                for datastore in Datastore.allCases {
                    #expect(download.report?[datastore].count(.local, .added) == Samples.titles(datastore).count, "\(download)")
                    #expect(try phone.titles(in: datastore) == Samples.titles(datastore))
                }
                let review = try #require(try phone.item(titled: "Weekly review", in: .calendar))
                #expect(ItemText.value(of: "RRULE", in: review.text)?.contains("FREQ=WEEKLY") == true, "the recurrence arrives")
                let emilie = try #require(try phone.item(titled: "Émilie du Châtelet", in: .addressbook))
                #expect(ItemText.value(of: "ORG", in: emilie.text)?.split(separator: ";").first == "Académie", "non-ASCII text arrives intact")
            }
        }

        @Test("contacts, events and tasks created on the phone reach the CRM: the phone syncs, then the CRM")
        func recordsCreatedOnThePhoneReachTheCRM() async throws {
            try await InteropWorkspace.with { workspace in
                let server = try await workspace.startServer()
                let crm = try workspace.crm(of: server)
                let phone = try await workspace.client("phone", of: server)
                try Samples.fill(phone)

                try await requireSuccess(phone.sync(.twoWay), server)
                let download = try await requireSuccess(crm.sync(), server)
                for datastore in Datastore.allCases {
                    #expect(download[datastore]?.local == [Samples.titles(datastore).count, 0, 0], "\(download)")
                    #expect(download[datastore]?.remote == [0, 0, 0], "nothing goes back to the server: \(download)")
                    #expect(try crm.titles(in: datastore) == Samples.titles(datastore))
                    #expect(try await server.titles(of: .alice, in: datastore) == Samples.titles(datastore))
                }
                let contacts = try crm.items(in: .addressbook).map(\.name)
                #expect(contacts.allSatisfy { $0.hasSuffix(".vcf") }, "received contacts are record files the next sync reads: \(contacts)")
                let report = try #require(try crm.item(titled: "Write the report", in: .todo))
                #expect(ItemText.value(of: "DUE", in: report.text) == "20250320T170000Z")
            }
        }

        // MARK: Editing and deleting

        @Test("an add, edits and deletes on the CRM reach the phone", arguments: Transport.both)
        func changesOnTheCRMReachThePhone(over transport: Transport) async throws {
            try await InteropWorkspace.with { workspace in
                let (server, crm, phone) = try await workspace.triangle(over: transport).parts

                try crm.write(Samples.contact("Alan Turing", "EMAIL;TYPE=INTERNET:alan@example.org"), as: "alan.vcf", in: .addressbook)
                try crm.replace(titled: "Grace Hopper", in: .addressbook,
                                with: Samples.contact("Grace Hopper", "EMAIL;TYPE=INTERNET:grace@example.org", "NOTE:COBOL", "TEL;TYPE=WORK:+1 555 0100"))
                try crm.delete(titled: "Ada Lovelace", in: .addressbook)
                try crm.replace(titled: "Project kickoff", in: .calendar,
                                with: Samples.event("Project kickoff", uid: "kickoff@interop.test", start: "20250310T090000Z", end: "20250310T100000Z",
                                                    "LOCATION:Room 4"))
                try crm.delete(titled: "Write the report", in: .todo)
                let sent = try await requireSuccess(crm.sync(), server)
                #expect(sent[.addressbook]?.remote == [1, 1, 1], "\(sent)")
                #expect(sent[.calendar]?.remote == [0, 1, 0], "\(sent)")
                #expect(sent[.todo]?.remote == [0, 0, 1], "\(sent)")

                let received = try await requireSuccess(phone.sync(.twoWay), server)
                #expect(received.report?[.addressbook].count(.local, .added) == 1, "\(received)")
                #expect(received.report?[.addressbook].count(.local, .updated) == 1, "\(received)")
                #expect(received.report?[.addressbook].count(.local, .removed) == 1, "\(received)")
                let contacts = ["Alan Turing", "Grace Hopper", "Émilie du Châtelet"].sorted()
                #expect(try phone.titles(in: .addressbook) == contacts)
                #expect(try await server.titles(of: .alice, in: .addressbook) == contacts)
                let grace = try #require(try phone.item(titled: "Grace Hopper", in: .addressbook))
                #expect(ItemText.values(of: "TEL", in: grace.text).contains("+1 555 0100"))
                let kickoff = try #require(try phone.item(titled: "Project kickoff", in: .calendar))
                #expect(ItemText.value(of: "LOCATION", in: kickoff.text) == "Room 4")
                #expect(try phone.titles(in: .todo) == [])
            }
        }

        @Test("an add, edits and deletes on the phone reach the CRM")
        func changesOnThePhoneReachTheCRM() async throws {
            try await InteropWorkspace.with { workspace in
                let (server, crm, phone) = try await workspace.triangle().parts

                try phone.write(Samples.event("Dentist", uid: "dentist@interop.test", start: "20250402T080000Z", end: "20250402T083000Z"),
                                as: "dentist.ics", in: .calendar)
                try phone.replace(titled: "Émilie du Châtelet", in: .addressbook,
                                  with: Samples.contact("Émilie du Châtelet", "ORG:Académie", "EMAIL;TYPE=INTERNET:emilie@example.org"))
                try phone.delete(titled: "Grace Hopper", in: .addressbook)
                try phone.replace(titled: "Write the report", in: .todo,
                                  with: Samples.task("Write the report", uid: "report@interop.test", "DUE:20250320T170000Z", "STATUS:COMPLETED"))
                try await requireSuccess(phone.sync(.twoWay), server)

                let received = try await requireSuccess(crm.sync(), server)
                #expect(received[.addressbook]?.local == [0, 1, 1], "\(received)")
                #expect(received[.calendar]?.local == [1, 0, 0], "\(received)")
                #expect(received[.todo]?.local == [0, 1, 0], "\(received)")
                #expect(try crm.titles(in: .addressbook) == ["Ada Lovelace", "Émilie du Châtelet"])
                let emilie = try #require(try crm.item(titled: "Émilie du Châtelet", in: .addressbook))
                #expect(ItemText.values(of: "EMAIL", in: emilie.text) == ["emilie@example.org"])
                #expect(try crm.item(titled: "Émilie du Châtelet", in: .addressbook)?.name == "emilie.vcf", "an update rewrites the CRM's own file")
                #expect(try crm.titles(in: .calendar) == (Samples.titles(.calendar) + ["Dentist"]).sorted())
                let report = try #require(try crm.item(titled: "Write the report", in: .todo))
                #expect(ItemText.value(of: "STATUS", in: report.text) == "COMPLETED")
            }
        }

        @Test("records the CRM received from the phone, then edited or deleted on the CRM, change on the phone instead of coming back as new ones")
        func receivedRecordsEditedOnTheCRMReachThePhone() async throws {
            try await InteropWorkspace.with { workspace in
                let server = try await workspace.startServer()
                let crm = try workspace.crm(of: server)
                let phone = try await workspace.client("phone", of: server)
                try Samples.fill(phone)
                try await requireSuccess(phone.sync(.twoWay), server)
                try await requireSuccess(crm.sync(), server)

                try crm.replace(titled: "Ada Lovelace", in: .addressbook,
                                with: Samples.contact("Ada Lovelace", "TEL;TYPE=CELL:+44 20 7946 0001", "EMAIL;TYPE=INTERNET:ada@analytical.example"))
                try crm.delete(titled: "Weekly review", in: .calendar)
                let sent = try await requireSuccess(crm.sync(), server)
                #expect(sent[.addressbook]?.remote == [0, 1, 0], "\(sent)")
                #expect(sent[.calendar]?.remote == [0, 0, 1], "\(sent)")

                let received = try await requireSuccess(phone.sync(.twoWay), server)
                #expect(received.report?[.addressbook].count(.local, .updated) == 1, "\(received)")
                #expect(received.report?[.calendar].count(.local, .removed) == 1, "\(received)")
                #expect(try phone.titles(in: .addressbook) == Samples.titles(.addressbook))
                let ada = try #require(try phone.item(titled: "Ada Lovelace", in: .addressbook))
                #expect(ItemText.values(of: "EMAIL", in: ada.text) == ["ada@analytical.example"])
                #expect(try phone.titles(in: .calendar) == ["Project kickoff"])
            }
        }

        // MARK: The seed

        @Test("a contact on both ends before the first sync, written differently (vCard 3.0 and 2.1, phone format, e-mail case), exists once afterwards on both ends and in the store",
              arguments: [FirstToSync.crm, .phone])
        func contactOnBothEndsBeforeTheFirstSyncExistsOnce(first: FirstToSync) async throws {
            try await InteropWorkspace.with { workspace in
                let server = try await workspace.startServer()
                let crm = try workspace.crm(of: server)
                let phone = try await workspace.client("phone", of: server)
                try crm.write(Samples.contact("Ada Lovelace", "EMAIL;TYPE=INTERNET:ada@example.org"), as: "ada.vcf", in: .addressbook)
                try crm.write(SeedScenario.charlesOnFirst, as: "charles.vcf", in: .addressbook)
                try phone.write(Samples.contact("Grace Hopper", "EMAIL;TYPE=INTERNET:grace@example.org"), as: "grace.vcf", in: .addressbook)
                try phone.write(SeedScenario.charlesOnSecond, as: "charles.vcf", in: .addressbook)

                // The end that syncs first syncs again last, to receive what the other had.
                let legs = first == .crm ? [FirstToSync.crm, .phone, .crm] : [.phone, .crm, .phone]
                for leg in legs {
                    if leg == .crm {
                        try await requireSuccess(crm.sync(.twoWay, [.addressbook]), server)
                    } else {
                        try await requireSuccess(phone.sync(.twoWay, [.addressbook]), server)
                    }
                }

                let everyone = ["Ada Lovelace", "Charles Babbage", "Grace Hopper"]
                #expect(try crm.titles(in: .addressbook) == everyone)
                #expect(try phone.titles(in: .addressbook) == everyone)
                #expect(try await server.titles(of: .alice, in: .addressbook) == everyone)
            }
        }

        enum FirstToSync: String, CustomTestStringConvertible {
            case crm, phone
            var testDescription: String { "\(rawValue) first" }
        }

        // MARK: Conflicts

        /// Émilie with an e-mail added (the CRM's edit) or a note added (the phone's).
        static let emilieWithEmail = Samples.contact("Émilie du Châtelet", "ORG:Académie", "ADR;TYPE=HOME:;;Rue de Paris 1;Paris;;75001;France",
                                                     "EMAIL;TYPE=INTERNET:emilie@example.org")
        static let emilieWithNote = Samples.contact("Émilie du Châtelet", "ORG:Académie", "ADR;TYPE=HOME:;;Rue de Paris 1;Paris;;75001;France",
                                                    "NOTE:Translated Newton")

        @Test("the same contact edited on both ends, the CRM's edit reaching the server first: merged, both ends end with both edits")
        func conflictingEditsMergeWhenTheCRMSyncsFirst() async throws {
            try await InteropWorkspace.with { workspace in
                let (server, crm, phone) = try await workspace.triangle().parts

                try crm.replace(titled: "Émilie du Châtelet", in: .addressbook, with: Self.emilieWithEmail)
                try phone.replace(titled: "Émilie du Châtelet", in: .addressbook, with: Self.emilieWithNote)
                try await requireSuccess(crm.sync(), server)
                let conflicting = try await requireSuccess(phone.sync(.twoWay), server)
                #expect(conflicting.report?[.addressbook].count(.local, .updated) == 1, "the merge comes back: \(conflicting)")
                let merged = try await requireSuccess(crm.sync(), server)
                #expect(merged[.addressbook]?.local == [0, 1, 0], "the merge reaches the CRM: \(merged)")

                try await Self.expectBothEdits(server, crm, phone)
            }
        }

        @Test("the same contact edited on both ends, the phone's edit reaching the server first: merged, both ends end with both edits")
        func conflictingEditsMergeWhenThePhoneSyncsFirst() async throws {
            try await InteropWorkspace.with { workspace in
                let (server, crm, phone) = try await workspace.triangle().parts

                try crm.replace(titled: "Émilie du Châtelet", in: .addressbook, with: Self.emilieWithEmail)
                try phone.replace(titled: "Émilie du Châtelet", in: .addressbook, with: Self.emilieWithNote)
                try await requireSuccess(phone.sync(.twoWay), server)
                let conflicting = try await requireSuccess(crm.sync(), server)
                #expect(conflicting[.addressbook]?.conflicts == "merged×1", "a conflict resolved by merging (207): \(conflicting)")
                #expect(conflicting[.addressbook]?.local == [0, 1, 0], "the merge comes back: \(conflicting)")
                try await requireSuccess(phone.sync(.twoWay), server)

                try await Self.expectBothEdits(server, crm, phone)
            }
        }

        /// Émilie once on each end and in the store, with the e-mail, the note and what neither edit touched.
        static func expectBothEdits(_ server: SyncMLServerProcess, _ crm: CRMClient, _ phone: SyncEvolutionClient) async throws {
            let (crmContacts, phoneContacts) = (try crm.items(in: .addressbook), try phone.items(in: .addressbook))
            let onCRM = try #require(crmContacts.first { $0.title == "Émilie du Châtelet" }, "\(crmContacts)")
            let onPhone = try #require(phoneContacts.first { $0.title == "Émilie du Châtelet" }, "\(phoneContacts)")
            let stored = try #require(try await SyncMLTool.exportByGUID(user: Account.alice.name, store: server.store)["contacts"]?
                .filter { ItemText.value(of: "FN", in: $0.value) == "Émilie du Châtelet" })
            #expect(stored.count == 1, "\(stored)")
            let (guid, storedText) = try #require(stored.first)
            for (side, text) in [("CRM", onCRM.text), ("phone", onPhone.text), ("store", storedText)] {
                #expect(ItemText.values(of: "EMAIL", in: text) == ["emilie@example.org"], "\(side): \(text)")
                #expect(ItemText.values(of: "NOTE", in: text) == ["Translated Newton"], "\(side): \(text)")
                #expect(ItemText.value(of: "ORG", in: text)?.split(separator: ";").first == "Académie", "\(side): \(text)")
            }
            // Nothing lost: each end's edit is a version of its own in the journal, and the merge one more.
            let history = try await SyncMLTool.history(guid: guid, user: Account.alice.name, datastore: "contacts", store: server.store)
            let replacedBy = history.filter { $0.count > 3 && $0[2] == "replace" }.map { $0[3] }
            #expect(Set(replacedBy) == [crm.deviceID, "syncml-interop-phone", "-"], "\(history)")
            #expect(replacedBy.count == 3, "\(history)")

            let contacts = Samples.titles(.addressbook)
            #expect(try crm.titles(in: .addressbook) == contacts)
            #expect(try phone.titles(in: .addressbook) == contacts)
            #expect(try await server.titles(of: .alice, in: .addressbook) == contacts)
        }

        // MARK: Nothing to do

        @Test("with no change on either end, another sync on each leg changes nothing: every count 0, every file as it was")
        func syncsWithoutChangesChangeNothing() async throws {
            try await InteropWorkspace.with { workspace in
                let (server, crm, phone) = try await workspace.triangle().parts
                let crmFiles = try Datastore.allCases.map { try crm.items(in: $0).map { [$0.name, $0.text] } }
                let phoneFiles = try Datastore.allCases.map { try phone.items(in: $0).map { [$0.name, $0.text] } }
                let stored = try await server.records(of: .alice)

                for _ in 0..<2 {
                    let quietCRM = try await requireSuccess(crm.sync(), server)
                    for datastore in Datastore.allCases {
                        #expect(quietCRM[datastore]?.performed == "two-way", "\(quietCRM)")
                        #expect(quietCRM[datastore]?.isQuiet == true, "\(quietCRM)")
                    }
                    let quietPhone = try await requireSuccess(phone.sync(.twoWay), server)
                    for datastore in Datastore.allCases {
                        let report = try #require(quietPhone.report?[datastore])
                        #expect(report.ran(.twoWay), "\(quietPhone)")
                        for side in [DatastoreReport.Side.local, .remote] {
                            for change in [DatastoreReport.Change.added, .updated, .removed] {
                                #expect(report.count(side, change) == 0, "\(side) \(change): \(quietPhone)")
                            }
                        }
                    }
                }
                #expect(try Datastore.allCases.map { try crm.items(in: $0).map { [$0.name, $0.text] } } == crmFiles)
                #expect(try Datastore.allCases.map { try phone.items(in: $0).map { [$0.name, $0.text] } } == phoneFiles)
                #expect(try await server.records(of: .alice) == stored)
            }
        }
    }
}

extension SyncedTriangle {
    var parts: (SyncMLServerProcess, CRMClient, SyncEvolutionClient) { (server, crm, phone) }
}
