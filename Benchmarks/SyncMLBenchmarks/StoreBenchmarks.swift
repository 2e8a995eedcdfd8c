// Store benchmarks: appending 100,000 generated contacts to the journal in
// batches of 1,000 (with and without the preset dictionary), the same rows
// through a bare loop of prepared SQLite INSERTs (the baseline), changes-since
// with 1 % changed in stores of 10k and 100k contacts (the cost must follow
// the number of changes, not the store), and fingerprint lookup latency.
//
// The bare loop uses SyncMLStore's `Database` with raw SQL (one cached,
// prepared INSERT of payload bytes + fingerprint, a transaction per 1,000
// rows): CSupport may not link sqlite3 (SyncMLStore is the only sqlite3_*
// caller), so the baseline is that module's thinnest path, not a C loop.
//
// Run: SYNCML_BENCHMARKS=1 swift package --disable-sandbox benchmark --filter "Store.*"

import Benchmark
import Foundation
import SyncMLRecords
import SyncMLSampleData
import SyncMLStore

enum StoreRates {
    static let records = BenchmarkMetric.custom("Records/s", polarity: .prefersLarger, useScalingFactor: false)
    static let bytesPerContact = BenchmarkMetric.custom("B/contact", polarity: .prefersSmaller, useScalingFactor: false)
    static let microsPerChange = BenchmarkMetric.custom("ns/change", polarity: .prefersSmaller, useScalingFactor: false)
    static let nanosPerLookup = BenchmarkMetric.custom("ns/lookup", polarity: .prefersSmaller, useScalingFactor: false)

    static func seconds(since started: ContinuousClock.Instant) -> Double {
        let elapsed = started.duration(to: .now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

/// Contacts prepared as the engine would hand them to the store, and stores built once per run.
final class StoreFixtures: @unchecked Sendable {
    private let lock = NSLock()
    private var prepared: [Int: [ItemChange]] = [:]
    private var stores: [Int: (SyncStore, DatastoreID, DeviceID, String)] = [:]

    /// `count` generated contacts (seed 1) with fingerprints, match keys and LUIDs.
    func changes(_ count: Int) -> [ItemChange] {
        if let cached = lock.withLock({ prepared[count] }) { return cached }
        var generator = ContactGenerator(seed: 1)
        let changes = (0..<count).map { index in
            let bytes = generator.next()
            let signature = try! RecordSignature(parsing: bytes)
            return ItemChange(.add, luid: "luid-\(index)", payload: bytes, fingerprint: signature.fingerprint,
                              matchKeys: signature.matchKey.indexKeys)
        }
        lock.withLock { prepared[count] = changes }
        return changes
    }

    static func temporaryPath(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-bench-\(name)-\(UUID().uuidString).sqlite").path
        return path
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// Appends `changes` in batches of 1,000 from a phone's first sync; returns the store.
    static func append(_ changes: [ItemChange], path: String, useDictionary: Bool) async throws -> (SyncStore, DatastoreID, DeviceID) {
        let store = try SyncStore(path: path, useDictionary: useDictionary)
        let user = try await store.user(named: "bench")
        let contacts = try await store.datastore(named: "contacts", user: user)
        let phone = try await store.device(devID: "IMEI:bench", user: user)
        let session = try await store.beginSession(device: phone)
        var start = 0
        while start < changes.count {
            let end = min(start + 1_000, changes.count)
            _ = try await store.apply(Array(changes[start..<end]), datastore: contacts, device: phone, session: session)
            start = end
        }
        try await store.endSession(session)
        return (store, contacts, phone)
    }

    /// A store of `count` contacts that a second device ("laptop") has fully
    /// acknowledged, after which 1 % of the items were edited by the phone.
    func changedStore(_ count: Int) async throws -> (SyncStore, DatastoreID, DeviceID, String) {
        if let cached = lock.withLock({ stores[count] }) { return cached }
        let path = Self.temporaryPath("changes-\(count)")
        let all = changes(count)
        let (store, contacts, phone) = try await Self.append(all, path: path, useDictionary: true)
        let user = try await store.user(named: "bench")
        let laptop = try await store.device(devID: "laptop", user: user)
        try await store.acknowledge(laptop, datastore: contacts, through: try await store.lastSequence(datastore: contacts))
        var edits: [ItemChange] = []
        for index in stride(from: 0, to: count, by: 100) {
            var edit = all[index]
            edit.operation = .replace
            edit.payload = Array(String(decoding: edit.payload, as: UTF8.self)
                .replacingOccurrences(of: "END:VCARD", with: "NOTE:edited \(index)\r\nEND:VCARD").utf8)
            edit.fingerprint = try RecordSignature(parsing: edit.payload).fingerprint
            edits.append(edit)
        }
        _ = try await store.apply(edits, datastore: contacts, device: phone)
        let entry = (store, contacts, laptop, path)
        lock.withLock { stores[count] = entry }
        return entry
    }
}

let storeFixtures = StoreFixtures()

func storeBenchmarks() {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident, StoreRates.records, StoreRates.bytesPerContact],
        timeUnits: .milliseconds,
        scalingFactor: .one,
        maxDuration: .seconds(60),
        maxIterations: 3,
        // Its count moves by a few thousand between runs (13,279,787-13,285,628 in three runs at
        // cf96cd6: the WAL's checkpoints fall differently), so 1,000 flagged runs of the same build.
        thresholds: [.mallocCountTotal: BenchmarkThresholds(relative: [.p90: 1.0], absolute: [.p90: 20_000])]
    )
    let count = 100_000

    for useDictionary in [true, false] {
        let name = "Store journal append 100k contacts (\(useDictionary ? "dictionary" : "no dictionary"))"
        Benchmark(name, configuration: configuration, closure: { benchmark in
            let changes = storeFixtures.changes(count)
            let path = StoreFixtures.temporaryPath("append")
            defer { StoreFixtures.remove(path) }
            benchmark.startMeasurement()
            let started = ContinuousClock.now
            let (store, _, _) = try await StoreFixtures.append(changes, path: path, useDictionary: useDictionary)
            let seconds = StoreRates.seconds(since: started)
            benchmark.stopMeasurement()
            let size = try await store.fileSize()
            benchmark.measurement(StoreRates.records, Int(Double(count) / seconds))
            benchmark.measurement(StoreRates.bytesPerContact, size / count)
            print("\(name): \(Int(Double(count) / seconds)) records/s, \(size / count) B/contact on disk (\(size) bytes)")
        }, setup: { _ = storeFixtures.changes(count) })
    }

    Benchmark("Store bare SQLite inserts 100k rows (baseline)", configuration: configuration, closure: { benchmark in
        let changes = storeFixtures.changes(count)
        let path = StoreFixtures.temporaryPath("bare")
        defer { StoreFixtures.remove(path) }
        let database = try Database(path: path)
        try database.execute("CREATE TABLE rows(id INTEGER PRIMARY KEY, fingerprint BLOB NOT NULL, payload BLOB NOT NULL)")
        benchmark.startMeasurement()
        let started = ContinuousClock.now
        var start = 0
        while start < changes.count {
            let end = min(start + 1_000, changes.count)
            try database.transaction { () throws(StoreError) in
                for change in changes[start..<end] {
                    try database.run("INSERT INTO rows(fingerprint, payload) VALUES (?, ?)", [.blob(change.fingerprint!.bytes), .blob(change.payload)])
                }
            }
            start = end
        }
        let seconds = StoreRates.seconds(since: started)
        benchmark.stopMeasurement()
        try database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let size = Int((try database.integer("PRAGMA page_count") ?? 0) * (try database.integer("PRAGMA page_size") ?? 0))
        benchmark.measurement(StoreRates.records, Int(Double(count) / seconds))
        benchmark.measurement(StoreRates.bytesPerContact, size / count)
        print("Store bare SQLite inserts: \(Int(Double(count) / seconds)) rows/s, \(size / count) B/row on disk")
    }, setup: { _ = storeFixtures.changes(count) })

    let queryConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, StoreRates.microsPerChange, StoreRates.nanosPerLookup],
        timeUnits: .microseconds,
        scalingFactor: .one,
        maxDuration: .seconds(10),
        maxIterations: 50,
        thresholds: [.mallocCountTotal: BenchmarkThresholds(relative: [.p90: 1.0], absolute: [.p90: 100])]
    )

