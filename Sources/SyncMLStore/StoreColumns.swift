internal import Foundation
internal import SyncMLRecords

/// The store's columns as Swift values, and back. Each conversion between what
/// a column holds and the type it means is written here once; a value that does
/// not read back (a damaged file, a row written by hand) is a `.corruptRow`
/// error, never a guess.
extension SyncStore {
    /// An item's current state (`items`, read as `ItemRow.columns`).
    struct ItemRow: Sendable, Hashable {
        var id: Int64
        var guid: String
        var type: String
        var fingerprint: Fingerprint?
        var deleted: Bool
        var version: Int64

        init(id: Int64, guid: String, type: String, fingerprint: Fingerprint?, deleted: Bool, version: Int64) {
            (self.id, self.guid, self.type, self.fingerprint, self.deleted, self.version) = (id, guid, type, fingerprint, deleted, version)
        }

        init(_ row: borrowing Row) throws(StoreError) {
            self.init(id: row.integer(0), guid: row.text(1), type: row.text(2), fingerprint: try SyncStore.fingerprint(row.optionalBlob(3)),
                      deleted: row.integer(4) != 0, version: row.integer(5))
        }

        var stored: StoredItem {
            StoredItem(guid: guid, type: type, fingerprint: fingerprint, deleted: deleted, version: version)
        }

        /// The columns `init(_:)` reads, of `items` unaliased. An item's fingerprint is
        /// the one waiting out of the index when an edit left it there
        /// (`fingerprint_unindexed`, schema 13), else the indexed one.
        static let columns = columns(of: "items")
        /// `columns` of `items` named `i` in the statement.
        static let aliasedColumns = columns(of: "i")

        private static func columns(of table: String) -> String {
            "\(table).id, \(table).guid, \(table).type, coalesce(\(table).fingerprint_unindexed, \(table).fingerprint), \(table).deleted, \(table).version"
        }

        /// A lookup of live items by fingerprint that reads only the two indexes that
        /// hold fingerprints: a `UNION ALL` of one arm over `items_fingerprint` (items whose
        /// fingerprint is indexed and not overridden by a waiting one) and one over
        /// `items_fingerprint_unindexed`. Each arm reads the six columns `init(_:)` reads, then
        /// `extraColumns`; `join` follows `FROM items i`; `test` is the fingerprint's
        /// comparison (`= ?`, `IN (...)`); `condition` is appended to both arms' WHERE.
        /// Each arm binds, in order: `join`'s values, the datastore, `test`'s, `condition`'s;
        /// the caller passes them twice.
        static func byFingerprint(test: String, extraColumns: String = "", join: String = "", condition: String = "") -> String {
            func arm(reading column: String, where filter: String) -> String {
                """
                SELECT i.id, i.guid, i.type, \(column), i.deleted, i.version\(extraColumns) FROM items i \(join)
                WHERE i.datastore_id = ? AND i.deleted = 0 AND \(filter) \(test) \(condition)
                """
            }
            return arm(reading: "i.fingerprint", where: "i.fingerprint_pending IS NULL AND i.fingerprint_unindexed IS NULL AND i.fingerprint")
                + "\nUNION ALL\n" + arm(reading: "i.fingerprint_unindexed", where: "i.fingerprint_unindexed")
        }
    }

    /// One version of an item (`journal`, read as `seq, item_id, op, fingerprint, match_keys, payload`).
    struct VersionRow {
        var seq: Int64
        var itemID: Int64
        var op: ChangeOperation
        var fingerprint: Fingerprint?
        /// Its match keys' digests, as journaled.
        var keys: [Int64]
        /// The payload frame as stored (reused as it is when the version is written again).
        var frame: [UInt8]?

