import Testing

extension InteropTests {
    @Suite("Authentication")
    struct Authentication {
        @Test("MD5 auth (the client's default) succeeds session after session, each digest over the nonce the server sent last")
        func md5AuthAcrossSessions() async throws {
            try await InteropWorkspace.with { workspace in
                let server = try await workspace.startServer()
                let client = try await workspace.client("first", of: server)
                try Samples.fill(client)

                try await requireSuccess(client.sync(.slow, auth: .md5), server)
                try client.write(Samples.contact("Alan Turing"), as: "alan.vcf", in: .addressbook)
                try await requireSuccess(client.sync(.twoWay, auth: .md5), server)
                try await requireSuccess(client.sync(.twoWay, auth: .md5), server)
                #expect(try await server.titles(of: .alice, in: .addressbook) == (Samples.titles(.addressbook) + ["Alan Turing"]).sorted())
            }
        }

        @Test("basic auth succeeds for a user without an MD5 secret, also in the next session")
        func basicAuthForABasicOnlyUser() async throws {
            try await InteropWorkspace.with { workspace in
                let server = try await workspace.startServer(users: [.basicOnly])
                let client = try await workspace.client("first", of: server, as: .basicOnly)
                try Samples.fill(client)

                try await requireSuccess(client.sync(.slow, auth: .basic), server)
                try client.write(Samples.contact("Alan Turing"), as: "alan.vcf", in: .addressbook)
                try await requireSuccess(client.sync(.twoWay, auth: .basic), server)
                #expect(try await server.titles(of: .basicOnly, in: .addressbook) == (Samples.titles(.addressbook) + ["Alan Turing"]).sorted())
            }
        }

        @Test("a wrong password is refused with 401, changes nothing on the server, and the right one works afterwards")
        func wrongPasswordIsRefused() async throws {
            try await InteropWorkspace.with { workspace in
                let server = try await workspace.startServer()
                let client = try await workspace.client("first", of: server)
                try Samples.fill(client)
                try await requireSuccess(client.sync(.slow), server)
                try client.write(Samples.contact("Mallory Intruder"), as: "mallory.vcf", in: .addressbook)
                try client.delete(titled: "Ada Lovelace", in: .addressbook)

                let refused = try await client.sync(.twoWay, extra: ["password=wrong"])
                #expect(refused.exitCode != 0, "\(refused)")
                #expect(refused.exitCode != 139, "\(refused)")
                #expect(refused.output.contains("401"), "\(refused)")
                #expect(try await server.titles(of: .alice, in: .addressbook) == Samples.titles(.addressbook), "no change reached the store")

                try await requireSuccess(client.sync(.twoWay), server)
                #expect(try await server.titles(of: .alice, in: .addressbook) == ["Grace Hopper", "Mallory Intruder", "Émilie du Châtelet"].sorted())
            }
        }

        @Test("a wrong password on a client's very first sync stores nothing")
        func wrongPasswordOnAFirstSync() async throws {
            try await InteropWorkspace.with { workspace in
                let server = try await workspace.startServer()
                let client = try await workspace.client("first", of: server)
                try Samples.fill(client)

                let refused = try await client.sync(.slow, extra: ["password=wrong"])
                #expect(refused.exitCode != 0, "\(refused)")
                #expect(refused.exitCode != 139, "\(refused)")
                #expect(refused.output.contains("401"), "\(refused)")
                #expect(try await server.records(of: .alice).values.allSatisfy(\.isEmpty), "no record was stored")
            }
        }
    }
}