    for size in [10_000, 100_000] {
        let name = "Store changes since: 1 % of \(size / 1000)k"
        Benchmark(name, configuration: queryConfiguration, closure: { benchmark in
            let (store, contacts, laptop, _) = try await storeFixtures.changedStore(size)
            benchmark.startMeasurement()
            let started = ContinuousClock.now
            let set = try await store.changes(for: laptop, datastore: contacts)
            let seconds = StoreRates.seconds(since: started)
            benchmark.stopMeasurement()
            precondition(set.changes.count == size / 100)
            benchmark.measurement(StoreRates.microsPerChange, Int(seconds * 1e9 / Double(set.changes.count)))
        }, setup: { _ = try await storeFixtures.changedStore(size) })
    }

    Benchmark("Store fingerprint lookup in 100k", configuration: queryConfiguration, closure: { benchmark in
        let (store, contacts, _, _) = try await storeFixtures.changedStore(count)
        let probes = storeFixtures.changes(count).enumerated().filter { $0.offset % 97 == 1 }.prefix(1_000).map { $0.element.fingerprint! }
        benchmark.startMeasurement()
        let started = ContinuousClock.now
        var found = 0
        for probe in probes { found += try await store.items(withFingerprint: probe, datastore: contacts).count }
        let seconds = StoreRates.seconds(since: started)
        benchmark.stopMeasurement()
        precondition(found >= probes.count * 9 / 10)
        benchmark.measurement(StoreRates.nanosPerLookup, Int(seconds * 1e9 / Double(probes.count)))
    }, setup: { _ = try await storeFixtures.changedStore(count) })
}
