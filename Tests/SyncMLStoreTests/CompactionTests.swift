import Foundation
@testable import SyncMLStore
import Testing

/// Issue #16: compaction reads what changed since the last one and the items still
/// keeping old versions, in short steps, and removes exactly what the whole-journal
/// rule removes.
@Suite("Store: incremental compaction")
struct CompactionTests {
    /// The journal's seqs in `datastore` that the rule of `SyncStore.compact` (as it was
    /// written before compaction became incremental: one window query over every row of
    /// the datastore) drops now: the reference the incremental compaction is held to.
    static func doomedByWholeJournalRule(_ store: SyncStore, datastore: DatastoreID, keepVersions: Int, keepDays: Double) async throws -> Set<Int64> {
        let now = await store.nowMillis
        return try await store.withDatabase { db throws(StoreError) -> Set<Int64> in
            let top = try db.integer("SELECT max(seq) FROM journal WHERE datastore_id = ?", [.integer(datastore.rawValue)]) ?? 0
            let acked = try db.integer("SELECT min(acked_seq) FROM device_datastores WHERE datastore_id = ?", [.integer(datastore.rawValue)]) ?? top
            let cutoff = now - Int64(keepDays * 86_400_000)
            var doomed: Set<Int64> = []
            try db.forEach("""
                WITH ranked AS (
                    SELECT seq, time, length(payload) AS bytes,
                           row_number() OVER (PARTITION BY item_id ORDER BY seq DESC) AS rank,
                           max(CASE WHEN seq <= ? THEN seq END) OVER (PARTITION BY item_id) AS base
                    FROM journal WHERE datastore_id = ?)
                SELECT seq, coalesce(bytes, 0) FROM ranked WHERE rank > ? AND seq < base AND time < ?
                """, [.integer(acked), .integer(datastore.rawValue), .integer(Int64(keepVersions)), .integer(cutoff)]) { doomed.insert($0.integer(0)) }
            return doomed
        }
    }

    static func journal(_ store: SyncStore) async throws -> Set<Int64> {
        try await store.withDatabase { db throws(StoreError) -> Set<Int64> in
            var seqs: Set<Int64> = []
            try db.forEach("SELECT seq FROM journal") { seqs.insert($0.integer(0)) }
            return seqs
        }
    }

    /// What `changes(for:)` gives each device in each datastore: GUID, operation, payload.
    static func sent(_ f: Fixture, _ datastores: [DatastoreID]) async throws -> [[String]] {
        var sent: [[String]] = []
        for datastore in datastores {
            for device in [f.phone, f.laptop] {
                sent += try await f.store.changes(for: device, datastore: datastore).changes.map {
                    [$0.guid, "\($0.operation)", String(decoding: $0.payload ?? [], as: UTF8.self)]
                }
            }
        }
        return sent
    }

