import Foundation
@testable import SyncMLStore
import Testing

/// What changed in how the store writes a new item (docs/BENCHMARKS.md, "Fewer
/// allocations per record"): bound text and blobs are read where they lie, not
/// copied, and on SQLite a new item is inserted without `RETURNING`. The rows
/// must be the ones written before.
@Suite("Store: new items and bound values, written without copies")
struct InsertWithoutCopiesTests {
    @Test("A new item's default GUID is its row id as text, its version its journal row, with or without a client GUID between")
    func newItemRows() async throws {
        let f = try await Fixture()
        let changes = [change(.add, luid: "a", card("Adams")), change(.add, luid: "b", card("Baker")),
                       change(.add, luid: "c", guid: "client-guid", card("Clark")), change(.add, luid: "d", card("Davis"))]
        var results: [AppliedChange] = []
        for change in changes { results += try await f.store.apply([change], datastore: f.contacts, device: f.phone) }
        // A batch of several new items (their keys and maps written together) numbers them on.
        results += try await f.store.apply([change(.add, luid: "e", card("Evans")), change(.add, luid: "f", card("Fox"))],
                                           datastore: f.contacts, device: f.phone)
        #expect(results.map(\.guid) == ["1", "2", "client-guid", "4", "5", "6"])
        #expect(results.allSatisfy { $0.outcome == .added })
        let sequences = results.compactMap(\.sequence)
        #expect(sequences.count == 6 && sequences == sequences.sorted() && Set(sequences).count == 6)
        for (result, change) in zip(results, changes + [change(.add, luid: "e", card("Evans")), change(.add, luid: "f", card("Fox"))]) {
            let guid = try #require(result.guid)
            let item = try #require(try await f.store.item(guid: guid, datastore: f.contacts))
            #expect(item.version == result.sequence && item.fingerprint == change.fingerprint && item.type == change.type)
            let history = try await f.store.history(guid: guid, datastore: f.contacts)
            #expect(history.map(\.sequence) == [result.sequence!] && history[0].device == f.phone)
            #expect(try await f.store.payload(guid: guid, datastore: f.contacts) == change.payload)
            #expect(try await f.store.guid(forLUID: change.luid!, device: f.phone, datastore: f.contacts) == guid)
        }
        #expect(try await f.store.integrityCheck() == ["ok"])
    }

    @Test("Bound text and blobs read back as bound: text up to a NUL as before, empty text and blobs not NULL")
    func boundValues() throws {
        let database = try Database(path: ":memory:")
        try database.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, a, b, c, d)")
        let photo = [UInt8](repeating: 0xAB, count: 100_000)
        let rows: [[SQLValue]] = [
            [.text("plain"), .text("with\u{0}nul"), .text(""), .text("Müller, Jörg ☎")],
            [.blob([]), .blob([0, 1, 2]), .blob(photo), .null],
            [.integer(7), .real(1.5), .text("small"), .blob([0xFF])],
        ]
        for (id, values) in rows.enumerated() {
            try database.run("INSERT INTO t(id, a, b, c, d) VALUES (?, ?, ?, ?, ?)", [.integer(Int64(id))] + values)
        }
        func read(_ id: Int) throws -> [String] {
            try database.first("SELECT typeof(a), typeof(b), typeof(c), typeof(d), quote(a), quote(b), length(c), quote(d) FROM t WHERE id = ?",
                               [.integer(Int64(id))]) { row in (0..<8).map { row.isNull($0) ? "NULL" : row.text($0) } } ?? []
        }
        #expect(try read(0) == ["text", "text", "text", "text", "'plain'", "'with'", "0", "'Müller, Jörg ☎'"])
        #expect(try read(1) == ["blob", "blob", "blob", "null", "X''", "X'000102'", "100000", "NULL"])
        #expect(try read(2) == ["integer", "real", "text", "blob", "7", "1.5", "5", "X'FF'"])
        #expect(try database.first("SELECT c FROM t WHERE id = 1", []) { $0.blob(0) } == photo)
    }
}
