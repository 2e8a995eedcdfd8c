/// One table as `SyncStore.transfer(into:)` copies it: its columns with the kind
/// of value each holds, the key its rows are read in order of, and the column
/// whose PostgreSQL identity sequence must continue after the copied values.
struct TransferTable: Sendable {
    enum Kind: Sendable { case integer, text, blob }

    let name: String
    let columns: [String]
    let kinds: [Kind]
    /// Positions in `columns` of the primary key: rows are read in its order, a batch at a time.
    let key: [Int]
    let identity: String?

    init(_ name: String, _ columns: KeyValuePairs<String, Kind>, key: [String], identity: String? = nil) {
        self.name = name
        self.columns = columns.map(\.key)
        self.kinds = columns.map(\.value)
        self.key = key.map { name in columns.firstIndex { $0.key == name }! }
        self.identity = identity
    }

    /// Every table of the store, in an order their foreign keys accept (docs/STORE.md
    /// has the schema). A table the schema gains must be added here or to `notCopied`:
    /// `StoreTransferTests` compares this list with the store's tables.
    static let all: [TransferTable] = [
        TransferTable("users", ["id": .integer, "name": .text, "created": .integer, "password_hash": .text, "md5_secret": .text,
                                "md5_enabled": .integer], key: ["id"], identity: "id"),
        TransferTable("datastores", ["id": .integer, "user_id": .integer, "name": .text, "keys_pending_from": .integer,
                                     "fingerprints_unindexed": .integer],
                      key: ["id"], identity: "id"),
        TransferTable("devices", ["id": .integer, "user_id": .integer, "dev_id": .text, "devinf": .blob, "devinf_time": .integer,
                                  "nonce": .text], key: ["id"], identity: "id"),
        TransferTable("device_datastores", ["device_id": .integer, "datastore_id": .integer, "last_anchor": .text, "next_anchor": .text,
                                            "acked_seq": .integer, "client_type": .text, "previous_anchor": .text],
                      key: ["device_id", "datastore_id"]),
        TransferTable("sessions", ["id": .integer, "device_id": .integer, "session_key": .text, "kind": .text, "state": .text,
                                   "started": .integer, "ended": .integer, "resume_state": .blob, "undoes": .integer], key: ["id"], identity: "id"),
        TransferTable("items", ["id": .integer, "datastore_id": .integer, "guid": .text, "type": .text, "fingerprint": .blob,
                                "deleted": .integer, "version": .integer, "fingerprint_pending": .integer,
                                "fingerprint_unindexed": .blob], key: ["id"], identity: "id"),
        TransferTable("journal", ["seq": .integer, "datastore_id": .integer, "item_id": .integer, "op": .integer, "prev_seq": .integer,
                                  "fingerprint": .blob, "match_keys": .blob, "payload": .blob, "time": .integer, "device_id": .integer,
                                  "session_id": .integer], key: ["seq"], identity: "seq"),
        TransferTable("maps", ["device_id": .integer, "datastore_id": .integer, "luid": .text, "item_id": .integer],
                      key: ["device_id", "datastore_id", "luid"]),
        TransferTable("match_keys", ["datastore_id": .integer, "key": .integer, "item_id": .integer], key: ["datastore_id", "key", "item_id"]),
        TransferTable("host_tokens", ["datastore_id": .integer, "token": .text], key: ["datastore_id"]),
        TransferTable("server_secrets", ["name": .text, "value": .blob], key: ["name"]),
        TransferTable("challenge_uses", ["user_name": .text, "dev_id": .text, "time_window": .integer, "generation": .integer],
                      key: ["user_name", "dev_id", "time_window"]),
    ]

    /// Tables a transfer leaves behind: PostgreSQL's record of its schema version
    /// (each backend keeps its own), and the sessions servers are running
    /// (`live_sessions` and its rows: a store is moved with its servers stopped, which suspends
    /// their sessions into `sessions` for a resume), and `compaction_pending`: with the
    /// watermark `datastores.compacted_through` left at 0 in the copy, its first
    /// compaction collects every changed item again.
    static let notCopied: Set<String> = ["syncml_schema", "live_sessions", "live_session_items", "live_session_queue", "compaction_pending"]

