internal import Foundation
internal import Logging
internal import NIOCore
internal import NIOPosix
internal import PostgresNIO
internal import SyncMLStore

/// The store's connection to a PostgreSQL database, on postgres-nio: the
/// second implementation of `StoreConnection`, so `SyncStore`'s one logic runs
/// on it unchanged.
///
/// **Blocking.** The store's logic is synchronous inside a transaction (the
/// SQLite path must stay so: its statements take microseconds), so each
/// statement here waits for its round trip (`EventLoopFuture.wait()`) on the
/// store's actor, off the event loop. A spike measured 147 µs per round trip
/// blocking against 183 µs async (docs/SCALING.md); the cost is a thread of the
/// cooperative pool held for the wait, acceptable while one node has a few store
/// connections. A dedicated executor per store comes with the scale-out.
///
/// **SQL.** The store writes `?` placeholders; each statement text is numbered
/// (`$1`, `$2`, …) once and the result cached by text. Results come in binary
/// and are decoded into the values a `Row` lends (integers of every width and
/// booleans as integers, `bytea` as blobs, text as text), so the store's column
/// reads are the same on both backends.
final class PostgresStoreConnection: StoreConnection {
    private let connection: PostgresConnection
    private let logger: Logger
    private var numbered: [String: String] = [:]
    private var inTransaction = false
    private let inFlight = InFlightQuery()
    let counters = ConnectionCounters()
    var dialect: SQLDialect { .postgres }
    var isInTransaction: Bool { inTransaction }
    let lockScope: Int32

    /// Connects with `settings`, and sets the search path to its schema (created when
    /// missing if `creatingSchema`).
    init(settings: PostgresStore.Settings, creatingSchema: Bool = true) throws(StoreError) {
        var logger = Logger(label: "syncml.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        logger.logLevel = .critical
        self.logger = logger
        lockScope = Self.lockScope(schema: settings.schema ?? "public")
        let tls: PostgresConnection.Configuration.TLS
        if settings.requireTLS {
            do {
                tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            } catch {
                throw StoreError(.postgres, "cannot set up TLS: \(error)", resultCode: 10)
            }
        } else {
            tls = .disable
        }
        let configuration = PostgresConnection.Configuration(host: settings.host, port: settings.port, username: settings.user,
                                                             password: settings.password, database: settings.database, tls: tls)
        let future = PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration,
                                                id: 1, logger: logger)
        do {
            connection = try future.wait()
        } catch {
            throw Self.storeError(error, sql: nil, context: "cannot connect to \(settings.redactedURL)")
        }
        let inFlight = inFlight
        connection.closeFuture.whenComplete { _ in inFlight.close()?.fail(ConnectionClosed()) }
        if let schema = settings.schema {
            let quoted = "\"" + schema.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            if creatingSchema {
                // Nodes starting together on a new database: CREATE SCHEMA IF NOT EXISTS is not safe against a
                // concurrent one (a unique violation), so creations take turns (the lock is released at COMMIT).
                try execute("BEGIN")
                try execute("SELECT pg_advisory_xact_lock(\(PostgresSchema.creationLock), 0)")
                try execute("CREATE SCHEMA IF NOT EXISTS \(quoted)")
                try execute("COMMIT")
            }
            try execute("SET search_path TO \(quoted)")
        }
    }