    /// Random edits, deletes, server changes, undos, acknowledgements and time, with a
    /// compaction under a random policy after each round.
    @Test("over random histories (items, versions, times, devices, acknowledgements, deletes, undos), each compaction removes exactly what the whole-journal rule removes, and devices are sent the same changes as before it",
          arguments: StoreBackend.allCases)
    func sameAsTheWholeJournalRule(_ backend: StoreBackend) async throws {
        for seed in UInt64(1)...(backend == .sqlite ? 6 : 2) {
            let clock = TestClock()
            guard let f = try await Fixture(backend, clock: { clock.now }) else { return }
            let calendar = try await f.store.datastore(named: "calendar", user: f.user)
            let datastores = [f.contacts, calendar]
            var rng = SeededGenerator(seed: seed)
            var live: [[String]] = [[], []] // LUIDs of the phone's live items, per datastore
            var next = 0
            var sessions: [SessionID] = []
            for round in 0..<14 {
                for _ in 0..<Int.random(in: 1...8, using: &rng) {
                    let which = Int.random(in: 0...1, using: &rng)
                    var batch: [ItemChange] = []
                    let device: DeviceID? = Int.random(in: 0..<5, using: &rng) == 0 ? nil : f.phone
                    for _ in 0..<Int.random(in: 1...4, using: &rng) {
                        next += 1
                        switch live[which].isEmpty ? 0 : Int.random(in: 0..<10, using: &rng) {
                        case 0...2:
                            let luid = "l\(next)"
                            batch.append(change(.add, luid: luid, card("N\(next)")))
                            live[which].append(luid)
                        case 3...7:
                            batch.append(change(.replace, luid: live[which].randomElement(using: &rng)!, card("R\(next)")))
                        default:
                            let luid = live[which].remove(at: Int.random(in: 0..<live[which].count, using: &rng))
                            batch.append(change(.delete, luid: luid, ""))
                        }
                    }
                    // The server's own changes name items by GUID; the phone's by LUID.
                    if device == nil {
                        var named: [ItemChange] = []
                        for item in batch {
                            guard let luid = item.luid, let guid = try await f.store.guid(forLUID: luid, device: f.phone, datastore: datastores[which]) else { continue }
                            named.append(ItemChange(item.operation, guid: guid, payload: item.payload, fingerprint: item.fingerprint))
                        }
                        batch = named
                    }
                    let session = try await f.store.beginSession(device: device)
                    _ = try await f.store.apply(batch, datastore: datastores[which], device: device, session: session)
                    try await f.store.endSession(session)
                    sessions.append(session)
                    if Int.random(in: 0..<6, using: &rng) == 0, let undone = sessions.randomElement(using: &rng) {
                        do {
                            _ = try await f.store.undo(session: undone)
                        } catch {
                            #expect(error.kind == .conflict, "only a session undone already is refused: \(error)")
                        }
                        // An undo may bring items back or delete them: the live LUIDs follow the store.
                        for (index, datastore) in datastores.enumerated() {
                            var luids: [String] = []
                            for luid in Set(live[index] + (1...next).map { "l\($0)" }) {
                                if let guid = try await f.store.guid(forLUID: luid, device: f.phone, datastore: datastore),
                                   try await f.store.payload(guid: guid, datastore: datastore) != nil {
                                    luids.append(luid)
                                }
                            }
                            live[index] = luids.sorted()
                        }
                    }
                }
                for datastore in datastores where Int.random(in: 0..<3, using: &rng) == 0 {
                    let top = try await f.store.lastSequence(datastore: datastore)
                    let device = Bool.random(using: &rng) ? f.phone : f.laptop
                    try await f.store.acknowledge(device, datastore: datastore, through: Int64.random(in: 0...top, using: &rng))
                }
                clock.advance(days: Double.random(in: 0...12, using: &rng))
                let policy = RetentionPolicy(keepHistory: .seconds(Int64.random(in: 0...20, using: &rng) * 86_400), keepVersions: Int.random(in: 1...3, using: &rng))
                var expected: Set<Int64> = []
                for datastore in datastores {
                    expected.formUnion(try await Self.doomedByWholeJournalRule(f.store, datastore: datastore, keepVersions: policy.keepVersions, keepDays: policy.keepDays))
                }
                let before = try await Self.journal(f.store)
                let sent = try await Self.sent(f, datastores)
                var removed = 0
                if round % 2 == 0 {
                    removed = try await f.store.compact(keeping: policy).removedVersions
                } else {
                    // Tiny steps: every boundary between collecting and examining is crossed.
                    for datastore in datastores {
                        var job = try CompactionJob(datastore: datastore, keepVersions: policy.keepVersions, keepDays: policy.keepDays,
                                                    rowsPerStep: Int.random(in: 1...3, using: &rng), itemsPerStep: Int.random(in: 1...3, using: &rng))
                        while !job.isDone { job = try await f.store.compactionStep(job) }
                        removed += job.result.removedVersions
                    }
                }
                let after = try await Self.journal(f.store)
                #expect(before.subtracting(after) == expected, "seed \(seed), round \(round)")
                #expect(removed == expected.count, "seed \(seed), round \(round)")
                #expect(after.isSubset(of: before))
                #expect(try await Self.sent(f, datastores) == sent, "seed \(seed), round \(round): what devices are sent changed")
            }
        }
    }

    @Test("compacting a store of single-version items runs as many SQLite steps with 1,000 items as with 50, and 5 edits cost the same at both sizes")
    func costDoesNotGrowWithTheStore() async throws {
        func steps(items: Int, edits: Int) async throws -> (first: Int, edited: Int, again: Int) {
            let f = try await Fixture()
            _ = try await f.store.apply((0..<items).map { change(.add, luid: "l\($0)", card("N\($0)")) }, datastore: f.contacts, device: f.phone)
            let top = try await f.store.lastSequence(datastore: f.contacts)
            try await f.store.acknowledge(f.phone, datastore: f.contacts, through: top)
            func counted() async throws -> Int {
                let before = try await f.store.withDatabase { $0.vmSteps }
                _ = try await f.store.compact(keeping: RetentionPolicy(keepHistory: .zero))
                return try await f.store.withDatabase { $0.vmSteps } - before
            }
            let first = try await counted()
            _ = try await f.store.apply((0..<edits).map { change(.replace, luid: "l\($0 * 7)", card("E\($0)")) }, datastore: f.contacts, device: f.phone)
            try await f.store.acknowledge(f.phone, datastore: f.contacts, through: try await f.store.lastSequence(datastore: f.contacts))
            let edited = try await counted()
            #expect(try await f.store.rowCount("journal") == items)
            return (first, edited, try await counted())
        }
        let small = try await steps(items: 50, edits: 5), large = try await steps(items: 1_000, edits: 5)
        print("compaction SQLite steps, 50 items: \(small), 1,000 items: \(large)")
        #expect(Double(large.first) < Double(small.first) * 1.2, "after the slow sync: 50 items \(small.first), 1,000 items \(large.first)")
        #expect(Double(large.edited) < Double(small.edited) * 1.2, "5 edits: 50 items \(small.edited), 1,000 items \(large.edited)")
        #expect(Double(large.again) < Double(small.again) * 1.2, "nothing new: 50 items \(small.again), 1,000 items \(large.again)")
    }

