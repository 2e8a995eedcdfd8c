private import CSQLite

/// A value bound to or read from an SQL statement.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// One SQLite connection: WAL mode, a busy timeout, foreign keys on, and a
/// cache of prepared statements keyed by their SQL (prepared with
/// `SQLITE_PREPARE_PERSISTENT`, reset and reused).
///
/// Not thread-safe: a connection is confined to one serial executor — the
/// `SyncStore` actor that owns it. The only file besides `Statement` that
/// calls `sqlite3_*`.
public final class Database {
    let handle: OpaquePointer
    /// The file the connection opened (":memory:" for an in-memory database).
    public let path: String
    private var cache: [String: Statement] = [:]
    /// Result rows stepped through on this connection: a deterministic measure
    /// of work for tests (changes-since must read in proportion to the changes).
    public internal(set) var rowsRead = 0
    /// Fault injection for tests: write points (a commit, or a statement run
    /// outside a transaction) counted so far, and the one to fail (1-based) and
    /// whether every later one fails too (a process that died there).
    var writePoints = 0
    var failingWrite: (at: Int, andAfter: Bool)?

    /// Opens (creating if needed) the database at `path`.
    ///
    /// - Parameters:
    ///   - busyTimeout: milliseconds to wait for another connection's write lock.
    ///   - synchronousFull: `PRAGMA synchronous=FULL` instead of `NORMAL`. In WAL
    ///     mode NORMAL survives any process crash; FULL also survives power loss
    ///     for the last commits, at ~4× the commit cost.
    public init(path: String, busyTimeout: Int32 = 5000, synchronousFull: Bool = false) throws(StoreError) {
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
    }

    deinit {
        cache.removeAll() // finalizes every cached statement before the close
        sqlite3_close_v2(handle)
    }

    func error(_ code: Int32, sql: String?) -> StoreError {
        StoreError(.sqlite, String(cString: sqlite3_errmsg(handle)), resultCode: sqlite3_extended_errcode(handle), sql: sql)
    }

    /// Runs one or more statements without parameters (schema, pragmas).
    public func execute(_ sql: String) throws(StoreError) {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw error(code, sql: sql) }
    }

    /// The cached statement for `sql`, reset and with its bindings cleared.
    func statement(_ sql: String) throws(StoreError) -> Statement {
        if let cached = cache[sql] {
            cached.reset()
            return cached
        }
        let statement = try Statement(database: self, sql: sql, persistent: true)
        cache[sql] = statement
        return statement
    }

    /// Runs `sql` with `values` and returns the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> Int {
        if !isInTransaction { try writePoint(sql) }
        let statement = try statement(sql)
        try statement.bind(values)
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// Runs a query, calling `row` for each result row.
    public func forEach(_ sql: String, _ values: [SQLValue] = [], _ row: (borrowing Row) throws(StoreError) -> Void) throws(StoreError) {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(values)
        while try statement.step() { try row(Row(statement: statement)) }
    }

    /// The first row of a query mapped by `transform`, or nil when there is none.
    public func first<T>(_ sql: String, _ values: [SQLValue] = [], _ transform: (borrowing Row) throws(StoreError) -> T) throws(StoreError) -> T? {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(values)
        guard try statement.step() else { return nil }
        return try transform(Row(statement: statement))
    }

    /// The integer in the first column of the first row, or nil.
    public func integer(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> Int64? {
        try first(sql, values) { row in row.isNull(0) ? nil : row.integer(0) } ?? nil
    }

    /// The rowid of the last INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Whether a transaction is open.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in a transaction: `BEGIN IMMEDIATE` (the write lock up front,
    /// so two writers never deadlock upgrading), `COMMIT` when it returns,
    /// `ROLLBACK` when it throws. Nested calls use a savepoint.
    public func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        let nested = isInTransaction
        try execute(nested ? "SAVEPOINT nested" : "BEGIN IMMEDIATE")
        let value: T
        do {
            value = try body()
        } catch {
            if nested {
                try? execute("ROLLBACK TO nested")
                try? execute("RELEASE nested")
            } else if isInTransaction {
                try? execute("ROLLBACK")
            }
            throw error
        }
        if !nested {
            do {
                try writePoint("COMMIT")
            } catch {
                try? execute("ROLLBACK")
                throw error
            }
        }
        try execute(nested ? "RELEASE nested" : "COMMIT")
        return value
    }

    /// Counts a write point and fails it when fault injection says so.
    private func writePoint(_ sql: String) throws(StoreError) {
        writePoints += 1
        guard let failing = failingWrite, writePoints == failing.at || (failing.andAfter && writePoints > failing.at) else { return }
        throw StoreError(.sqlite, "injected write failure at write \(writePoints)", resultCode: 10, sql: sql) // SQLITE_IOERR
    }

    /// `PRAGMA user_version`: the schema version `Migrations` maintains.
    public func userVersion() throws(StoreError) -> Int {
        Int(try integer("PRAGMA user_version") ?? 0)
    }

    /// `PRAGMA integrity_check`: ["ok"] for a sound database, else the problems found.
    public func integrityCheck() throws(StoreError) -> [String] {
        var lines: [String] = []
        try forEach("PRAGMA integrity_check") { row in lines.append(row.text(0)) }
        return lines
    }
}

/// A prepared statement; finalized when released.
final class Statement {
    let handle: OpaquePointer
    let sql: String
    unowned let database: Database

    init(database: Database, sql: String, persistent: Bool) throws(StoreError) {
        var statement: OpaquePointer?
        let flags: UInt32 = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let code = sqlite3_prepare_v3(database.handle, sql, -1, flags, &statement, nil)
        guard code == SQLITE_OK, let statement else { throw database.error(code, sql: sql) }
        self.handle = statement
        self.sql = sql
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ values: [SQLValue]) throws(StoreError) {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(handle, index)
            case .integer(let v): code = sqlite3_bind_int64(handle, index, v)
            case .real(let v): code = sqlite3_bind_double(handle, index, v)
            case .text(let v): code = sqlite3_bind_text(handle, index, v, -1, transient)
            case .blob(let v):
                code = v.withUnsafeBytes { bytes in
                    // A zero-length blob, not NULL, for an empty array.
                    sqlite3_bind_blob64(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), UInt64(bytes.count), transient)
                }
            }
            guard code == SQLITE_OK else { throw database.error(code, sql: sql) }
        }
    }

    /// Advances: true when a row is available, false when done.
    func step() throws(StoreError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW:
            database.rowsRead += 1
            return true
        case SQLITE_DONE: return false
        default:
            let error = database.error(code, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }
}

/// SQLite copies bound text and blobs (`SQLITE_TRANSIENT`).
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// The current row of a query, valid only inside the closure it is lent to.
public struct Row: ~Copyable {
    fileprivate let statement: Statement

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement.handle, column) == SQLITE_NULL }
    public func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement.handle, column) }
    public func real(_ column: Int32) -> Double { sqlite3_column_double(statement.handle, column) }
    public func text(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(statement.handle, column) else { return "" }
        return String(cString: text)
    }
    public func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
    public func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement.handle, column))
        guard count > 0, let bytes = sqlite3_column_blob(statement.handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }
    public func optionalBlob(_ column: Int32) -> [UInt8]? { isNull(column) ? nil : blob(column) }
    /// The size in bytes of a text or blob column, without reading it.
    public func byteCount(_ column: Int32) -> Int { Int(sqlite3_column_bytes(statement.handle, column)) }
}
