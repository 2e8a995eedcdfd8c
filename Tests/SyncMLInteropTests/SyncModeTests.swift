import Testing

extension InteropTests {
    /// Each of the six modes SyncEvolution offers, on contacts, starting from two
    /// clients and a server that hold the same three contacts; after each mode,
    /// what each side holds.
    @Suite("Sync modes")
    struct SyncModes {
        static let contacts: [Datastore] = [.addressbook]
        static let book = Samples.titles(.addressbook)

        /// The same book plus `names`, sorted as `titles` are.
        static func book(plus names: String...) -> [String] { (book + names).sorted() }

        @Test("two-way: each client sends its own new contact and receives the other's")
        func twoWay() async throws {
            try await InteropWorkspace.with { workspace in
                let pair = try await workspace.syncedPair(Self.contacts)
                let (server, first, second) = (pair.server, pair.first, pair.second)
                try first.write(Samples.contact("Xavier First"), as: "x.vcf", in: .addressbook)
                try second.write(Samples.contact("Yvonne Second"), as: "y.vcf", in: .addressbook)

                let sent = try await requireSuccess(first.sync(.twoWay, Self.contacts), server)
                #expect(sent.report?[.addressbook].ran(.twoWay) == true, "\(sent)")
                try await requireSuccess(second.sync(.twoWay, Self.contacts), server)
                try await requireSuccess(first.sync(.twoWay, Self.contacts), server)

                let all = Self.book(plus: "Xavier First", "Yvonne Second")
                #expect(try first.titles(in: .addressbook) == all)
                #expect(try second.titles(in: .addressbook) == all)
                #expect(try await server.titles(of: .alice, in: .addressbook) == all)
            }
        }

        @Test("slow: a slow sync of clients whose data the server already holds matches every record and duplicates none")
        func slowSyncAgainDuplicatesNothing() async throws {
            try await InteropWorkspace.with { workspace in
                let pair = try await workspace.syncedPair(Self.contacts)
                let (server, first, second) = (pair.server, pair.first, pair.second)

                for client in [first, second, first] {
                    let run = try await requireSuccess(client.sync(.slow, Self.contacts), server)
                    #expect(run.report?[.addressbook].ran(.slow) == true, "\(run)")
                    #expect(run.report?[.addressbook].count(.local, .added) == 0, "\(run)")
                    #expect(try client.titles(in: .addressbook) == Self.book)
                    #expect(try await server.titles(of: .alice, in: .addressbook) == Self.book)
                }
            }
        }

        @Test("one-way-from-client: the client's new contact reaches the server, the server's new one does not reach the client until a two-way")
        func oneWayFromClient() async throws {
            try await InteropWorkspace.with { workspace in
                let pair = try await workspace.syncedPair(Self.contacts)
                let (server, first, second) = (pair.server, pair.first, pair.second)
                try second.write(Samples.contact("Yvonne Second"), as: "y.vcf", in: .addressbook)
                try await requireSuccess(second.sync(.twoWay, Self.contacts), server)
                try first.write(Samples.contact("Xavier First"), as: "x.vcf", in: .addressbook)

                let run = try await requireSuccess(first.sync(.oneWayFromClient, Self.contacts), server)
                #expect(run.report?[.addressbook].ran(.oneWayFromClient) == true, "\(run)")
                #expect(run.report?[.addressbook].count(.local, .added) == 0, "\(run)")
                #expect(try await server.titles(of: .alice, in: .addressbook) == Self.book(plus: "Xavier First", "Yvonne Second"))
                #expect(try first.titles(in: .addressbook) == Self.book(plus: "Xavier First"))

                try await requireSuccess(first.sync(.twoWay, Self.contacts), server)
                #expect(try first.titles(in: .addressbook) == Self.book(plus: "Xavier First", "Yvonne Second"))
                #expect(try await server.titles(of: .alice, in: .addressbook) == Self.book(plus: "Xavier First", "Yvonne Second"))
            }
        }

