@testable import SyncMLStore
import Testing

@Suite("Store: transactions end, whatever fails")
struct TransactionTests {
    @Test("A COMMIT that fails is rolled back: nothing lands and no transaction stays open")
    func failedCommit() throws {
        let database = try Database(path: ":memory:")
        // A deferred foreign key is checked at COMMIT, which then fails and, left alone, keeps the transaction open.
        try database.execute("""
            CREATE TABLE parent(id INTEGER PRIMARY KEY);
            CREATE TABLE child(id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
            """)
        #expect {
            try database.transaction { () throws(StoreError) in try database.run("INSERT INTO child(parent) VALUES (42)") }
        } throws: { ($0 as? StoreError)?.primaryResultCode == 19 } // SQLITE_CONSTRAINT
        #expect(!database.isInTransaction)
        #expect(try database.integer("SELECT count(*) FROM child") == 0)
        // The next transaction is a transaction of its own, not a savepoint inside the failed one.
        _ = try database.transaction { () throws(StoreError) in try database.run("INSERT INTO parent(id) VALUES (1)") }
        #expect(!database.isInTransaction)
        #expect(try database.integer("SELECT count(*) FROM parent") == 1)
    }
}
