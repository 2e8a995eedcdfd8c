// Records benchmarks (issue: records): parse + normalize + fingerprint of
// 100,000 generated contacts, the hash step alone on the same canonical bytes,
// and matching two address books of N contacts with 50 % overlap at
// N = 25k, 50k and 100k (matching should double when N doubles).
//
// One iteration handles the whole set; `Records/s` states the per-record rate.

import Benchmark
import SyncMLRecords
import SyncMLSampleData

enum RecordRates {
    static let records = BenchmarkMetric.custom("Records/s", polarity: .prefersLarger, useScalingFactor: false)

    static func record(_ benchmark: Benchmark, started: ContinuousClock.Instant, count: Int) {
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        guard seconds > 0 else { return }
        benchmark.measurement(records, Int((Double(count) / seconds).rounded()))
    }
}

/// `count` generated vCard 3.0 contacts (seeded).
func generatedContacts(_ count: Int, seed: UInt64) -> [[UInt8]] {
    var generator = ContactGenerator(seed: seed)
    return (0..<count).map { _ in generator.next() }
}

/// Two books of `count` contacts that share half: of the shared half, one half is
/// the same contact re-encoded as vCard 2.1 (pairs by fingerprint), the other
/// half edited (a note added: pairs by match keys).
func overlappingBooks(_ count: Int) -> ([RecordMatcher.Entry], [RecordMatcher.Entry]) {
    let server = generatedContacts(count, seed: 1)
    let fresh = generatedContacts(count / 2, seed: 99)
    var left: [RecordMatcher.Entry] = []
    var right: [RecordMatcher.Entry] = []
    for (index, bytes) in server.enumerated() {
        let card = try! VObjectParser.parse(bytes)[0]
        left.append(RecordMatcher.Entry(id: "s\(index)", signature: RecordSignature(card)))
        guard index < count / 2 else { continue }
        var other = card
        if index % 2 == 0 {
            other = try! RecordConverter.convert(card, to: .vCard21)
        } else {
            other.properties.append(VProperty(name: "NOTE", value: "edited on the phone \(index)"))
        }
        right.append(RecordMatcher.Entry(id: "c\(index)", signature: RecordSignature(other)))
    }
    for (index, bytes) in fresh.enumerated() {
        right.append(RecordMatcher.Entry(id: "n\(index)", signature: RecordSignature(try! VObjectParser.parse(bytes)[0])))
    }
    return (left, right)
}

/// The matcher's work counted, not timed (docs/BENCHMARKS.md, "Matching scales
/// linearly"): candidates scored per key lookup must stay flat as N grows.
/// A wrong pair joins two ids of different numbers, or a server contact with a
/// new one (`n…`): the generator meant them as different people.
func printMatchCounts(_ left: [RecordMatcher.Entry], _ right: [RecordMatcher.Entry], size: Int) {
    var statistics = RecordMatcher.Statistics()
    let result = RecordMatcher.match(left, right, statistics: &statistics)
    let wrong = result.pairs.filter { $0.right.hasPrefix("n") || $0.left.dropFirst() != $0.right.dropFirst() }.count
    let perLookup = Double(statistics.candidatesScored) / Double(max(1, statistics.lookups))
    print("Records match \(size / 1000)k: \(statistics.lookups) key lookups, \(statistics.candidatesScored) candidates scored "
        + "(\((perLookup * 10).rounded() / 10) per lookup), \(result.pairs.count) pairs, \(wrong) wrong")
}

func recordBenchmarks() {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident, RecordRates.records],
        timeUnits: .milliseconds,
        scalingFactor: .one,
        maxDuration: .seconds(10),
        maxIterations: 5,
        thresholds: [.mallocCountTotal: BenchmarkThresholds(relative: [.p90: 1.0], absolute: [.p90: 100])]
    )

    let cards = generatedContacts(100_000, seed: 1)
    let bytes = cards.reduce(0) { $0 + $1.count }
    print("Records: 100,000 generated contacts, \(bytes) bytes")

    Benchmark("Records parse+normalize+fingerprint 100k contacts", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let started = ContinuousClock.now
            for card in cards { blackHole(try RecordSignature(parsing: card).fingerprint) }
            RecordRates.record(benchmark, started: started, count: cards.count)
        }
    }

    let canonical = cards.map { try! RecordSignature(parsing: $0).canonical.bytes }
    print("Records: canonical forms \(canonical.reduce(0) { $0 + $1.count }) bytes")
    Benchmark("Records hash only 100k canonical forms", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let started = ContinuousClock.now
            for form in canonical { blackHole(Fingerprint(of: form)) }
            RecordRates.record(benchmark, started: started, count: canonical.count)
        }
    }

    for size in [25_000, 50_000, 100_000] {
        let (left, right) = overlappingBooks(size)
        printMatchCounts(left, right, size: size)
        Benchmark("Records match \(size / 1000)k x \(size / 1000)k, 50% overlap", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                let started = ContinuousClock.now
                let result = RecordMatcher.match(left, right)
                RecordRates.record(benchmark, started: started, count: size * 2)
                precondition(result.pairs.count >= size / 2 - size / 100, "paired \(result.pairs.count) of \(size / 2)")
                blackHole(result)
            }
        }
    }
}