    /// Every table of the store's schema (both backends), by name: those a
    /// transfer copies and those it leaves behind, less PostgreSQL's own record
    /// of its version. The one list `rowCount` and PostgreSQL's integrity check use.
    static var storeTables: [String] {
        all.map(\.name) + notCopied.subtracting(["syncml_schema"]).sorted()
    }

    /// Up to `limit` rows after the row whose key is `after` (from the start when nil), in key order.
    func select(after: [SQLValue]?, limit: Int) -> (sql: String, values: [SQLValue]) {
        let keyColumns = key.map { columns[$0] }.joined(separator: ", ")
        var sql = "SELECT \(columns.joined(separator: ", ")) FROM \(name)"
        if after != nil {
            sql += " WHERE (\(keyColumns)) > (\(Array(repeating: "?", count: key.count).joined(separator: ", ")))"
        }
        sql += " ORDER BY \(keyColumns) LIMIT \(limit)"
        return (sql, after ?? [])
    }

    /// A row's values, each read as its column's kind.
    func values(_ row: borrowing Row) -> [SQLValue] {
        var values: [SQLValue] = []
        values.reserveCapacity(columns.count)
        for (index, kind) in kinds.enumerated() {
            let column = Int32(index)
            guard !row.isNull(column) else { values.append(.null); continue }
            switch kind {
            case .integer: values.append(.integer(row.integer(column)))
            case .text: values.append(.text(row.text(column)))
            case .blob: values.append(.blob(row.blob(column)))
            }
        }
        return values
    }

    /// A multi-row INSERT of `count` rows.
    func insert(_ count: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        return "INSERT INTO \(name)(\(columns.joined(separator: ", "))) VALUES " + Array(repeating: row, count: count).joined(separator: ", ")
    }

    /// Rows per INSERT: well under SQLite's smallest limit of bound values (999).
    var rowsPerInsert: Int { max(1, 900 / columns.count) }
}

/// What `SyncStore.transfer(into:)` copied and checked.
public struct StoreTransferReport: Sendable, Equatable {
    /// Rows copied per table, in the order they were copied.
    public var rows: [(table: String, count: Int)]
    /// Fingerprints of items and journal versions read back equal from the destination.
    public var fingerprints: Int

    /// Rows copied in `table`.
    public func count(_ table: String) -> Int { rows.first { $0.table == table }?.count ?? 0 }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.fingerprints == rhs.fingerprints && lhs.rows.map(\.table) == rhs.rows.map(\.table) && lhs.rows.map(\.count) == rhs.rows.map(\.count)
    }
}

extension SyncStore {
    /// Copies this whole store into `destination` — every user, item, version of
    /// the journal, device, map, anchor, session and nonce secret, with their ids
    /// and sequence numbers — then reads every row back from both and compares
    /// them. This is how a store moves between SQLite and PostgreSQL (`syncml migrate`).
    ///
    /// `destination` must be empty (`.invalidArgument` otherwise, nothing written) and
    /// is written in one transaction: after a failure it is as empty as before. Rows
    /// are read `batchSize` at a time in key order, so memory stays flat however big
    /// the store. A row that differs when read back is `.corruptRow`. Nothing else
    /// should write to either store meanwhile (stop the servers).
    ///
    /// - Parameters:
    ///   - destination: an empty store, of either backend.
    ///   - batchSize: rows read and written at a time.
    ///   - progress: called after each batch with the table and the rows copied of it so far.
    public func transfer(into destination: SyncStore, batchSize: Int = 500,
                         progress: @Sendable (String, Int) -> Void = { _, _ in }) async throws(StoreError) -> StoreTransferReport {
        guard destination !== self else { throw StoreError(.invalidArgument, "a store cannot be copied into itself") }
        guard batchSize > 0 else { throw StoreError(.invalidArgument, "the batch size must be positive") }
        try await destination.beginReceiving()
        var report = StoreTransferReport(rows: [], fingerprints: 0)
        do {
            for table in TransferTable.all {
                var copied = 0
                var after: [SQLValue]?
                while true {
                    let rows = try transferRows(of: table, after: after, limit: batchSize)
                    guard let last = rows.last else { break }
                    try await destination.receive(rows, into: table)
                    copied += rows.count
                    progress(table.name, copied)
                    after = table.key.map { last[$0] }
                }
                report.rows.append((table.name, copied))
            }
            try await destination.finishReceiving()
        } catch {
            await destination.abandonReceiving()
            throw error
        }
        report.fingerprints = try await compare(with: destination, batchSize: batchSize)
        return report
    }

