import Foundation
import Testing

extension InteropTests {
    /// The harness itself, checked without our server.
    @Suite("Harness")
    struct Harness {
        @Test("the curl shim compiles into a shared library")
        func curlShimCompiles() async throws {
            let library = try await SyncEvolution.curlFix()
            #expect(FileManager.default.fileExists(atPath: library))
        }

        @Test("a client configures a file-backend context and a peer")
        func clientConfigures() async throws {
            try await InteropWorkspace.with { workspace in
                let client = try SyncEvolutionClient(name: "client", in: workspace.root)
                try await client.configure(url: "http://127.0.0.1:9/sync", user: "alice", password: "secret", deviceID: "syncml-interop-harness")
                let config = try await client.run(["--print-config", "peer@ctx"], timeout: .seconds(30))
                #expect(config.status == 0, "\(config)")
                #expect(config.output.contains("syncURL = http://127.0.0.1:9/sync"), "\(config)")
                #expect(config.output.contains("deviceId = syncml-interop-harness"), "\(config)")
            }
        }

        @Test("a sync against a port where nothing listens fails cleanly: exit 1, a transport error, no crash")
        func syncWithoutServerFailsCleanly() async throws {
            try await InteropWorkspace.with { workspace in
                let client = try SyncEvolutionClient(name: "client", in: workspace.root)
                // Port 9 (discard) on loopback: nothing listens there.
                try await client.configure(url: "http://127.0.0.1:9/sync", user: "alice", password: "secret", deviceID: "syncml-interop-harness")
                try client.write(Samples.contact("Ada Lovelace"), as: "ada.vcf", in: .addressbook)
                for version in [SyncMLVersion.v1_1, .v1_2] {
                    let run = try await client.sync(.slow, syncMLVersion: version)
                    #expect(run.exitCode == 1, "\(run)")
                    #expect(run.output.contains("transport"), "\(run)")
                    #expect(run.report?.status == 20043, "external transport failure, \(run)")
                    #expect(run.report?[.addressbook].status == 20017, "aborted, \(run)")
                }
                #expect(try client.titles(in: .addressbook) == ["Ada Lovelace"])
            }
        }
    }
}