    @Test("collecting the changed items reads the partial index of later versions, not the journal")
    func collectingUsesThePartialIndex() async throws {
        let f = try await Fixture()
        let plan = try await f.store.queryPlan("SELECT seq, item_id FROM journal WHERE datastore_id = 1 AND seq > 0 AND prev_seq <> 0 ORDER BY seq LIMIT 10")
        #expect(plan.contains("INDEX journal_store_later"), "\(plan)")
    }

    @Test("an item whose old version was kept (too young, or not acknowledged) loses it at a later compaction without any new version", arguments: StoreBackend.allCases)
    func keptVersionsAreLookedAtAgain(_ backend: StoreBackend) async throws {
        let clock = TestClock()
        guard let f = try await Fixture(backend, clock: { clock.now }) else { return }
        _ = try await f.store.apply([change(.add, luid: "a", card("A0")), change(.add, luid: "b", card("B0"))], datastore: f.contacts, device: f.phone)
        _ = try await f.store.apply([change(.replace, luid: "a", card("A1")), change(.replace, luid: "b", card("B1"))], datastore: f.contacts, device: f.phone)
        let top = try await f.store.lastSequence(datastore: f.contacts)
        try await f.store.acknowledge(f.phone, datastore: f.contacts, through: top)
        try await f.store.acknowledge(f.laptop, datastore: f.contacts, through: top - 2)
        let policy = RetentionPolicy(keepHistory: .seconds(86_400))
        // Too young, and the laptop has not the new versions: both old ones stay, their items pending.
        #expect(try await f.store.compact(keeping: policy).removedVersions == 0)
        #expect(try await f.store.rowCount("compaction_pending") == 2)
        clock.advance(days: 2)
        #expect(try await f.store.compact(keeping: policy).removedVersions == 0, "the laptop still needs them")
        try await f.store.acknowledge(f.laptop, datastore: f.contacts, through: top)
        #expect(try await f.store.compact(keeping: policy).removedVersions == 2)
        #expect(try await f.store.rowCount("compaction_pending") == 0, "items with one version left are let go")
        #expect(try await f.store.rowCount("journal") == 2)
    }

    @Test("a whole-store compaction lets other calls on the store in between its steps: they see it half done")
    func otherCallsGetInBetweenSteps() async throws {
        let clock = TestClock()
        let f = try await Fixture(clock: { clock.now })
        let count = 3_000 // two versions each: 6 steps of 512 items drop one each
        _ = try await f.store.apply((0..<count).map { change(.add, luid: "l\($0)", card("N\($0)")) }, datastore: f.contacts, device: f.phone)
        _ = try await f.store.apply((0..<count).map { change(.replace, luid: "l\($0)", card("E\($0)")) }, datastore: f.contacts, device: f.phone)
        try await f.store.acknowledge(f.phone, datastore: f.contacts, through: try await f.store.lastSequence(datastore: f.contacts))
        try await f.store.acknowledge(f.laptop, datastore: f.contacts, through: try await f.store.lastSequence(datastore: f.contacts))
        clock.advance(days: 1)
        let compaction = Task { try await f.store.compact(keeping: RetentionPolicy(keepHistory: .zero)) }
        var seen: Set<Int> = []
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let rows = try await f.store.rowCount("journal")
            seen.insert(rows)
            if rows == count { break }
        }
        #expect(try await compaction.value.removedVersions == count)
        #expect(seen.contains { $0 > count && $0 < 2 * count }, "journal sizes seen: \(seen.sorted())")
    }

    @Test("Migration 11: a version-10 store's history is compacted from its first version on")
    func migrationEleven() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("v10.sqlite")
        try DeferredKeyTests.makeStore(at: path, version: 10) { db throws(StoreError) in
            try db.run("INSERT INTO items(id, datastore_id, guid, type, version) VALUES (1, 1, '1', 'text/vcard', 2), (2, 1, '2', 'text/vcard', 3)")
            try db.run("""
                INSERT INTO journal(seq, datastore_id, item_id, op, prev_seq, time) VALUES (1, 1, 1, 1, 0, 0), (2, 1, 1, 2, 1, 0), (3, 1, 2, 1, 0, 0)
                """)
        }
        let store = try SyncStore(path: path)
        #expect(try await store.withDatabase { db throws(StoreError) in try db.userVersion() } == Migrations.latest)
        let report = try await store.compact(keeping: RetentionPolicy(keepHistory: .zero))
        #expect(report.removedVersions == 1)
        #expect(try await Self.journal(store) == [2, 3])
        #expect(try await store.integrityCheck() == ["ok"])
    }
}
