private import CSQLite

/// A prepared statement, owned by its connection's `StatementCache` and
/// finalized when released.
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

    /// Ready for the next use: not stepping, no values bound.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds `values` to the parameters, in order, runs `body` while they are
    /// bound, then resets the statement with its bindings cleared.
    ///
    /// Text and blobs are bound where they lie (`SQLITE_STATIC`), not copied by
    /// SQLite: each is bound inside its own `withUnsafeBytes` scope, the next ones
    /// and `body` nested within it, and the statement is reset (its bindings
    /// cleared) as `body` ends, inside the innermost scope, so SQLite never holds a
    /// pointer past them. (A copy per text and blob was a malloc, a memcpy and a
    /// free per payload, fingerprint and LUID written.) A value that fails to bind
    /// resets the statement as its error leaves.
    func withBindings<R>(_ values: [SQLValue], _ body: () throws(StoreError) -> R) throws(StoreError) -> R {
        do {
            return try bind(values, from: 0, body)
        } catch {
            reset()
            throw error
        }
    }

    private func bind<R>(_ values: [SQLValue], from start: Int, _ body: () throws(StoreError) -> R) throws(StoreError) -> R {
        var offset = start
        while offset < values.count {
            let index = Int32(offset + 1)
            let next = offset + 1
            switch values[offset] {
            case .null: try check(sqlite3_bind_null(handle, index))
            case .integer(let v): try check(sqlite3_bind_int64(handle, index, v))
            case .real(let v): try check(sqlite3_bind_double(handle, index, v))
            case .text(var text):
                return try text.withUTF8 { utf8 in
                    Result { () throws(StoreError) -> R in
                        // As a C string, as before: up to the first NUL.
                        let length = utf8.firstIndex(of: 0) ?? utf8.count
                        if let base = utf8.baseAddress, length > 0 {
                            try check(sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(length), borrowed))
                        } else {
                            try check(sqlite3_bind_text(handle, index, "", 0, transient))
                        }
                        return try bind(values, from: next, body)
                    }
                }.get()
            case .blob(let bytes):
                return try bytes.withUnsafeBytes { bytes in
                    Result { () throws(StoreError) -> R in
                        // A zero-length blob, not NULL, for an empty array.
                        try check(sqlite3_bind_blob64(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), UInt64(bytes.count),
                                                      bytes.isEmpty ? transient : borrowed))
                        return try bind(values, from: next, body)
                    }
                }.get()
            }
            offset = next
        }
        defer { reset() }
        return try body()
    }

    private func check(_ code: Int32) throws(StoreError) {
        guard code == SQLITE_OK else { throw database.error(code, sql: sql) }
    }

    /// Advances: true when a row is available, false when done.
    func step() throws(StoreError) -> Bool {
        let code = sqlite3_step(handle)
        database.counters.vmSteps += Int(sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_VM_STEP, 1))
        switch code {
        case SQLITE_ROW:
            database.counters.rowsRead += 1
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
/// SQLite reads bound text and blobs where they lie until they are cleared (`SQLITE_STATIC`).
private let borrowed: sqlite3_destructor_type? = nil
