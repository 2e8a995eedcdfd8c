import Testing

extension InteropTests {
    @Suite("First slow sync")
    struct FirstSync {
        @Test("a first slow sync in WBXML uploads contacts, events and tasks; a second, empty client then receives each of them once",
              arguments: Transport.both)
        func slowSyncUploadsEverythingAndAnEmptyClientReceivesIt(over transport: Transport) async throws {
            try await InteropWorkspace.with { workspace in
                let server = try await workspace.startServer(transport: transport)
                let first = try await workspace.client("first", of: server)
                let second = try await workspace.client("second", of: server)
                try Samples.fill(first)

                let upload = try await requireSuccess(first.sync(.slow, wbxml: true), server)
                for datastore in Datastore.allCases {
                    #expect(upload.report?[datastore].ran(.slow) == true, "\(upload)")
                    #expect(upload.report?[datastore].count(.local, .added) == 0, "nothing comes back to the sender")
                    #expect(try await server.titles(of: .alice, in: datastore) == Samples.titles(datastore))
                    #expect(try first.titles(in: datastore) == Samples.titles(datastore))
                }

                let download = try await requireSuccess(second.sync(.slow, wbxml: true), server)
                for datastore in Datastore.allCases {
                    #expect(download.report?[datastore].count(.local, .added) == Samples.titles(datastore).count, "\(download)")
                    #expect(try second.titles(in: datastore) == Samples.titles(datastore))
                    #expect(try await server.titles(of: .alice, in: datastore) == Samples.titles(datastore), "the receiver sent nothing back")
                }
                let emilie = try #require(try second.item(titled: "Émilie du Châtelet", in: .addressbook))
                // The client writes ORG with all its components (`Académie;;;`); the organisation name is the first.
                #expect(ItemText.value(of: "ORG", in: emilie.text)?.split(separator: ";").first == "Académie", "non-ASCII text arrives intact")
                let review = try #require(try second.item(titled: "Weekly review", in: .calendar))
                #expect(ItemText.value(of: "RRULE", in: review.text)?.contains("FREQ=WEEKLY") == true, "the recurrence arrives")
            }
        }
    }
}
