import Foundation
@testable import SyncMLStore
import Testing

/// The SQLite store folds its WAL back into the file every
/// `Database.walAutocheckpointPages` pages, not at SQLite's default of 1,000: a
/// slow sync's commits rewrite the same random index pages, and a checkpoint per
/// commit copied each of them again (docs/BENCHMARKS.md, "Checkpoints").
@Suite("Store: the WAL is checkpointed every 10,000 pages, and other connections read it meanwhile")
struct CheckpointTests {
    /// Rows of ~4 KB, about a page each.
    static let rowBytes = 4000

    @Test("A store file commits with synchronous=FULL: a commit survives power loss, not only a process crash")
    func commitsAreDurable() throws {
        let directory = TemporaryDirectory()
        let store = try Database(path: directory.path("durable.sqlite"))
        #expect(try store.integer("PRAGMA synchronous") == 2)
        #expect(try Database(path: directory.path("durable.sqlite"), synchronousFull: false).integer("PRAGMA synchronous") == 1)
    }

    @Test("Commits past SQLite's default 1,000 WAL pages stay in the WAL, and another connection reads every one")
    func walOutlivesTheDefaultCheckpoint() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("wal.sqlite")
        let writer = try Database(path: path)
        try writer.execute("CREATE TABLE rows(id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        // 40 commits of 40 pages each: 1,600 pages, past the default checkpoint and far below ours.
        for commit in 0..<40 {
            try writer.transaction { () throws(StoreError) in
                for row in 0..<40 {
                    try writer.run("INSERT INTO rows(body) VALUES (?)", [.blob([UInt8](repeating: UInt8(truncatingIfNeeded: commit * 40 + row), count: Self.rowBytes))])
                }
            }
        }
        let walBytes = try #require(try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int)
        // Checkpointed at 1,000 pages, the WAL would be restarted and stay near 1,000 pages long.
        #expect(walBytes > 1_500 * 4096)
        #expect(Database.walAutocheckpointPages == 10_000)

        // A second connection (as `syncml inspect` in another process) reads the committed rows from the WAL.
        let reader = try Database(path: path)
        #expect(try reader.integer("SELECT count(*) FROM rows") == 1_600)
        #expect(try reader.integer("SELECT sum(length(body)) FROM rows") == Int64(1_600 * Self.rowBytes))
        #expect(try reader.integer("SELECT count(*) FROM rows WHERE hex(substr(body, -1)) = printf('%02X', (id - 1) & 255)") == 1_600)
    }
}
