import Testing

extension InteropTests {
    @Suite("Large objects")
    struct LargeObjects {
        /// 30,000 bytes of picture, about 40 KB of base64: four times the smallest MaxMsgSize.
        static let photo = Samples.photo(bytes: 30_000)
        /// SyncEvolution raises anything smaller to this.
        static let maxMsgSize = 10_240

        /// WBXML and XML over HTTP; WBXML over HTTPS too (the encoding is independent of the transport).
        static let cases: [(wbxml: Bool, transport: Transport)] = [(true, .http), (false, .http)]
            + Transport.both.filter { $0 == .https }.map { (true, $0) }

        @Test("a contact larger than the client's MaxMsgSize goes up in chunks and comes down in chunks, intact", arguments: cases)
        func contactLargerThanAMessageTravelsBothWays(wbxml: Bool, transport: Transport) async throws {
            try await InteropWorkspace.with { workspace in
                let server = try await workspace.startServer(transport: transport)
                let first = try await workspace.client("first", of: server)
                let second = try await workspace.client("second", of: server)
                try Samples.fill(first)
                try first.write(Samples.contact("Pat Photograph", photo: Self.photo), as: "pat.vcf", in: .addressbook)
                let contacts = (Samples.titles(.addressbook) + ["Pat Photograph"]).sorted()

                try await requireSuccess(first.sync(.slow, [.addressbook], wbxml: wbxml, maxMsgSize: Self.maxMsgSize), server)
                let stored = try #require(try await server.records(of: .alice)["contacts"]?.first { ItemText.value(of: "FN", in: $0) == "Pat Photograph" })
                #expect(Self.photoData(stored) == Self.photo, "the server reassembled the chunks")

                let download = try await requireSuccess(second.sync(.slow, [.addressbook], wbxml: wbxml, maxMsgSize: Self.maxMsgSize), server)
                #expect(download.report?[.addressbook].count(.local, .added) == contacts.count, "\(download)")
                #expect(try second.titles(in: .addressbook) == contacts)
                let received = try #require(try second.item(titled: "Pat Photograph", in: .addressbook))
                #expect(Self.photoData(received.text) == Self.photo, "the client reassembled the server's chunks")
            }
        }

        /// The PHOTO value without folding whitespace.
        static func photoData(_ text: String) -> String? {
            ItemText.value(of: "PHOTO", in: text).map { String($0.filter { !$0.isWhitespace }) }
        }
    }
}
