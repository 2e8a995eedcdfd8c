import TestSupport
import Testing

extension InteropTests {
    /// What HTTPS adds beyond the scenarios that also run over it (first slow
    /// sync, two-way both ways, refresh both ways, large objects): the client
    /// checks the certificate.
    @Suite("HTTPS", .enabled(if: Transport.both.contains(.https)))
    struct HTTPS {
        @Test("with verification on, SyncEvolution refuses a server whose certificate it does not trust: nothing is synced; trusting the CA, it syncs")
        func untrustedCertificateIsRefused() async throws {
            try await InteropWorkspace.with { workspace in
                let server = try await workspace.startServer(transport: .https)
                #expect(server.url.hasPrefix("https://127.0.0.1:"), "\(server.url)")
                let client = try await workspace.client("phone", of: server)
                try Samples.fill(client)
                let stranger = try await workspace.certificates().otherAuthority

                let refused = try await client.sync(.slow, extra: SyncEvolution.trusting(stranger))
                #expect(refused.exitCode == 1, "\(refused)")
                #expect(refused.output.contains("server certificate verification failed"), "\(refused)")
                for datastore in Datastore.allCases {
                    #expect(try await server.titles(of: .alice, in: datastore) == [], "nothing reached the server")
                    #expect(try client.titles(in: datastore) == Samples.titles(datastore), "the client's items are untouched")
                }

                let trusted = try await requireSuccess(client.sync(.slow), server)
                #expect(trusted.report?[.addressbook].ran(.slow) == true, "\(trusted)")
                #expect(try await server.titles(of: .alice, in: .addressbook) == Samples.titles(.addressbook))
            }
        }
    }
}
