import Testing

extension InteropTests {
    /// A server that does not know the device's anchors answers its two-way Alert with
    /// 508 and a slow sync; SyncEvolution (preventSlowSync=0) then re-sends everything.
    @Suite("Refresh required (508)")
    struct RefreshRequired {
        @Test("a store restored from the client's own files, without the device's anchors: the two-way becomes a slow sync that matches every record and duplicates none")
        func restoredStoreForcesASlowSyncWithoutDuplicates() async throws {
            try await InteropWorkspace.with { workspace in
                let original = try await workspace.startServer("original")
                let client = try await workspace.client("first", of: original)
                try Samples.fill(client)
                try await requireSuccess(client.sync(.slow), original)
                await original.stop()

                let restored = workspace.storePath("restored")
                try await SyncMLTool.addUser(.alice, store: restored)
                try await SyncMLTool.importRecords(Datastore.allCases.map(client.directory(of:)), user: Account.alice.name, store: restored)
                let server = try await workspace.startServer(on: restored)
                try await client.point(at: server.url)

                let run = try await requireSuccess(client.sync(.twoWay), server)
                for datastore in Datastore.allCases {
                    #expect(run.report?[datastore].ran(.slow) == true, "the server asked for a slow sync: \(run)")
                    #expect(run.report?[datastore].count(.local, .added) == 0, "\(run)")
                    #expect(try client.titles(in: datastore) == Samples.titles(datastore))
                    #expect(try await server.titles(of: .alice, in: datastore) == Samples.titles(datastore))
                }
                // The anchors are set again: the next sync is a normal two-way.
                let next = try await requireSuccess(client.sync(.twoWay), server)
                #expect(next.report?[.addressbook].ran(.twoWay) == true, "\(next)")
            }
        }

        @Test("a new, empty store that never saw the device: the two-way becomes a slow sync and the store receives each record once")
        func emptyStoreForcesASlowSyncThatUploadsEverything() async throws {
            try await InteropWorkspace.with { workspace in
                let original = try await workspace.startServer("original")
                let client = try await workspace.client("first", of: original)
                try Samples.fill(client)
                try await requireSuccess(client.sync(.slow), original)
                await original.stop()

                let server = try await workspace.startServer("empty")
                try await client.point(at: server.url)
                let run = try await requireSuccess(client.sync(.twoWay), server)
                for datastore in Datastore.allCases {
                    #expect(run.report?[datastore].ran(.slow) == true, "the server asked for a slow sync: \(run)")
                    #expect(try client.titles(in: datastore) == Samples.titles(datastore))
                    #expect(try await server.titles(of: .alice, in: datastore) == Samples.titles(datastore))
                }
            }
        }
    }
}
