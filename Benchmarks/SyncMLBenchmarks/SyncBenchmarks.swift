// Whole syncs in one process: SyncClient → SyncMLEngine's SyncServer →
// SyncStore on a file, no network (the messages are encoded and decoded as
// they would be over HTTP). A slow sync of N generated contacts from a client
// to an empty server, and a two-way sync with 1,000 changed contacts on books
// of 10k and 100k (its cost should follow the changes, not the book — except
// for the client's own scan, which reads every host record because a host
// that cannot track changes hands the engine its whole book).
//
// Run: SYNCML_BENCHMARKS=1 swift package --disable-sandbox benchmark --filter "Sync.*"

import Benchmark
import Foundation
import Logging
import SyncMLClient
import SyncMLCore
import SyncMLEngine
import SyncMLSampleData
import SyncMLStore

enum SyncRates {
    static let contacts = BenchmarkMetric.custom("contacts/s", polarity: .prefersLarger, useScalingFactor: false)
}

/// The host's book in memory.
actor BenchmarkSource: SyncDataSource {
    var records: [String: HostRecord]
    private var counter = 0

    init(_ payloads: [[UInt8]]) {
        var records: [String: HostRecord] = [:]
        for (index, payload) in payloads.enumerated() {
            records["c\(index)"] = HostRecord(id: "c\(index)", payload: payload, type: "text/vcard")
        }
        self.records = records
    }

    /// Rewrites the NOTE of `count` records (the first ones by id), a real edit each.
    func edit(_ count: Int, round: Int) {
        for id in records.keys.sorted().prefix(count) {
            var text = String(decoding: records[id]!.payload, as: UTF8.self)
            text = text.replacingOccurrences(of: "END:VCARD", with: "NOTE:edit \(round)\r\nEND:VCARD")
            records[id]!.payload = Array(text.utf8)
        }
    }

    func allRecords() async throws -> [HostRecord] { Array(records.values) }
    func add(payload: [UInt8], type: String) async throws -> String {
        counter += 1
        records["s\(counter)"] = HostRecord(id: "s\(counter)", payload: payload, type: type)
        return "s\(counter)"
    }
    func update(id: String, payload: [UInt8], type: String) async throws { records[id] = HostRecord(id: id, payload: payload, type: type) }
    func delete(id: String) async throws { records[id] = nil }
}

struct InProcessTransport: SyncTransport {
    let server: SyncServer
    func send(_ body: [UInt8], contentType: String, to url: String) async throws -> TransportReply {
        let reply = await server.handle(SyncRequest(body: body, contentType: contentType, url: url))
        return TransportReply(body: reply.body, contentType: reply.contentType, status: reply.httpStatus)
    }
}

/// A server store with one user on a temporary file, and a client of it with its own state file.
struct SyncRig {
    let paths: [String]
    let server: SyncServer
    let client: SyncClient
    let source: BenchmarkSource

    init(contacts: [[UInt8]]) async throws {
        let serverPath = StoreFixtures.temporaryPath("sync-server"), clientPath = StoreFixtures.temporaryPath("sync-client")
        paths = [serverPath, clientPath]
        let store = try SyncStore(path: serverPath)
        try await store.addUser(name: "bench", password: "bench")
        server = SyncServer(store: store, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        source = BenchmarkSource(contacts)
        client = SyncClient(configuration: ClientConfiguration(serverURL: "http://bench/sync", user: "bench", password: "bench", deviceID: "crm"),
                            datastores: [ClientDatastore(name: "contacts", kind: .contacts, source: source)],
                            transport: InProcessTransport(server: server), state: try SyncStore(path: clientPath))
    }

    func remove() { paths.forEach(StoreFixtures.remove) }
}

func syncBenchmarks() {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident, SyncRates.contacts],
        timeUnits: .milliseconds,
        scalingFactor: .one,
        maxDuration: .seconds(120),
        maxIterations: 3
    )
    for size in [10_000, 100_000] {
        Benchmark("Sync slow \(size / 1000)k contacts in process", configuration: configuration, closure: { benchmark in
            let rig = try await SyncRig(contacts: generatedContacts(size, seed: 1))
            defer { rig.remove() }
            benchmark.startMeasurement()
            let started = ContinuousClock.now
            let report = try await rig.client.sync()
            let seconds = StoreRates.seconds(since: started)
            benchmark.stopMeasurement()
            precondition(report.datastores[0].remote.added == size, "\(report)")
            benchmark.measurement(SyncRates.contacts, Int(Double(size) / seconds))
            print("Sync slow \(size): \(String(format: "%.2f", seconds)) s, \(Int(Double(size) / seconds)) contacts/s")
        }, setup: { _ = generatedContacts(size, seed: 1) })
    }
    for size in [10_000, 100_000] {
        Benchmark("Sync two-way 1000 changes on \(size / 1000)k", configuration: configuration, closure: { benchmark in
            let rig = try await SyncRig(contacts: generatedContacts(size, seed: 1))
            defer { rig.remove() }
            try await rig.client.sync()
            await rig.source.edit(1_000, round: 1)
            benchmark.startMeasurement()
            let started = ContinuousClock.now
            let report = try await rig.client.sync()
            let seconds = StoreRates.seconds(since: started)
            benchmark.stopMeasurement()
            precondition(report.datastores[0].remote.updated == 1_000, "\(report)")
            print("Sync two-way 1000 changes on \(size): \(String(format: "%.3f", seconds)) s")
        }, setup: { _ = generatedContacts(size, seed: 1) })
    }
}