    /// Reads every table from here and from `other` in key order and fails on the first
    /// row that differs; returns how many non-null fingerprints were compared.
    private func compare(with other: SyncStore, batchSize: Int) async throws(StoreError) -> Int {
        var fingerprints = 0
        for table in TransferTable.all {
            let fingerprint = table.columns.firstIndex(of: "fingerprint")
            var after: [SQLValue]?
            while true {
                let mine = try transferRows(of: table, after: after, limit: batchSize)
                let theirs = try await other.transferRows(of: table, after: after, limit: batchSize)
                guard mine == theirs else {
                    let at = zip(mine, theirs).first { $0 != $1 }?.0 ?? (mine.count > theirs.count ? mine[theirs.count] : theirs[mine.count])
                    throw StoreError(.corruptRow, "the copy of \(table.name) differs at the row with key \(table.key.map { at[$0] })")
                }
                guard let last = mine.last else { break }
                if let fingerprint { fingerprints += mine.filter { $0[fingerprint] != .null }.count }
                after = table.key.map { last[$0] }
            }
        }
        return fingerprints
    }

    /// Up to `limit` rows of `table` after the key `after`.
    func transferRows(of table: TransferTable, after: [SQLValue]?, limit: Int) throws(StoreError) -> [[SQLValue]] {
        let query = table.select(after: after, limit: limit)
        var rows: [[SQLValue]] = []
        try database.forEach(query.sql, query.values) { row in rows.append(table.values(row)) }
        return rows
    }

    /// Opens the transaction a transfer writes in, once sure the store holds nothing.
    private func beginReceiving() throws(StoreError) {
        guard !database.isInTransaction else { throw StoreError(.invalidArgument, "the destination is in a transaction") }
        for table in TransferTable.all where try database.integer("SELECT count(*) FROM (SELECT 1 FROM \(table.name) LIMIT 1) AS any_row") != 0 {
            throw StoreError(.invalidArgument, "the destination is not empty (its \(table.name) table has rows); nothing was written")
        }
        try database.beginTransaction()
    }

    private func receive(_ rows: [[SQLValue]], into table: TransferTable) throws(StoreError) {
        var start = rows.startIndex
        while start < rows.endIndex {
            let end = min(start + table.rowsPerInsert, rows.endIndex)
            try database.run(table.insert(end - start), Array(rows[start..<end].joined()))
            start = end
        }
    }

    /// Moves PostgreSQL's identity sequences past the copied ids, then commits.
    private func finishReceiving() throws(StoreError) {
        if database.dialect == .postgres {
            for table in TransferTable.all {
                guard let column = table.identity else { continue }
                try database.run("""
                    SELECT setval(pg_get_serial_sequence('\(table.name)', '\(column)'), (SELECT coalesce(max(\(column)), 0) + 1 FROM \(table.name)), false)
                    """)
            }
        }
        try database.counters.writePoint("COMMIT")
        try database.commitTransaction()
    }

    private func abandonReceiving() {
        if database.isInTransaction { try? database.rollbackTransaction() }
    }
}
