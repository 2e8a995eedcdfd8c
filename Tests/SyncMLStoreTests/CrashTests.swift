import Foundation
@testable import SyncMLStore
import TestSupport
import Testing

/// Kills a process writing a large batch at random moments and checks the
/// store holds all of the batch or none of it, and passes integrity_check.
@Suite("Store crash safety", .serialized)
struct CrashTests {
    static let batch = 4000

    /// The helper executable, built next to the test bundle.
    static var helper: URL? {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("store-crash-helper")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    /// Starts the helper and waits (polling its output, holding no thread) until it has opened the store.
    func start(_ helper: URL, database: String, tag: Int) async throws -> (Process, ProcessExit) {
        let process = Process()
        process.executableURL = helper
        process.arguments = [database, String(Self.batch), String(tag)]
        let output = try OutputFile()
        process.standardOutput = output.handle
        let exit = try process.start()
        _ = try await output.text(satisfying: { $0.contains("ready") }, orOnceEnded: exit, polling: .milliseconds(1))
        return (process, exit)
    }

    func counts(_ path: String) async throws -> (items: Int, journal: Int, maps: Int, integrity: [String]) {
        let store = try SyncStore(path: path)
        return (try await store.rowCount("items"), try await store.rowCount("journal"), try await store.rowCount("maps"),
                try await store.integrityCheck())
    }

    @Test("SIGKILL at random points during a batch leaves the store before or after it")
    func killDuringBatch() async throws {
        let helper = try #require(Self.helper, "store-crash-helper not built next to the tests")
        let directory = TemporaryDirectory()
        let path = directory.path("crash.sqlite")

        // Calibrate: one uninterrupted run.
        let clock = ContinuousClock()
        let startedAt = clock.now
        let (first, firstExit) = try await start(helper, database: path, tag: 0)
        let ready = clock.now
        await firstExit.wait()
        let batchTime = clock.now - ready
        #expect(first.terminationStatus == 0)
        var expected = try await counts(path)
        #expect(expected.items == Self.batch && expected.journal == Self.batch && expected.maps == Self.batch)
        _ = startedAt

        var rng = SeededGenerator(seed: 2024)
        var before = 0, after = 0
        for run in 1...10 {
            let (process, exit) = try await start(helper, database: path, tag: run)
            // Somewhere in the batch, its commit, or just after.
            let fraction = Double.random(in: 0...1.1, using: &rng)
            try await Task.sleep(for: batchTime * fraction)
            kill(process.processIdentifier, SIGKILL)
            await exit.wait()
            let now = try await counts(path)
            #expect(now.integrity == ["ok"], "run \(run)")
            if now.items == expected.items {
                before += 1
                #expect(now.journal == expected.journal && now.maps == expected.maps, "run \(run): partial batch")
            } else {
                after += 1
                #expect(now.items == expected.items + Self.batch, "run \(run): partial batch")
                #expect(now.journal == expected.journal + Self.batch && now.maps == expected.maps + Self.batch, "run \(run)")
            }
            expected = now
        }
        print("crash test: batch of \(Self.batch) contacts takes \(batchTime); 10 kills: \(before) left the store before the batch, \(after) after it")
    }
}
