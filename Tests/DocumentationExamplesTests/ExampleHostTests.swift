import Foundation
import SyncMLClient
import SyncMLHTTP
import Testing
import TestSupport

/// `Examples/CRMHost` is runnable documentation: started as a user would start it,
/// a device syncs against it and the CRM's folder receives the contacts.
@Suite("Examples/CRMHost: the example host serves, authenticates with its own accounts, and mirrors", .ownThreads)
struct ExampleHostTests {
    @Test("A device syncs as the CRM's user; each contact appears in the CRM folder; a stranger is refused")
    func exampleHostMirrors() async throws {
        let executable = try #require(BuiltExecutable.url(named: "syncml-example-host"), "syncml-example-host is not built next to the tests")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-host-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try #require(LoopbackPort.free())
        let host = Process()
        host.executableURL = executable
        host.arguments = ["--port", "\(port)", "--directory", directory.path]
        let output = try OutputFile(), errors = try OutputFile()
        host.standardOutput = output.handle
        host.standardError = errors.handle
        let exit = try host.start()
        defer { if !exit.hasExited { host.terminate() } }
        let started = ContinuousClock.now
        let banner = try await output.text(satisfying: { $0.contains("SyncML on") || ContinuousClock.now - started > .seconds(60) },
                                           orOnceEnded: exit)
        try #require(banner.contains("SyncML on"), "the host did not start: \(errors.text)")

        let phone = CRMContacts()
        _ = await phone.insert("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Meier;Anna\r\nFN:Anna Meier\r\nEND:VCARD\r\n")
        _ = await phone.insert("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Huber;Bert\r\nFN:Bert Huber\r\nEND:VCARD\r\n")
        let report = try await Self.client(phone, user: "anna", password: "secret", port: port).sync()
        #expect(report.datastores.first?.remote.added == 2)

        let mirrored = directory.appendingPathComponent("contacts")
        // A write in progress is a hidden temporary file (".name.UUID.tmp") until it is renamed: not a card yet.
        func cards() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: mirrored.path)) ?? []).filter { !$0.hasPrefix(".") }
        }
        for _ in 0..<300 where cards().filter({ $0.hasSuffix(".vcf") }).count < 2 {
            try await Task.sleep(for: .milliseconds(20))
        }
        let files = cards()
        #expect(files.count == 2)
        #expect(files.allSatisfy { $0.hasSuffix(".vcf") })

        await #expect(throws: SyncClientError.self) {
            try await Self.client(CRMContacts(), user: "mallory", password: "guess", port: port).sync()
        }
        host.terminate()
        #expect(await exit.wait(atMost: .seconds(10)))
    }

    private static func client(_ contacts: CRMContacts, user: String, password: String, port: Int) throws -> SyncClient {
        SyncClient(configuration: ClientConfiguration(serverURL: "http://127.0.0.1:\(port)/sync", user: user, password: password,
                                                      deviceID: "phone-\(user)"),
                   datastores: [ClientDatastore(name: "contacts", kind: .contacts, source: contacts)],
                   transport: try HTTPClientTransport(), state: try ClientState.inMemory())
    }
}