        init(_ row: borrowing Row) throws(StoreError) {
            seq = row.integer(0)
            itemID = row.integer(1)
            op = try SyncStore.operation(row.integer(2))
            fingerprint = try SyncStore.fingerprint(row.optionalBlob(3))
            guard row.isNull(4) || row.isBlob(4) else { throw StoreError(.corruptRow, "journal row \(seq) holds match keys that are not digests") }
            keys = try SyncStore.digests(row.optionalBlob(4))
            frame = row.optionalBlob(5)
        }
    }

    /// A journal row as `JournalEntry` (read as `seq, op, fingerprint, time, device_id, session_id, length(payload)`,
    /// from column `first` on).
    static func entry(_ row: borrowing Row, from first: Int32 = 0, guid: String) throws(StoreError) -> JournalEntry {
        JournalEntry(sequence: row.integer(first), guid: guid, operation: try operation(row.integer(first + 1)),
                     fingerprint: try fingerprint(row.optionalBlob(first + 2)), time: date(row.integer(first + 3)),
                     device: row.isNull(first + 4) ? nil : DeviceID(rawValue: row.integer(first + 4)),
                     session: row.isNull(first + 5) ? nil : SessionID(rawValue: row.integer(first + 5)), storedBytes: Int(row.integer(first + 6)))
    }

    // MARK: Columns

    /// A `fingerprint` column: 16 bytes (`Fingerprint.bytes`), or NULL for none.
    static func fingerprint(_ bytes: [UInt8]?) throws(StoreError) -> Fingerprint? {
        guard let bytes else { return nil }
        guard bytes.count == 16 else { throw StoreError(.corruptRow, "a fingerprint of \(bytes.count) bytes instead of 16") }
        var high: UInt64 = 0, low: UInt64 = 0
        for index in 0..<8 {
            high |= UInt64(bytes[index]) << (8 * index)
            low |= UInt64(bytes[8 + index]) << (8 * index)
        }
        return Fingerprint(high: high, low: low)
    }

    /// An `op` column: `ChangeOperation`'s raw value.
    static func operation(_ code: Int64) throws(StoreError) -> ChangeOperation {
        guard let operation = ChangeOperation(rawValue: Int(code)) else { throw StoreError(.corruptRow, "unknown journal operation \(code)") }
        return operation
    }

    /// A `sessions.state` column: `SessionState`'s raw value.
    static func sessionState(_ text: String) throws(StoreError) -> SessionState {
        guard let state = SessionState(rawValue: text) else { throw StoreError(.corruptRow, "unknown session state '\(text)'") }
        return state
    }

    /// The journal's `match_keys` column: the digests (`MatchKey.IndexKey.digest`)
    /// as 8-byte little-endian words; NULL for a delete.
    static func digests(_ bytes: [UInt8]?) throws(StoreError) -> [Int64] {
        guard let bytes else { return [] }
        guard bytes.count % 8 == 0 else { throw StoreError(.corruptRow, "match keys of \(bytes.count) bytes, not a multiple of 8") }
        return stride(from: 0, to: bytes.count, by: 8).map { start in
            var word: UInt64 = 0
            for index in 0..<8 { word |= UInt64(bytes[start + index]) << (8 * index) }
            return Int64(bitPattern: word)
        }
    }

    /// What separated the stored forms in the journal's `match_keys` text before
    /// schema version 5 (read only by that migration).
    static let keySeparator: Character = "\u{1F}"

    /// Times are milliseconds since 1970.
    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}

extension SQLValue {
    static func fingerprint(_ fingerprint: Fingerprint?) -> SQLValue { fingerprint.map { .blob($0.bytes) } ?? .null }
    static func id(_ id: (some RawRepresentable<Int64>)?) -> SQLValue { id.map { .integer($0.rawValue) } ?? .null }
    static func state(_ state: SessionState) -> SQLValue { .text(state.rawValue) }
    /// The journal's `match_keys` column for a version with these key digests.
    static func digests(_ digests: [Int64]) -> SQLValue {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digests.count * 8)
        for digest in digests {
            let word = UInt64(bitPattern: digest)
            for index in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: word >> (8 * index))) }
        }
        return .blob(bytes)
    }
}