    /// FNV-1a of the schema's name, folded to 32 bits: the same on every node.
    static func lockScope(schema: String) -> Int32 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in schema.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return Int32(truncatingIfNeeded: hash ^ (hash >> 32))
    }

    deinit {
        // Kept alive until the channel is closed: postgres-nio asserts that a connection is closed before it goes.
        let connection = connection
        connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    // MARK: Statements

    func execute(_ sql: String) throws(StoreError) {
        for statement in Self.split(sql) { _ = try query(statement, [], counted: false) }
    }

    @discardableResult
    func run(_ sql: String, _ values: [SQLValue]) throws(StoreError) -> Int {
        if !inTransaction { try counters.writePoint(sql) }
        return try query(sql, values).metadata.rows ?? 0
    }

    func insert(_ sql: String, _ values: [SQLValue], returning column: String) throws(StoreError) -> Int64 {
        if !inTransaction { try counters.writePoint(sql) }
        let result = try query(sql + " RETURNING " + column, values)
        guard let row = result.rows.first else { throw StoreError(.postgres, "an INSERT returned no row", sql: sql) }
        let values = try Self.values(row, sql: sql)
        return Row(values: values).integer(0)
    }

    func forEach(_ sql: String, _ values: [SQLValue], _ row: (borrowing Row) throws(StoreError) -> Void) throws(StoreError) {
        for result in try query(sql, values).rows {
            try row(Row(values: try Self.values(result, sql: sql)))
        }
    }

    func first<T>(_ sql: String, _ values: [SQLValue], _ transform: (borrowing Row) throws(StoreError) -> T) throws(StoreError) -> T? {
        guard let result = try query(sql, values).rows.first else { return nil }
        return try transform(Row(values: try Self.values(result, sql: sql)))
    }

    // MARK: Transactions

    func beginTransaction() throws(StoreError) {
        _ = try query("BEGIN", [], counted: false)
        inTransaction = true
    }

    /// PostgreSQL answers COMMIT of a transaction a failed statement aborted with
    /// ROLLBACK and no error: that is an error here, never a silent loss.
    func commitTransaction() throws(StoreError) {
        defer { inTransaction = false }
        let result = try query("COMMIT", [], counted: false)
        guard result.metadata.command == "COMMIT" else {
            throw StoreError(.postgres, "the transaction was rolled back (a statement in it had failed)", resultCode: 1, sql: "COMMIT")
        }
    }

    func rollbackTransaction() throws(StoreError) {
        defer { inTransaction = false }
        _ = try query("ROLLBACK", [], counted: false)
    }

    // MARK: The store as a whole

    /// The version `syncml_schema` records.
    func userVersion() throws(StoreError) -> Int {
        Int(try integer("SELECT version FROM syncml_schema") ?? 0)
    }

    /// PostgreSQL has no check of a whole database like SQLite's
    /// `integrity_check` (its `amcheck` extension is optional): ["ok"] when the
    /// server answers and every table the store needs is there.
    func integrityCheck() throws(StoreError) -> [String] {
        var missing: [String] = []
        for table in SyncStore.tableNames {
            if try integer("SELECT CASE WHEN to_regclass(?) IS NULL THEN 0 ELSE 1 END", [.text(table)]) != 1 {
                missing.append("table \(table) is missing")
            }
        }
        return missing.isEmpty ? ["ok"] : missing
    }

    /// The store's tables in its schema, with their indexes and TOAST
    /// (`pg_total_relation_size`); there is nothing to settle first.
    func storedBytes(settled: Bool) throws(StoreError) -> Int {
        Int(try integer("""
            SELECT CAST(coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bigint) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'
            """) ?? 0)
    }

    /// No file copy of a PostgreSQL store: use `pg_dump`, or a SQLite store for a dry run.
    func copy(to path: String) throws(StoreError) {
        throw StoreError(.unsupported, "a PostgreSQL store cannot be copied to a file: use pg_dump")
    }

    // MARK: The wire

    /// Sends one statement and waits for all of its rows.
    private func query(_ sql: String, _ values: [SQLValue], counted: Bool = true) throws(StoreError) -> PostgresQueryResult {
        if counted { counters.statementsRun += 1 }
        let text: String
        if let cached = numbered[sql] {
            text = cached
        } else {
            text = Self.numberingPlaceholders(sql)
            numbered[sql] = text
        }
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let value): bindings.append(value)
            case .real(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            case .blob(let value): bindings.append(ByteBuffer(bytes: value))
            }
        }
        do {
            // A query sent on a closed channel is never answered (its handler is gone): the wait is
            // for this promise, which the connection's close fails too.
            let promise = connection.eventLoop.makePromise(of: PostgresQueryResult.self)
            guard let id = inFlight.start(promise) else {
                promise.fail(ConnectionClosed()) // NIO requires every promise completed
                throw ConnectionClosed()
            }
            let inFlight = inFlight
            connection.query(PostgresQuery(unsafeSQL: text, binds: bindings), logger: logger).whenComplete { result in
                inFlight.finish(id)?.completeWith(result)
            }
            let result = try promise.futureResult.wait()
            counters.rowsRead += result.rows.count
            return result
        } catch {
            let failure = Self.storeError(error, sql: sql)
            if failure.resultCode == 10 { inTransaction = false } // the connection, and with it the transaction, is gone
            throw failure
        }
    }

    /// `?` placeholders as `$1`, `$2`, … in order; a `?` inside a quoted string or identifier stays.
    static func numberingPlaceholders(_ sql: String) -> String {
        var result = ""
        result.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quote: Character?
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                result.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                result.append(character)
            } else if character == "?" {
                number += 1
                result += "$\(number)"
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// The statements of a script, split at semicolons outside quotes.
    static func split(_ script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var quote: Character?
        for character in script {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == ";" {
                statements.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        statements.append(current)
        return statements.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// A result row's cells as the values a `Row` lends.
    static func values(_ row: PostgresRow, sql: String) throws(StoreError) -> [SQLValue] {
        var values: [SQLValue] = []
        values.reserveCapacity(row.count)
        for cell in row { values.append(try value(cell, sql: sql)) }
        return values
    }

    private static func value(_ cell: PostgresCell, sql: String) throws(StoreError) -> SQLValue {
        guard var bytes = cell.bytes else { return .null }
        if cell.format == .text {
            let text = bytes.readString(length: bytes.readableBytes) ?? ""
            switch cell.dataType {
            case .int2, .int4, .int8: return Int64(text).map(SQLValue.integer) ?? .text(text)
            case .bool: return .integer(text == "t" ? 1 : 0)
            default: return .text(text)
            }
        }
        switch cell.dataType {
        case .int8:
            if let value = bytes.readInteger(as: Int64.self) { return .integer(value) }
        case .int4:
            if let value = bytes.readInteger(as: Int32.self) { return .integer(Int64(value)) }
        case .int2:
            if let value = bytes.readInteger(as: Int16.self) { return .integer(Int64(value)) }
        case .bool:
            if let value = bytes.readInteger(as: UInt8.self) { return .integer(value == 0 ? 0 : 1) }
        case .float8:
            if let value = bytes.readInteger(as: UInt64.self) { return .real(Double(bitPattern: value)) }
        case .float4:
            if let value = bytes.readInteger(as: UInt32.self) { return .real(Double(Float(bitPattern: value))) }
        case .bytea:
            return .blob(Array(bytes.readableBytesView))
        case .numeric:
            if let value = try? cell.decode(Decimal.self) {
                return .integer(NSDecimalNumber(decimal: value).int64Value)
            }
        default:
            return .text(bytes.readString(length: bytes.readableBytes) ?? "")
        }
        throw StoreError(.postgres, "column \(cell.columnName) of type \(cell.dataType) does not read", sql: sql)
    }

    /// A postgres-nio error as a `StoreError` of kind `.postgres`, with the
    /// SQLite code of the same meaning, so callers check one code for both backends.
    static func storeError(_ error: any Error, sql: String?, context: String? = nil) -> StoreError {
        let prefix = context.map { $0 + ": " } ?? ""
        guard let error = error as? PSQLError else {
            return StoreError(.postgres, prefix + "\(error)", resultCode: 10, sql: sql)
        }
        if let info = error.serverInfo, let state = info[.sqlState] {
            var message = info[.message] ?? "error \(state)"
            if let detail = info[.detail] { message += " (\(detail))" }
            return StoreError(.postgres, prefix + message, resultCode: sqliteCode(forSQLState: state), sql: sql, sqlState: state)
        }
        var message = "\(error.code)"
        if let underlying = error.underlying { message += ": \(underlying)" }
        return StoreError(.postgres, prefix + message, resultCode: 10, sql: sql) // SQLITE_IOERR: the connection failed
    }

    /// The SQLite extended result code closest to a SQLSTATE.
    static func sqliteCode(forSQLState state: String) -> Int32 {
        switch state {
        case "23505": return 2067 // SQLITE_CONSTRAINT_UNIQUE
        case "23503": return 787 // SQLITE_CONSTRAINT_FOREIGNKEY
        case "23502": return 1299 // SQLITE_CONSTRAINT_NOTNULL
        case "23514": return 275 // SQLITE_CONSTRAINT_CHECK
        case "40001", "40P01", "55P03": return 5 // SQLITE_BUSY: serialization failure, deadlock, lock not available
        case "57014": return 9 // SQLITE_INTERRUPT
        default:
            if state.hasPrefix("23") { return 19 } // SQLITE_CONSTRAINT
            if state.hasPrefix("08") || state.hasPrefix("57P") || state.hasPrefix("58") { return 10 } // SQLITE_IOERR
            if state.hasPrefix("53") { return 13 } // SQLITE_FULL: insufficient resources
            return 1 // SQLITE_ERROR
        }
    }
}

/// The connection to the server is closed (the server ended it, or the network did).
struct ConnectionClosed: Error, CustomStringConvertible {
    var description: String { "the connection to the server is closed" }
}

/// The query a connection waits for, so that the connection's close fails it:
/// postgres-nio never answers a query written after (or while) its channel closes.
/// One at a time, as the store sends them; locked, since the close comes from the event loop.
final class InFlightQuery: @unchecked Sendable {
    private let lock = NSLock()
    private var closed = false
    private var pending: (id: Int, promise: EventLoopPromise<PostgresQueryResult>)?
    private var counter = 0

    /// Registers `promise` as the query waited for; nil when the connection is closed already.
    func start(_ promise: EventLoopPromise<PostgresQueryResult>) -> Int? {
        lock.withLock {
            if closed { return nil }
            counter += 1
            pending = (counter, promise)
            return counter
        }
    }

    /// The promise of query `id` to complete, unless the close completed it already.
    func finish(_ id: Int) -> EventLoopPromise<PostgresQueryResult>? {
        lock.withLock {
            guard let current = pending, current.id == id else { return nil }
            pending = nil
            return current.promise
        }
    }

    /// Marks the connection closed; the promise of the query waited for, if any, to fail.
    func close() -> EventLoopPromise<PostgresQueryResult>? {
        lock.withLock {
            closed = true
            defer { pending = nil }
            return pending?.promise
        }
    }
}
