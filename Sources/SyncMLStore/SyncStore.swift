public import Foundation

/// The server's memory: per user and datastore every item, every change (the
/// journal), and per device what it has acknowledged, its LUID maps, anchors
/// and sessions. One connection, confined to this actor: a SQLite file
/// (`init(path:)`), or a PostgreSQL database (`SyncMLPostgres`); the logic is
/// the same for both (`StoreConnection`).
///
/// Its work is in files by job: `+Identity` (users, datastores, devices),
/// `+Users` and `+Nonces` (passwords, MD5 auth), `+Anchors` (device state),
/// `+Sessions`, `+Apply` (client changes into the journal), `+Items`
/// (lookups), `+Changes` (changes-since), `+Maps` (LUIDs), `+History`
/// (history, restore, undo), `+Compaction`, `+HostTokens`, `+Dedupe`,
/// `+Overview` (inspection); the connection interface is in `SQL/`, the SQLite
/// layer in `SQLite/`, and every column's conversion in `StoreColumns.swift`.
///
/// See docs/STORE.md for the schema, echo suppression, collapsing, undo and
/// compaction rules.
public actor SyncStore {
    let database: any StoreConnection
    let codec: PayloadCodec
    private let clock: @Sendable () -> Date
    private let executor = StoreExecutor()
    /// Edited fingerprints a datastore leaves out of `items_fingerprint` before the batch
    /// that passes this moves them in (`unindexedFingerprintLimit`; tests set a small one).
    package var unindexedFingerprintLimit = SyncStore.unindexedFingerprintLimit

    /// The store runs on a serial queue of its own (`StoreExecutor`): its calls block
    /// on disk or network, and must not hold a thread of the concurrency pool.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// True when the calling code runs on this store's queue (for tests of
    /// types that share its executor).
    package nonisolated var isCallerOnItsQueue: Bool { executor.isCurrent }

    /// Opens (creating and migrating if needed) the store at `path`
    /// (":memory:" for a private in-memory store).
    public init(path: String, useDictionary: Bool = true, clock: @escaping @Sendable () -> Date = { Date() }) throws(StoreError) {
        let database = try Database(path: path)
        try Migrations.migrate(database)
        self.init(connection: database, useDictionary: useDictionary, clock: clock)
    }

    /// A store on `connection`, whose schema is already at `Migrations.latest`
    /// (another backend's opener, such as `SyncMLPostgres`, creates it).
    package init(connection: any StoreConnection, useDictionary: Bool = true, clock: @escaping @Sendable () -> Date = { Date() }) {
        database = connection
        codec = PayloadCodec(useDictionary: useDictionary)
        self.clock = clock
    }

    /// Sets `unindexedFingerprintLimit` (tests).
    package func setUnindexedFingerprintLimit(_ limit: Int) { unindexedFingerprintLimit = limit }

    /// Now, as the store writes times.
    var nowMillis: Int64 { Self.millis(clock()) }

    /// Runs `body` on the store in one transaction: every write it makes lands, or none
    /// (for a client's version and the server's answer to it, say).
    public func atomically<T: Sendable>(_ body: @Sendable (isolated SyncStore) throws(StoreError) -> T) throws(StoreError) -> T {
        try database.transaction { () throws(StoreError) -> T in try body(self) }
    }

    /// Writes a consistent copy of the whole store to the SQLite file `path`
    /// (`VACUUM INTO`): for a dry run against real data that must not change.
    /// A PostgreSQL store has no such copy: `.unsupported`.
    public func copy(to path: String) throws(StoreError) {
        try database.copy(to: path)
    }

    /// Bytes the store occupies: for SQLite page_count × page_size after a WAL
    /// checkpoint; for PostgreSQL its tables with their indexes and TOAST.
    public func fileSize() throws(StoreError) -> Int {
        try database.storedBytes(settled: true)
    }

    // MARK: For tests and maintenance tools of this package

    /// `PRAGMA integrity_check`: ["ok"] when sound.
    package func integrityCheck() throws(StoreError) -> [String] { try database.integrityCheck() }

    /// Records whose fast-path frame failed its read-back check and went to zlib
    /// instead, since the store opened (expected: 0; `syncml_frame_fast_path_rejections_total`).
    package var fastPathRejections: Int { codec.fastPathRejections }

    /// SQL statements run so far on the store's connection (for benchmarks).
    package var statementsRun: Int { database.statementsRun }

    /// Every table of the store's schema, by name (`TransferTable.storeTables`).
    package static var tableNames: [String] { TransferTable.storeTables }

    /// Numbers of rows per table.
    package func rowCount(_ table: String) throws(StoreError) -> Int {
        guard Self.tableNames.contains(table) else {
            throw StoreError(.invalidArgument, "no table \(table)")
        }
        return Int(try database.integer("SELECT count(*) FROM \(table)") ?? 0)
    }

    /// Runs `body` with the connection, on the actor.
    package func withDatabase<T: Sendable>(_ body: (any StoreConnection) throws(StoreError) -> T) throws(StoreError) -> T {
        try body(database)
    }

    /// The SQL dialect of the store's connection (which backend it is).
    package var dialect: SQLDialect { database.dialect }

    /// Fault injection for tests: write points counted so far (commits and
    /// statements outside a transaction).
    var writePoints: Int { database.counters.writePoints }

    /// Fault injection for tests: write point `at` (counted from now, 1-based)
    /// fails with an I/O error, and with `andAfter` every later one too (the
    /// process died there); nil stops injecting.
    func failWrite(at point: Int?, andAfter: Bool = false) {
        database.counters.writePoints = 0
        database.counters.failingWrite = point.map { ($0, andAfter) }
    }
}
