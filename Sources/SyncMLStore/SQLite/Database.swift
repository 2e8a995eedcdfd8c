private import CSQLite

/// One SQLite connection: WAL mode, a busy timeout, foreign keys on, extended
/// result codes, and its prepared statements cached by SQL
/// (`Database+Statements.swift`); transactions are `StoreConnection`'s.
///
/// Not thread-safe: a connection is confined to one serial executor — the
/// `SyncStore` actor that owns it. With `Statement` and `Row`, the only code
/// that calls `sqlite3_*`; package-visible, so no SQLite type reaches a host app.
package final class Database: StoreConnection {
    let handle: OpaquePointer
    /// The file the connection opened (":memory:" for an in-memory database).
    package let path: String
    var statements = StatementCache()
    /// Rows read, statements run, and the write points fault injection counts.
    package let counters = ConnectionCounters()
    /// SQLite's SQL where the backends' texts differ.
    package var dialect: SQLDialect { .sqlite }
    package var lockScope: Int32 { 0 }

    /// Opens (creating if needed) the database at `path`.
    ///
    /// - Parameters:
    ///   - busyTimeout: milliseconds to wait for another connection's write lock.
    ///   - synchronousFull: `PRAGMA synchronous=FULL` (the default) instead of `NORMAL`.
    ///     In WAL mode NORMAL survives any process crash, but a power loss may take the
    ///     commits since the last checkpoint: a server would then have told a device
    ///     that changes are stored which are gone. FULL makes each commit durable when
    ///     it returns, for one fdatasync of the WAL per commit (measured here: 0.12 ms
    ///     of CPU and 0.3 ms of wall time a commit; the server commits once a message).
    package init(path: String, busyTimeout: Int32 = 5000, synchronousFull: Bool = true) throws(StoreError) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard let db else { throw StoreError(.sqlite, "cannot allocate a connection", resultCode: code) }
        guard code == SQLITE_OK else {
            let error = StoreError(.sqlite, String(cString: sqlite3_errmsg(db)), resultCode: sqlite3_extended_errcode(db))
            sqlite3_close_v2(db)
            throw error
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeout)
        if path != ":memory:" { try execute("PRAGMA journal_mode=WAL") }
        try execute(synchronousFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL")
        try execute("PRAGMA foreign_keys=ON")
        // 32 MiB of page cache instead of SQLite's 2 MiB: the indexes of a
        // slow sync's inserts (fingerprints, match keys, LUIDs) are random,
        // and with the small cache each insert re-read pages from the file
        // as the store grew, which made a sync's cost per item grow with it.
        try execute("PRAGMA cache_size=-32768")
        // Statement journals in memory: a multi-row INSERT (a batch's match keys) may
        // abort half done, so SQLite journals the pages it changes; on disk that spilled
        // to a temporary file past 64 KiB, doubling the kernel time of a slow sync's writes.
        try execute("PRAGMA temp_store=MEMORY")
        // The WAL folded back into the file every 10,000 pages (~40 MiB), not SQLite's 1,000:
        // a slow sync's commit rewrites ~1,400 random match-key and fingerprint index pages,
        // so at 1,000 every commit paid a checkpoint (copying its pages again, reading the
        // WAL back, two fsyncs); with ten commits a checkpoint, a page they share is copied
        // once. A process crash still loses no commit, and other processes read the WAL as
        // before. Under FULL (the default) a power loss loses no commit either; under NORMAL
        // it could lose those since the last checkpoint, up to ~40 MiB of them (docs/STORE.md).
        try execute("PRAGMA wal_autocheckpoint=\(Self.walAutocheckpointPages)")
    }

    /// WAL pages after which a commit checkpoints (see `init`).
    package static let walAutocheckpointPages = 10_000

    deinit {
        // Every statement is finalized before the close: with one still open,
        // sqlite3_close_v2 would leave a zombie connection until it goes.
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// The connection's last error as a `StoreError`, naming `sql`.
    func error(_ code: Int32, sql: String?) -> StoreError {
        StoreError(.sqlite, String(cString: sqlite3_errmsg(handle)), resultCode: sqlite3_extended_errcode(handle), sql: sql)
    }

    /// Runs one or more statements without parameters (schema, pragmas).
    package func execute(_ sql: String) throws(StoreError) {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw error(code, sql: sql) }
    }

    /// The rowid of the last INSERT on this connection.
    package var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Whether a transaction is open.
    package var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// The rows the last INSERT, UPDATE or DELETE changed.
    var changedRows: Int { Int(sqlite3_changes(handle)) }

    /// `BEGIN IMMEDIATE`: the write lock up front, so two writers never deadlock upgrading.
    package func beginTransaction() throws(StoreError) { try execute("BEGIN IMMEDIATE") }
    package func commitTransaction() throws(StoreError) { try execute("COMMIT") }
    package func rollbackTransaction() throws(StoreError) { try execute("ROLLBACK") }

    /// Bytes the database occupies (page_count × page_size); `settled` first
    /// checkpoints the WAL into the file (`wal_checkpoint(TRUNCATE)`).
    package func storedBytes(settled: Bool) throws(StoreError) -> Int {
        if settled { try execute("PRAGMA wal_checkpoint(TRUNCATE)") }
        let pages = try integer("PRAGMA page_count") ?? 0
        let size = try integer("PRAGMA page_size") ?? 0
        return Int(pages * size)
    }

    /// `VACUUM INTO`: a consistent copy while the store stays open.
    package func copy(to path: String) throws(StoreError) {
        try run("VACUUM INTO ?", [.text(path)])
    }

    /// `PRAGMA user_version`: the schema version `Migrations` maintains.
    package func userVersion() throws(StoreError) -> Int {
        Int(try integer("PRAGMA user_version") ?? 0)
    }

    /// `PRAGMA integrity_check`: ["ok"] for a sound database, else the problems found.
    package func integrityCheck() throws(StoreError) -> [String] {
        var lines: [String] = []
        try forEach("PRAGMA integrity_check") { row in lines.append(row.text(0)) }
        return lines
    }
}
