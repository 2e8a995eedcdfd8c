import Foundation
import SyncMLClient
import SyncMLCodec
import SyncMLProtocol
import SyncMLStore
import Testing

/// A host that hands out its records only in batches (`allRecords()` is counted
/// and must not be needed), remembering the largest batch it was asked for.
/// The records are a `MemorySource`'s, handed out sorted by id.
actor BatchingSource: SyncDataSource {
    let memory = MemorySource()
    private(set) var largestRequest = 0
    private(set) var largestBatch = 0
    private(set) var batchesServed = 0
    private(set) var allRecordsCalls = 0
    /// Records handed out so far per stream.
    private var handedOut: [UUID: Int] = [:]

    func allRecords() async throws -> [HostRecord] {
        allRecordsCalls += 1
        return try await memory.allRecords()
    }

    nonisolated func records(batchSize: Int) -> AsyncThrowingStream<[HostRecord], any Error> {
        let stream = UUID()
        return AsyncThrowingStream { await self.batch(of: stream, size: batchSize) }
    }

    private func batch(of stream: UUID, size: Int) async -> [HostRecord]? {
        largestRequest = max(largestRequest, size)
        let records = await memory.records
        let ids = records.keys.sorted()
        let done = handedOut[stream, default: 0]
        guard done < ids.count else { return nil }
        let batch = ids[done..<min(done + size, ids.count)].map { records[$0]! }
        handedOut[stream] = done + batch.count
        largestBatch = max(largestBatch, batch.count)
        batchesServed += 1
        return batch
    }

    func add(payload: [UInt8], type: String) async throws -> String { try await memory.add(payload: payload, type: type) }
    func update(id: String, payload: [UInt8], type: String) async throws { try await memory.update(id: id, payload: payload, type: type) }
    func delete(id: String) async throws { try await memory.delete(id: id) }
}

extension Harness {
    /// A client (its own in-memory state) syncing `source` as contacts, scanning `batchSize` records at a time,
    /// in messages of at most `maxMessageSize` bytes when given.
    func client(_ deviceID: String, _ source: any SyncDataSource, batchSize: Int, maxMessageSize: Int? = nil) throws -> SyncClient {
        var configuration = ClientConfiguration(serverURL: "http://server.test/sync", user: "test", password: "test", deviceID: deviceID)
        configuration.scanBatchSize = batchSize
        if let maxMessageSize { configuration.maxMessageSize = maxMessageSize }
        return SyncClient(configuration: configuration, datastores: [ClientDatastore(name: "contacts", kind: .contacts, source: source)],
                          transport: EngineTransport(server: server), state: try ClientState.inMemory())
    }
}

@Suite("Client: scanning the host in batches")
struct BatchedScanTests {
    /// What a sync did, comparable between two clients.
    private static func summary(_ report: SyncReport) -> [String] {
        report.datastores.map { "\($0.performed) local \($0.local) remote \($0.remote) rejected \($0.rejected)" }
    }

    @Test("A source that hands out its records in batches syncs as one that returns them all at once; no batch exceeds scanBatchSize")
    func batchesSyncTheSame() async throws {
        let (plainServer, batchedServer) = (try await Harness(), try await Harness())
        let plain = MemorySource(), batched = BatchingSource()
        for number in 1...25 {
            let text = vCard("Person\(number)", "Family\(number % 7)", tel: "+49 30 \(100_000 + number)")
            let id = String(format: "crm-%02d", number)
            await plain.put(text, id: id)
            await batched.memory.put(text, id: id)
        }
        let plainClient = try plainServer.client("crm", plain, batchSize: 4)
        let batchedClient = try batchedServer.client("crm", batched, batchSize: 4)

        // Slow sync up, then a two-way after edits, a deletion and an addition, then one with no change.
        #expect(Self.summary(try await batchedClient.sync()) == Self.summary(try await plainClient.sync()))
        for source in [plain as any SyncDataSource, batched] {
            try await source.update(id: "crm-03", payload: Array(vCard("Person3", "Changed").utf8), type: "text/vcard")
            try await source.update(id: "crm-24", payload: Array(vCard("Person24", "Changed", note: "new").utf8), type: "text/vcard")
            try await source.delete(id: "crm-10")
            try await source.delete(id: "crm-25")
            try await source.update(id: "crm-99", payload: Array(vCard("Person99", "Added").utf8), type: "text/vcard")
        }
        let batchedTwoWay = try await batchedClient.sync(), plainTwoWay = try await plainClient.sync()
        #expect(Self.summary(batchedTwoWay) == Self.summary(plainTwoWay))
        #expect(batchedTwoWay.datastores.first?.remote.updated == 2)
        #expect(batchedTwoWay.datastores.first?.remote.deleted == 2)
        #expect(batchedTwoWay.datastores.first?.remote.added == 1)
        #expect(Self.summary(try await batchedClient.sync()) == Self.summary(try await plainClient.sync()))
        #expect(try await batchedServer.serverItems().sorted() == plainServer.serverItems().sorted())

        // A second device fills a batching source from the server, and scans it in batches the next time.
        let laptop = BatchingSource()
        let laptopClient = try batchedServer.client("laptop", laptop, batchSize: 4)
        #expect(try await laptopClient.sync().datastores.first?.local.added == 24)
        #expect(try await laptopClient.sync().datastores.first.map { $0.local == SyncReport.Counts() && $0.remote == SyncReport.Counts() } == true)

        for source in [batched, laptop] {
            #expect(await source.allRecordsCalls == 0)
            #expect(await source.largestRequest == 4)
            #expect(await source.largestBatch <= 4)
        }
        #expect(await batched.batchesServed == 7 + 6 + 6) // scans of 25, 24 and 24 records
    }

