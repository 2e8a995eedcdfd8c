/// The SQL a connection speaks, where the two backends' texts must differ.
///
/// The store's SQL is written once in forms both accept (`ON CONFLICT`,
/// `RETURNING`, `coalesce`, `?` placeholders); the few statements with no common
/// form pick their text by dialect (docs/STORE.md, "Dialects").
package enum SQLDialect: Sendable, Hashable {
    /// SQLite 3.35 or newer (`Database`).
    case sqlite
    /// PostgreSQL 13 or newer (`SyncMLPostgres`).
    case postgres
}

/// One connection the store's logic runs its SQL on: the SQLite file
/// (`Database`) or a PostgreSQL server (`SyncMLPostgres`). `SyncStore` holds one
/// and has one code path for both, so both backends have the same semantics by
/// construction; the shared store suite proves each backend's SQL.
///
/// Not thread-safe: a connection is confined to the `SyncStore` actor that owns
/// it. Statements use `?` placeholders, bound in order; rows are lent to the
/// caller's closure as a `Row`, a concrete non-copyable type, so reading a
/// column never goes through an existential.
package protocol StoreConnection: AnyObject {
    /// Which SQL text to use where the backends differ.
    var dialect: SQLDialect { get }
    /// Work counted on this connection (rows read, statements run) and the
    /// fault injection of tests.
    var counters: ConnectionCounters { get }
    /// Whether a transaction is open.
    var isInTransaction: Bool { get }
    /// This store among others in the same database, for the keys of its advisory
    /// locks: PostgreSQL's locks are database-wide, and stores in different schemas
    /// must not wait for each other. 0 on SQLite (one store per file).
    var lockScope: Int32 { get }

    /// Runs one or more statements without parameters (schema, settings).
    func execute(_ sql: String) throws(StoreError)
    /// Runs `sql` with `values` and returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLValue]) throws(StoreError) -> Int
    /// Runs an INSERT of one row and returns the new row's id, the value of its
    /// integer primary key `column` (`rowid` on SQLite, `RETURNING` on PostgreSQL).
    func insert(_ sql: String, _ values: [SQLValue], returning column: String) throws(StoreError) -> Int64
    /// Runs a query, calling `row` for each result row.
    func forEach(_ sql: String, _ values: [SQLValue], _ row: (borrowing Row) throws(StoreError) -> Void) throws(StoreError)
    /// The first row of a query mapped by `transform`, or nil when there is none.
    func first<T>(_ sql: String, _ values: [SQLValue], _ transform: (borrowing Row) throws(StoreError) -> T) throws(StoreError) -> T?

    /// Opens a transaction (SQLite: `BEGIN IMMEDIATE`, the write lock up front).
    func beginTransaction() throws(StoreError)
    /// Commits the open transaction; throws when it did not commit.
    func commitTransaction() throws(StoreError)
    /// Rolls the open transaction back.
    func rollbackTransaction() throws(StoreError)

    /// The schema version the store is at.
    func userVersion() throws(StoreError) -> Int
    /// ["ok"] for a sound store, else the problems found.
    func integrityCheck() throws(StoreError) -> [String]
    /// Bytes the store occupies; `settled` first folds pending writes in where
    /// the backend has such a step (SQLite's WAL checkpoint).
    func storedBytes(settled: Bool) throws(StoreError) -> Int
    /// Writes a consistent copy of the whole store to the file `path`.
    func copy(to path: String) throws(StoreError)
}

extension StoreConnection {
    /// Runs `sql` without values; returns the number of rows it changed.
    @discardableResult
    package func run(_ sql: String) throws(StoreError) -> Int { try run(sql, []) }

    /// Runs a query without values, calling `row` for each result row.
    package func forEach(_ sql: String, _ row: (borrowing Row) throws(StoreError) -> Void) throws(StoreError) {
        try forEach(sql, [], row)
    }

    /// The first row of a query without values, mapped by `transform`.
    package func first<T>(_ sql: String, _ transform: (borrowing Row) throws(StoreError) -> T) throws(StoreError) -> T? {
        try first(sql, [], transform)
    }

    /// The integer in the first column of the first row, or nil.
    package func integer(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> Int64? {
        try first(sql, values) { row in row.isNull(0) ? nil : row.integer(0) } ?? nil
    }

    /// Result rows read on this connection: a deterministic measure of work for
    /// tests (changes-since must read in proportion to the changes).
    package var rowsRead: Int { counters.rowsRead }
    /// Statements run on this connection: what a change costs in SQL, for benchmarks.
    package var statementsRun: Int { counters.statementsRun }
    /// SQLite's virtual machine steps on this connection (`ConnectionCounters.vmSteps`): work
    /// that grows with the rows a statement visits, for tests that it does not grow with a store.
    package var vmSteps: Int { counters.vmSteps }
    /// Write points reached on this connection, never reset (see `ConnectionCounters.writeGeneration`).
    package var writeGeneration: Int { counters.writeGeneration }
}

/// What a connection counts, and the write it is told to fail (tests' fault
/// injection), kept apart from either backend so both count alike.
package final class ConnectionCounters {
    /// Result rows stepped through.
    package var rowsRead = 0
    /// Statements run (`run`, `insert`, `forEach`, `first`).
    package var statementsRun = 0
    /// SQLite's virtual machine steps (SQLite only): the rows statements visited, whether or
    /// not they returned them (a `count(*)` returns one row and visits every row it counts).
    package var vmSteps = 0
    /// Write points (a commit, or a statement run outside a transaction) counted so far.
    package var writePoints = 0
    /// Write points reached so far, never reset: a lookup made at one value is
    /// stale once it moved (`ItemChange.Lookup`).
    package private(set) var writeGeneration = 0
    /// The write point to fail (1-based) and whether every later one fails too
    /// (a process that died there); nil injects nothing.
    package var failingWrite: (at: Int, andAfter: Bool)?

    package init() {}

    /// Counts a write point and fails it when fault injection says so.
    package func writePoint(_ sql: String) throws(StoreError) {
        writeGeneration += 1
        writePoints += 1
        guard let failing = failingWrite, writePoints == failing.at || (failing.andAfter && writePoints > failing.at) else { return }
        throw StoreError(.sqlite, "injected write failure at write \(writePoints)", resultCode: 10, sql: sql) // SQLITE_IOERR
    }
}
