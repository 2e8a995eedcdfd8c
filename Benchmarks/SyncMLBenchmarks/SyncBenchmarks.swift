// Whole syncs in one process: SyncClient → SyncMLEngine's SyncServer →
// SyncStore on a file, no network (the messages are encoded and decoded as
// they would be over HTTP). A slow sync of N generated contacts from a client
// to an empty server, and a two-way sync with 1 % of the contacts changed on
// books of 10k and 100k: the host book (`GeneratedBook`, shared with syncml-bench)
// tracks its own changes, so that sync's cost follows the changes, not the book.
//
// Run: SYNCML_BENCHMARKS=1 swift package --disable-sandbox benchmark --filter "Sync.*"

import Benchmark
import Foundation
import Logging
import SyncMLBenchSupport
import SyncMLClient
import SyncMLCodec
import SyncMLServer
import SyncMLSampleData
import SyncMLStore

enum SyncRates {
    static let contacts = BenchmarkMetric.custom("contacts/s", polarity: .prefersLarger, useScalingFactor: false)
}

func syncBenchmarks() {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident, SyncRates.contacts],
        timeUnits: .milliseconds,
        scalingFactor: .one,
        maxDuration: .seconds(120),
        maxIterations: 3,
        // Two actors take turns, so a few mallocs move between runs; 2 % still catches a per-contact regression.
        thresholds: [.mallocCountTotal: BenchmarkThresholds(relative: [.p90: 2.0], absolute: [.p90: 2_000])]
    )
    for size in [10_000, 100_000] {
        Benchmark("Sync slow \(size / 1000)k contacts in process", configuration: configuration, closure: { benchmark in
            let rig = try await SyncRig(book: GeneratedBook(count: size), directory: NSTemporaryDirectory())
            defer { rig.remove() }
            benchmark.startMeasurement()
            let started = ContinuousClock.now
            let report = try await rig.client.sync()
            let seconds = StoreRates.seconds(since: started)
            benchmark.stopMeasurement()
            precondition(report.datastores[0].remote.added == size, "\(report)")
            benchmark.measurement(SyncRates.contacts, Int(Double(size) / seconds))
            print("Sync slow \(size): \(String(format: "%.2f", seconds)) s, \(Int(Double(size) / seconds)) contacts/s")
        })
    }
    for size in [10_000, 100_000] {
        let changes = size / 100
        Benchmark("Sync two-way 1 % changed on \(size / 1000)k", configuration: configuration, closure: { benchmark in
            let rig = try await SyncRig(book: GeneratedBook(count: size), directory: NSTemporaryDirectory())
            defer { rig.remove() }
            try await rig.client.sync()
            await rig.book.edit(changes, round: 1)
            benchmark.startMeasurement()
            let started = ContinuousClock.now
            let report = try await rig.client.sync()
            let seconds = StoreRates.seconds(since: started)
            benchmark.stopMeasurement()
            precondition(report.datastores[0].remote.updated == changes, "\(report)")
            print("Sync two-way \(changes) changes on \(size): \(String(format: "%.3f", seconds)) s")
        })
    }
}
