import ArgumentParser
import Foundation
import SyncMLBenchSupport
import SyncMLClient
import SyncMLRecords
import SyncMLSampleData

/// `syncml-bench dedupe`: the duplicate finder on a generated book whose
/// duplicates are known (`DuplicatedContactBook`): precision, recall and time.
///
/// The book is generated into memory first (not timed). Timed: the library API
/// end to end (`SyncDataSource.duplicates()`: both reads, parsing on every core,
/// grouping, every merge proposed) and the grouping alone (`DuplicateFinder.find`
/// over the signed records).
struct DedupeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dedupe",
        abstract: "Find the duplicates of a generated book with known duplicates; prints precision, recall and time."
    )

    @Option(help: "Records in the book.") var contacts: Int
    @Option(help: "Percent of the people who appear more than once.") var duplicates = 30
    @Option(help: "Percent of the people with an organization who carry its switchboard number.") var switchboards = 10
    @Option(help: "Percent of the people followed by a relative sharing their phone and a family e-mail.") var households = 5
    @Option(help: "Generator seed.") var seed: UInt64 = 1
    @Flag(help: "Print each wrong group and each missed pair on standard error.") var verbose = false
    @Option(help: "Run the grouping alone this many times (for profiling it); skips the library run.") var findRepeats = 0

    func validate() throws {
        guard contacts >= 0 else { throw ValidationError("--contacts must not be negative") }
        for value in [duplicates, switchboards, households] where !(0...100).contains(value) {
            throw ValidationError("--duplicates, --switchboards and --households are percentages (0...100)")
        }
    }

    func run() async throws {
        var book = DuplicatedContactBook(seed: seed, duplicatePercent: duplicates, switchboardPercent: switchboards, householdPercent: households)
        var records: [HostRecord] = []
        var person: [String: Int] = [:]
        var copiesOf: [Int: Int] = [:]
        records.reserveCapacity(contacts)
        for number in 1...max(contacts, 1) where number <= contacts {
            let record = book.next()
            let id = "r\(number)"
            records.append(HostRecord(id: id, payload: record.bytes, type: record.type))
            person[id] = record.person
            copiesOf[record.person, default: 0] += 1
        }
        let source = MemoryBook(records: records)
        if findRepeats > 0 {
            let candidates = await Self.sign(records)
            for _ in 0..<findRepeats {
                let started = ContinuousClock.now
                let found = DuplicateFinder.find(candidates)
                emit(["step": "find", "records": contacts, "groups": found.groups.count, "seconds": seconds(since: started)])
            }
            return
        }

        let before = ProcessUsage.now()
        let started = ContinuousClock.now
        var groups: [[String]] = []
        for try await proposal in source.duplicates() { groups.append(proposal.group.members) }
        let wall = seconds(since: started)
        let after = ProcessUsage.now()

        // The grouping alone, over records signed beforehand.
        let signStarted = ContinuousClock.now
        let candidates = await Self.sign(records)
        let signWall = seconds(since: signStarted)
        let findStarted = ContinuousClock.now
        let found = DuplicateFinder.find(candidates)
        let findWall = seconds(since: findStarted)

        // The traps: pairs of different people with the same name sharing an e-mail address or
        // a phone key (the last 7 digits), which the slow-sync matcher's rule alone would pair.
        var byNameAndPoint: [String: Set<Int>] = [:]
        for candidate in candidates where !candidate.matchKey.primary.isEmpty {
            for point in candidate.matchKey.emails.map({ "e:" + $0 }) + candidate.matchKey.phones.map({ "p:" + $0 }) {
                byNameAndPoint[candidate.matchKey.primary + "|" + point, default: []].insert(person[candidate.id]!)
            }
        }
        var traps = Set<[Int]>()
        for people in byNameAndPoint.values where people.count > 1 {
            let sorted = people.sorted()
            for (index, a) in sorted.enumerated() { for b in sorted[(index + 1)...] { traps.insert([a, b]) } }
        }

        // Precision: groups whose records are all one person. Recall: pairs of one
        // person's records that ended up in one group, of all such pairs.
        var correct = 0
        var foundPairs = 0
        for members in groups {
            let people = Set(members.map { person[$0]! })
            if people.count == 1 {
                correct += 1
            } else if verbose {
                FileHandle.standardError.write(Data("wrong group: \(members.map { "\($0) (person \(person[$0]!))" }.joined(separator: ", "))\n".utf8))
                for id in members {
                    let record = records[Int(id.dropFirst())! - 1]
                    FileHandle.standardError.write(Data(record.payload))
                }
            }
            var byPerson: [Int: Int] = [:]
            for id in members { byPerson[person[id]!, default: 0] += 1 }
            foundPairs += byPerson.values.reduce(0) { $0 + $1 * ($1 - 1) / 2 }
        }
        let truePairs = copiesOf.values.reduce(0) { $0 + $1 * ($1 - 1) / 2 }
        let duplicatedPeople = copiesOf.values.filter { $0 > 1 }.count
        let mergedPeople = Set(groups.compactMap { members -> Int? in
            let people = Set(members.map { person[$0]! })
            return people.count == 1 && members.count == copiesOf[people.first!] ? people.first : nil
        }).count
        if verbose {
            var grouped: [String: Int] = [:]
            for (index, members) in groups.enumerated() { for id in members { grouped[id] = index } }
            var byPerson: [Int: [String]] = [:]
            for record in records { byPerson[person[record.id]!, default: []].append(record.id) }
            for (who, ids) in byPerson.sorted(by: { $0.key < $1.key }) where ids.count > 1 {
                let places = Set(ids.map { grouped[$0] ?? -1 })
                if places.count > 1 || places.first == -1 {
                    FileHandle.standardError.write(Data("missed: person \(who): \(ids.map { "\($0)→\(grouped[$0].map(String.init) ?? "-")" })\n".utf8))
                }
            }
        }
        emit(["step": "dedupe", "records": contacts, "people": Set(person.values).count, "duplicated_people": duplicatedPeople,
              "true_pairs": truePairs, "groups": groups.count, "correct_groups": correct,
              "precision": groups.isEmpty ? 1.0 : Double(correct) / Double(groups.count),
              "found_pairs": foundPairs, "recall": truePairs == 0 ? 1.0 : Double(foundPairs) / Double(truePairs),
              "people_fully_merged": mergedPeople, "ambiguous": found.ambiguous.count, "trap_pairs": traps.count,
              "seconds": wall, "cpu_seconds": after.cpuSeconds - before.cpuSeconds, "find_seconds": findWall, "sign_seconds": signWall,
              "peak_rss_bytes": after.peakResidentBytes])
    }

    /// Every record's candidate, parsed on every core (the library does the same).
    static func sign(_ records: [HostRecord]) async -> [DuplicateCandidate] {
        let pieces = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let size = (records.count + pieces - 1) / pieces
        return await withTaskGroup(of: (Int, [DuplicateCandidate]).self) { group in
            for piece in 0..<pieces {
                let slice = records[min(piece * size, records.count)..<min((piece + 1) * size, records.count)]
                group.addTask {
                    (piece, slice.compactMap { record in
                        guard let parsed = try? RecordPayload.parse(record.payload, type: record.type), let first = parsed.first else { return nil }
                        return DuplicateCandidate(id: record.id, record: first.record)
                    })
                }
            }
            var parts = [[DuplicateCandidate]](repeating: [], count: pieces)
            for await (piece, candidates) in group { parts[piece] = candidates }
            return parts.flatMap { $0 }
        }
    }
}

/// A host's records in memory, as `SyncDataSource` (read-only: the benchmark merges nothing).
struct MemoryBook: SyncDataSource {
    let records: [HostRecord]
    func allRecords() async throws -> [HostRecord] { records }
    func add(payload: [UInt8], type: String) async throws -> String { throw ValidationError("read-only") }
    func update(id: String, payload: [UInt8], type: String) async throws { throw ValidationError("read-only") }
    func delete(id: String) async throws { throw ValidationError("read-only") }
}
