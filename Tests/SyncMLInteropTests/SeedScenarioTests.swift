import Testing

extension InteropTests {
    /// The product's own scenario: two address books that overlap, written by different programs.
    @Suite("Seed scenario")
    struct SeedScenario {
        /// Charles as one program writes him: vCard 3.0, spaced phone number, e-mail in mixed case.
        static let charlesOnFirst = """
            BEGIN:VCARD\r
            VERSION:3.0\r
            FN:Charles Babbage\r
            N:Babbage;Charles;;;\r
            TEL;TYPE=WORK:+49 30 1234567\r
            EMAIL;TYPE=INTERNET:Charles.Babbage@Example.org\r
            END:VCARD\r

            """

        /// The same Charles as another writes him: vCard 2.1, other property order, compact number, lower case.
        static let charlesOnSecond = """
            BEGIN:VCARD\r
            VERSION:2.1\r
            N:Babbage;Charles\r
            EMAIL;INTERNET:charles.babbage@example.org\r
            TEL;WORK:+49301234567\r
            FN:Charles Babbage\r
            END:VCARD\r

            """

        @Test("contact A only on client 1, B only on client 2, C on both written differently: after syncing 1, 2, 1 each is once on both clients and in the store")
        func overlappingBooksMergeWithoutDuplicates() async throws {
            try await InteropWorkspace.with { workspace in
                let server = try await workspace.startServer()
                let first = try await workspace.client("first", of: server)
                let second = try await workspace.client("second", of: server)
                try first.write(Samples.contact("Ada Lovelace", "EMAIL;TYPE=INTERNET:ada@example.org"), as: "a.vcf", in: .addressbook)
                try first.write(Self.charlesOnFirst, as: "c.vcf", in: .addressbook)
                try second.write(Samples.contact("Grace Hopper", "EMAIL;TYPE=INTERNET:grace@example.org"), as: "b.vcf", in: .addressbook)
                try second.write(Self.charlesOnSecond, as: "c.vcf", in: .addressbook)

                try await requireSuccess(first.sync(.twoWay, [.addressbook]), server)
                try await requireSuccess(second.sync(.twoWay, [.addressbook]), server)
                try await requireSuccess(first.sync(.twoWay, [.addressbook]), server)

                let everyone = ["Ada Lovelace", "Charles Babbage", "Grace Hopper"]
                #expect(try first.titles(in: .addressbook) == everyone)
                #expect(try second.titles(in: .addressbook) == everyone)
                #expect(try await server.titles(of: .alice, in: .addressbook) == everyone)

                // One more round changes nothing.
                let settled = try await requireSuccess(second.sync(.twoWay, [.addressbook]), server)
                #expect(settled.report?[.addressbook].count(.local, .added) == 0, "\(settled)")
                #expect(try second.titles(in: .addressbook) == everyone)
                #expect(try await server.titles(of: .alice, in: .addressbook) == everyone)
            }
        }
    }
}
