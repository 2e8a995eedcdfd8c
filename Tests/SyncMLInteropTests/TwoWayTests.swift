import Foundation
import Testing

extension InteropTests {
    /// Two clients that hold the same data; one changes it, both sync two-way.
    @Suite("Two-way sync")
    struct TwoWay {
        @Test("an add, an edit and a delete on the first client, synced two-way, reach the second client", arguments: Transport.both)
        func changesOnTheFirstClientReachTheSecond(over transport: Transport) async throws {
            try await InteropWorkspace.with { workspace in
                let pair = try await workspace.syncedPair(transport: transport)
                let (server, first, second) = (pair.server, pair.first, pair.second)

                try first.write(Samples.contact("Alan Turing", "EMAIL;TYPE=INTERNET:alan@example.org"), as: "alan.vcf", in: .addressbook)
                try first.replace(titled: "Grace Hopper", in: .addressbook,
                                  with: Samples.contact("Grace Hopper", "EMAIL;TYPE=INTERNET:grace@example.org", "NOTE:COBOL", "TEL;TYPE=WORK:+1 555 0100"))
                try first.delete(titled: "Ada Lovelace", in: .addressbook)
                try first.replace(titled: "Project kickoff", in: .calendar,
                                  with: Samples.event("Project kickoff", uid: "kickoff@interop.test", start: "20250310T090000Z", end: "20250310T100000Z",
                                                      "LOCATION:Room 4"))
                try first.delete(titled: "Write the report", in: .todo)
                try await requireSuccess(first.sync(.twoWay), server)

                let expected = ["Alan Turing", "Grace Hopper", "Émilie du Châtelet"].sorted()
                #expect(try await server.titles(of: .alice, in: .addressbook) == expected)
                #expect(try await server.titles(of: .alice, in: .todo) == [])

                let received = try await requireSuccess(second.sync(.twoWay), server)
                #expect(received.report?[.addressbook].count(.local, .added) == 1, "\(received)")
                #expect(received.report?[.addressbook].count(.local, .updated) == 1, "\(received)")
                #expect(received.report?[.addressbook].count(.local, .removed) == 1, "\(received)")
                #expect(try second.titles(in: .addressbook) == expected)
                let grace = try #require(try second.item(titled: "Grace Hopper", in: .addressbook))
                #expect(ItemText.values(of: "TEL", in: grace.text).contains("+1 555 0100"))
                let kickoff = try #require(try second.item(titled: "Project kickoff", in: .calendar))
                #expect(ItemText.value(of: "LOCATION", in: kickoff.text) == "Room 4")
                #expect(try second.titles(in: .calendar) == Samples.titles(.calendar))
                #expect(try second.titles(in: .todo) == [])
            }
        }

        @Test("changes made on the second client flow back to the first", arguments: Transport.both)
        func changesOnTheSecondClientFlowBackToTheFirst(over transport: Transport) async throws {
            try await InteropWorkspace.with { workspace in
                let pair = try await workspace.syncedPair(transport: transport)
                let (server, first, second) = (pair.server, pair.first, pair.second)

                try second.write(Samples.event("Dentist", uid: "dentist@interop.test", start: "20250402T080000Z", end: "20250402T083000Z"),
                                 as: "dentist.ics", in: .calendar)
                try second.replace(titled: "Émilie du Châtelet", in: .addressbook,
                                   with: Samples.contact("Émilie du Châtelet", "ORG:Académie", "EMAIL;TYPE=INTERNET:emilie@example.org"))
                try second.delete(titled: "Grace Hopper", in: .addressbook)
                try await requireSuccess(second.sync(.twoWay), server)

                let received = try await requireSuccess(first.sync(.twoWay), server)
                #expect(received.report?[.calendar].count(.local, .added) == 1, "\(received)")
                #expect(received.report?[.addressbook].count(.local, .updated) == 1, "\(received)")
                #expect(received.report?[.addressbook].count(.local, .removed) == 1, "\(received)")
                #expect(try first.titles(in: .addressbook) == ["Ada Lovelace", "Émilie du Châtelet"])
                let emilie = try #require(try first.item(titled: "Émilie du Châtelet", in: .addressbook))
                #expect(ItemText.values(of: "EMAIL", in: emilie.text) == ["emilie@example.org"])
                #expect(try first.titles(in: .calendar) == (Samples.titles(.calendar) + ["Dentist"]).sorted())
                #expect(try await server.titles(of: .alice, in: .calendar) == (Samples.titles(.calendar) + ["Dentist"]).sorted())
            }
        }

        @Test("a record imported into the store while the server is down reaches both clients after a restart on the same store")
        func changesOnTheServerReachBothClients() async throws {
            try await InteropWorkspace.with { workspace in
                let pair = try await workspace.syncedPair()
                let (first, second) = (pair.first, pair.second)

                #expect(await pair.server.stop() == 0, "SIGTERM ends `syncml serve` with exit 0")
                let file = workspace.root.appendingPathComponent("katherine.vcf")
                try Data(Samples.contact("Katherine Johnson", "TEL;TYPE=WORK:+1 757 555 0199").utf8).write(to: file)
                try await SyncMLTool.importRecords([file], user: Account.alice.name, store: pair.server.store)
                let server = try await workspace.startServer(on: pair.server.store)
                try await first.point(at: server.url)
                try await second.point(at: server.url)

                let expected = (Samples.titles(.addressbook) + ["Katherine Johnson"]).sorted()
                for client in [first, second] {
                    let run = try await requireSuccess(client.sync(.twoWay), server)
                    #expect(run.report?[.addressbook].ran(.twoWay) == true, "the anchors survived the restart: \(run)")
                    #expect(run.report?[.addressbook].count(.local, .added) == 1, "\(run)")
                    #expect(try client.titles(in: .addressbook) == expected)
                }
                #expect(try await server.titles(of: .alice, in: .addressbook) == expected)
            }
        }
    }
}
