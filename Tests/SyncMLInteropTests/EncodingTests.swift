import Testing

extension InteropTests {
    @Suite("Encodings and protocol versions")
    struct Encodings {
        @Test("in XML and in WBXML, with SyncML 1.1 and 1.2, a slow sync up, a slow sync down, and two-way changes both ways all arrive",
              arguments: [true, false], [SyncMLVersion.v1_1, .v1_2])
        func everyEncodingAndVersionCarriesItemsBothWays(wbxml: Bool, version: SyncMLVersion) async throws {
            try await InteropWorkspace.with { workspace in
                let server = try await workspace.startServer()
                let first = try await workspace.client("first", of: server)
                let second = try await workspace.client("second", of: server)
                try Samples.fill(first)

                try await requireSuccess(first.sync(.slow, wbxml: wbxml, syncMLVersion: version), server)
                try await requireSuccess(second.sync(.slow, wbxml: wbxml, syncMLVersion: version), server)
                for datastore in Datastore.allCases {
                    #expect(try second.titles(in: datastore) == Samples.titles(datastore))
                }

                try second.write(Samples.contact("Alan Turing"), as: "alan.vcf", in: .addressbook)
                try second.replace(titled: "Write the report", in: .todo,
                                   with: Samples.task("Write the report", uid: "report@interop.test", "DUE:20250320T170000Z", "STATUS:COMPLETED"))
                try await requireSuccess(second.sync(.twoWay, wbxml: wbxml, syncMLVersion: version), server)
                try await requireSuccess(first.sync(.twoWay, wbxml: wbxml, syncMLVersion: version), server)
                #expect(try first.titles(in: .addressbook) == (Samples.titles(.addressbook) + ["Alan Turing"]).sorted())
                let report = try #require(try first.item(titled: "Write the report", in: .todo))
                #expect(ItemText.value(of: "STATUS", in: report.text) == "COMPLETED")
            }
        }
    }
}

extension SyncMLVersion: CustomTestStringConvertible {
    var testDescription: String { "SyncML \(rawValue)" }
}