    @Test("FolderDataSource hands out its files in sorted batches: the records allRecords returns, none of the empty ones")
    func folderBatches() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-batches-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for number in 1...7 {
            try Data((number == 3 ? "" : vCard("Person\(number)", "Folder")).utf8).write(to: folder.appendingPathComponent("\(number).vcf"))
        }
        try Data("not a record".utf8).write(to: folder.appendingPathComponent(".hidden.vcf"))
        let source = FolderDataSource(directory: folder, kind: .contacts)
        var batches: [[HostRecord]] = []
        for try await batch in source.records(batchSize: 2) { batches.append(batch) }
        #expect(batches.map { $0.map(\.id) } == [["1.vcf", "2.vcf"], ["4.vcf"], ["5.vcf", "6.vcf"], ["7.vcf"]])
        #expect(batches.flatMap { $0 } == (try await source.allRecords()))
    }

    @Test("A record that cannot be read in a later batch fails the sync and nothing is taken for deleted")
    func unreadableRecordDeletesNothing() async throws {
        let harness = try await Harness()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-batches-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for number in 1...5 {
            try Data(vCard("Person\(number)", "Folder").utf8).write(to: folder.appendingPathComponent("\(number).vcf"))
        }
        let source = FolderDataSource(directory: folder, kind: .contacts)
        let client = try harness.client("folder", source, batchSize: 2)
        #expect(try await client.sync().datastores.first?.remote.added == 5)

        // Sorted after the others, the dangling link is read in the third batch, after two were applied.
        let broken = folder.appendingPathComponent("9-broken.vcf")
        try FileManager.default.createSymbolicLink(atPath: broken.path, withDestinationPath: folder.appendingPathComponent("missing").path)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("2.vcf"))
        let failure = await #expect(throws: SyncClientError.self) { try await client.sync() }
        #expect(failure?.kind == .local)
        #expect(failure?.message.contains("9-broken.vcf") == true, "\(String(describing: failure))")
        #expect(try await harness.serverItems().count == 5)

        try FileManager.default.removeItem(at: broken)
        let next = try await client.sync()
        #expect(next.datastores.first?.remote.deleted == 1) // 2.vcf, only once the listing was complete
        #expect(try await harness.serverItems().count == 4)
    }
}

@Suite("Client: a slow sync sends its records a page at a time")
struct SlowSyncPagingTests {
    @Test("Pages of 4 records in messages of another size: every record arrives once, NumberOfChanges and the progress count the whole book")
    func pagesAndMessagesDoNotLineUp() async throws {
        let harness = try await Harness()
        let source = MemorySource()
        for number in 1...25 {
            await source.put(vCard("Person\(number)", "Family\(number % 7)", tel: "+49 30 \(100_000 + number)"), id: String(format: "crm-%02d", number))
        }
        // Pages of 4; messages of 4 kB take a few records each, not a multiple of the page.
        let client = try harness.client("crm", source, batchSize: 4, maxMessageSize: 4_000)
        let running = client.progressStream(mode: .slow)
        var sending: [SyncProgress] = []
        for await step in running.progress where step.phase == .sending && step.datastore != nil { sending.append(step) }
        let report = try await running.report

        #expect(report.datastores.first?.remote.added == 25)
        #expect(try await harness.serverItems().count == 25)
        #expect(sending.count > 2, "several messages: \(sending.count)")
        #expect(sending.allSatisfy { $0.expected == 25 })
        #expect(sending.map(\.done) == sending.map(\.done).sorted())
        #expect(sending.last?.done == 25)
        // The next slow sync (same client, the server knows it now) sends every record again as a Replace, and adds none.
        let again = try await client.sync(mode: .slow)
        #expect(again.datastores.first?.remote.added == 0)
        #expect(try await harness.serverItems().count == 25)
    }
}
