import Foundation
import Hummingbird
import Logging
import SyncMLClient
import SyncMLHTTP
import SyncMLServer
import SyncMLStore
import Testing
import TestSupport

/// The guides are documentation that runs: their code is compiled here, and
/// what they promise (a CRM syncs; a server mounted in Hummingbird serves it; a
/// mirror sees what devices commit) is checked end to end.
@Suite("DocC guides: their code compiles and does what they say")
struct GuideTests {
    @Test("Every Swift block of both guides is in this target verbatim", arguments: [
        ("Sources/SyncMLClient/SyncMLClient.docc/SyncingACRMsRecords.md", "ClientGuideExamples.swift"),
        ("Sources/SyncMLServer/SyncMLServer.docc/HostingASyncMLServer.md", "ServerGuideExamples.swift"),
    ])
    func blocksAreCompiled(guide: String, examples: String) throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let root = here.deletingLastPathComponent().deletingLastPathComponent()
        let article = try String(contentsOf: root.appendingPathComponent(guide), encoding: .utf8)
        let code = try String(contentsOf: here.appendingPathComponent(examples), encoding: .utf8)
        let blocks = Self.swiftBlocks(in: article)
        #expect(blocks.count >= 3)
        let codeLines = Self.trimmedLines(code)
        for block in blocks {
            let lines = Self.trimmedLines(block)
            let found = codeLines.indices.contains { start in
                start + lines.count <= codeLines.count && Array(codeLines[start..<start + lines.count]) == lines
            }
            #expect(found, "not compiled anywhere in \(examples):\n\(block)")
        }
    }

    @Test("A CRM syncs through a server mounted on a Hummingbird route, a second device receives its records, and the mirror sees them")
    func hummingbirdMountedServer() async throws {
        let store = try SyncStore(path: ":memory:")
        try await store.addUser(name: "anna", password: "secret", md5: true, iterations: 1_000)
        let engine = SyncServer(store: store, logger: Logger(label: "guide", factory: { _ in SwiftLogNoOpLogHandler() }))
        let port = try #require(LoopbackPort.free())
        let router = Router()
        mountSyncML(engine, on: router, publicURL: "http://127.0.0.1:\(port)/sync")
        let (ready, started) = AsyncStream.makeStream(of: Void.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                              onServerRunning: { _ in started.yield() },
                              logger: Logger(label: "guide", factory: { _ in SwiftLogNoOpLogHandler() }))
        let serving = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { serving.cancel() }
        for await _ in ready { break }

        let crm = CRMContacts()
        _ = await crm.insert("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Meier;Anna\r\nFN:Anna Meier\r\nEMAIL:anna@example.com\r\nEND:VCARD\r\n")
        _ = await crm.insert("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Huber;Bert\r\nFN:Bert Huber\r\nTEL:+43 1 234567\r\nEND:VCARD\r\n")
        let first = try await Self.client(for: crm, device: "crm-1", port: port).sync()
        report(first)
        #expect(first.datastores.first?.remote.added == 2)

        let phone = CRMContacts()
        _ = try await Self.client(for: phone, device: "phone-1", port: port).sync()
        #expect(await phone.count == 2)

        let mirror = MirroredRecords()
        let mirroring = Task { try await mirrorContacts(of: "anna", from: engine, into: mirror) }
        defer { mirroring.cancel() }
        for _ in 0..<500 where await mirror.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await mirror.count == 2)
        #expect(try await mirror.lastAppliedSequence() > 0)
    }

    private static func client(for contacts: CRMContacts, device: String, port: Int) throws -> SyncClient {
        SyncClient(
            configuration: ClientConfiguration(serverURL: "http://127.0.0.1:\(port)/sync", user: "anna", password: "secret",
                                               deviceID: device),
            datastores: [ClientDatastore(name: "contacts", kind: .contacts, source: contacts)],
            transport: try HTTPClientTransport(), state: try ClientState.inMemory())
    }

    /// The fenced Swift code blocks of a Markdown article.
    static func swiftBlocks(in article: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in article.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.hasPrefix("```swift") {
                current = []
            } else if current != nil, line.hasPrefix("```") {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    static func trimmedLines(_ text: String) -> [String] {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// The CRM side of the mirror example, in memory.
actor MirroredRecords: CRMRecords {
    private var records: [String: [UInt8]] = [:]
    private var sequence: Int64 = 0

    var count: Int { records.count }
    func lastAppliedSequence() async throws -> Int64 { sequence }
    func setLastAppliedSequence(_ sequence: Int64) async throws { self.sequence = sequence }
    func upsert(id: String, vCard: [UInt8]) async throws { records[id] = vCard }
    func remove(id: String) async throws { records[id] = nil }
}