        @Test("one-way-from-server: the client receives the server's new contact but keeps its own; the two-way after it (with the client's echo of what it received) duplicates nothing")
        func oneWayFromServer() async throws {
            try await InteropWorkspace.with { workspace in
                let pair = try await workspace.syncedPair(Self.contacts)
                let (server, first, second) = (pair.server, pair.first, pair.second)
                try second.write(Samples.contact("Yvonne Second"), as: "y.vcf", in: .addressbook)
                try await requireSuccess(second.sync(.twoWay, Self.contacts), server)
                try first.write(Samples.contact("Xavier First"), as: "x.vcf", in: .addressbook)

                let run = try await requireSuccess(first.sync(.oneWayFromServer, Self.contacts), server)
                #expect(run.report?[.addressbook].ran(.oneWayFromServer) == true, "\(run)")
                #expect(run.report?[.addressbook].count(.local, .added) == 1, "\(run)")
                #expect(try first.titles(in: .addressbook) == Self.book(plus: "Xavier First", "Yvonne Second"))
                #expect(try await server.titles(of: .alice, in: .addressbook) == Self.book(plus: "Yvonne Second"))

                // SyncEvolution now re-sends Yvonne as an Add (its echo quirk) along with Xavier.
                try await requireSuccess(first.sync(.twoWay, Self.contacts), server)
                try await requireSuccess(second.sync(.twoWay, Self.contacts), server)
                let all = Self.book(plus: "Xavier First", "Yvonne Second")
                #expect(try await server.titles(of: .alice, in: .addressbook) == all)
                #expect(try first.titles(in: .addressbook) == all)
                #expect(try second.titles(in: .addressbook) == all)
            }
        }

        @Test("refresh-from-client: the server ends up holding exactly the client's contacts, and the other client follows",
              arguments: Transport.both)
        func refreshFromClient(over transport: Transport) async throws {
            try await InteropWorkspace.with { workspace in
                let pair = try await workspace.syncedPair(Self.contacts, transport: transport)
                let (server, first, second) = (pair.server, pair.first, pair.second)
                try second.write(Samples.contact("Zoe Elsewhere"), as: "z.vcf", in: .addressbook)
                try await requireSuccess(second.sync(.twoWay, Self.contacts), server)
                try first.delete(titled: "Grace Hopper", in: .addressbook)
                try first.write(Samples.contact("Xavier First"), as: "x.vcf", in: .addressbook)

                let run = try await requireSuccess(first.sync(.refreshFromClient, Self.contacts), server)
                #expect(run.report?[.addressbook].ran(.refreshFromClient) == true, "\(run)")
                let mirror = ["Ada Lovelace", "Xavier First", "Émilie du Châtelet"].sorted()
                #expect(try first.titles(in: .addressbook) == mirror)
                #expect(try await server.titles(of: .alice, in: .addressbook) == mirror, "Grace and Zoe are gone from the server")

                try await requireSuccess(second.sync(.twoWay, Self.contacts), server)
                #expect(try second.titles(in: .addressbook) == mirror)
            }
        }

        @Test("refresh-from-server (a real Alert 205): the client ends up holding exactly the server's contacts; the server is unchanged",
              arguments: Transport.both)
        func refreshFromServer(over transport: Transport) async throws {
            try await InteropWorkspace.with { workspace in
                let pair = try await workspace.syncedPair(Self.contacts, transport: transport)
                let (server, first) = (pair.server, pair.first)
                try first.write(Samples.contact("Lena Localonly"), as: "l.vcf", in: .addressbook)
                try first.delete(titled: "Ada Lovelace", in: .addressbook)

                let run = try await requireSuccess(first.sync(.refreshFromServer, Self.contacts), server)
                #expect(run.report?[.addressbook].ran(.refreshFromServer) == true, "\(run)")
                #expect(try first.titles(in: .addressbook) == Self.book, "Lena is gone, Ada is back")
                #expect(try await server.titles(of: .alice, in: .addressbook) == Self.book)
            }
        }
    }
}
