// Codec benchmarks on one client slow-sync message (message 2) with 10,000
// generated contacts (SampleMessages.slowSync, seed 1). `WBXML raw C scan`
// is the baseline for `WBXML decode`: the C scanner alone over the same bytes
// (Benchmarks/baselines/wbxml_scan.c measures the same outside Swift).
//
// Run:      SYNCML_BENCHMARKS=1 swift package --disable-sandbox benchmark
// Check:    SYNCML_BENCHMARKS=1 swift package --disable-sandbox benchmark thresholds check --metric mallocCountTotal
// Update:   SYNCML_BENCHMARKS=1 swift package --disable-sandbox --allow-writing-to-package-directory \
//               benchmark thresholds update --metric mallocCountTotal
//
// One benchmark iteration handles the whole message (10,000 Adds), so
// `wallClock`, `mallocCountTotal` and the built-in `throughput` (#/s) are per
// message. Per item: divide by 10,000. Two custom metrics make it explicit:
// `Items/s` (contacts decoded or encoded per second) and `Bytes/s` (message
// bytes per second: read for decode, written for encode; the table's (M)
// column unit makes it MB/s). Both are measured
// around the same work as wallClock, with a monotonic clock. The message
// sizes are printed once at start-up (MB/s = size in MB * messages/s).
//
// Only the malloc counts have saved thresholds (Benchmarks/Thresholds): they
// are deterministic, wall time on a shared 2-core machine is not.

import Benchmark
import SyncMLCodec
import SyncMLSampleData

/// Contacts per message: the unit of the per-item figures.
let contacts = 10_000

/// Items per second and message bytes per second, from one iteration's duration.
enum Rates {
    static let items = BenchmarkMetric.custom("Items/s", polarity: .prefersLarger, useScalingFactor: false)
    static let bytes = BenchmarkMetric.custom("Bytes/s", polarity: .prefersLarger, useScalingFactor: false)

    static func record(_ benchmark: Benchmark, started: ContinuousClock.Instant, bytes: Int) {
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        guard seconds > 0 else { return }
        benchmark.measurement(items, Int((Double(contacts) / seconds).rounded()))
        benchmark.measurement(Rates.bytes, Int((Double(bytes) / seconds).rounded()))
    }
}

/// Decodes a whole message fed at once, pulling every event; returns the number of Adds.
@inline(never)
func decodeAll(_ bytes: [UInt8]) throws -> Int {
    var decoder = SyncMLDecoder()
    decoder.feed(bytes)
    decoder.finish()
    var adds = 0
    while let event = try decoder.next() {
        if case .command(.add) = event { adds += 1 }
        blackHole(event)
    }
    return adds
}

let benchmarks: @Sendable () -> Void = {
    let message = SampleMessages.slowSync(contacts: contacts, seed: 1)
    let wbxml = message.encoded(as: .wbxml)
    let xml = message.encoded(as: .xml)
    print("Slow-sync message with \(contacts) contacts: WBXML \(wbxml.count) bytes, XML \(xml.count) bytes")

    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident, Rates.items, Rates.bytes],
        timeUnits: .milliseconds,
        scalingFactor: .one,
        maxDuration: .seconds(5),
        maxIterations: 50,
        thresholds: [.mallocCountTotal: BenchmarkThresholds(relative: [.p90: 1.0], absolute: [.p90: 100])]
    )

    Benchmark("WBXML decode 10k contacts") { benchmark in
        for _ in benchmark.scaledIterations {
            let started = ContinuousClock.now
            let adds = try decodeAll(wbxml)
            Rates.record(benchmark, started: started, bytes: wbxml.count)
            precondition(adds == contacts, "decoded \(adds) Adds")
        }
    }

    // As the server decodes a request: the whole message into one tree. Its
    // Sync of 10,000 Adds was quadratic to build until each container's
    // commands were collected apart from it (0.85 s against 0.02 s).
    Benchmark("WBXML decode 10k contacts into one message") { benchmark in
        for _ in benchmark.scaledIterations {
            let started = ContinuousClock.now
            let decoded = try SyncMLMessage(decoding: wbxml)
            Rates.record(benchmark, started: started, bytes: wbxml.count)
            precondition(decoded.commands.reduce(0) { $0 + $1.children.count } >= contacts, "decoded too few commands")
            blackHole(decoded)
        }
    }

    // The floor for the ones above: the C scanner alone reads the same bytes as
    // WBXML tokens and counts them (csupport_wbxml_count_tokens).
    Benchmark("WBXML raw C scan 10k contacts") { benchmark in
        for _ in benchmark.scaledIterations {
            let started = ContinuousClock.now
            let counts = WBXMLRawScan.countTokens(wbxml)
            Rates.record(benchmark, started: started, bytes: wbxml.count)
            precondition(counts != nil, "not a whole WBXML document")
            blackHole(counts)
        }
    }

    Benchmark("XML decode 10k contacts") { benchmark in
        for _ in benchmark.scaledIterations {
            let started = ContinuousClock.now
            let adds = try decodeAll(xml)
            Rates.record(benchmark, started: started, bytes: xml.count)
            precondition(adds == contacts, "decoded \(adds) Adds")
        }
    }

    Benchmark("WBXML encode 10k contacts") { benchmark in
        for _ in benchmark.scaledIterations {
            let started = ContinuousClock.now
            let bytes = SyncMLEncoder.encode(message, as: .wbxml)
            Rates.record(benchmark, started: started, bytes: bytes.count)
            blackHole(bytes)
        }
    }

    recordBenchmarks()
    storeBenchmarks()
    syncBenchmarks()
}
