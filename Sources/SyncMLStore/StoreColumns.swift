internal import Foundation
internal import SyncMLRecords

/// The store's columns as Swift values, and back. Each conversion between what
/// a column holds and the type it means is written here once; a value that does
/// not read back (a damaged file, a row written by hand) is a `.corruptRow`
/// error, never a guess.
extension SyncStore {
    /// An item's current state (`items`, read as `id, guid, type, fingerprint, deleted, version`).
    struct ItemRow {
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
    }

    /// One version of an item (`journal`, read as `seq, item_id, op, fingerprint, match_keys, payload`).
    struct VersionRow {
        var seq: Int64
        var itemID: Int64
        var op: ChangeOperation
        var fingerprint: Fingerprint?
        var keys: [MatchKey.IndexKey]
        /// The payload frame as stored (reused as it is when the version is written again).
        var frame: [UInt8]?

        init(_ row: borrowing Row) throws(StoreError) {
            seq = row.integer(0)
            itemID = row.integer(1)
            op = try SyncStore.operation(row.integer(2))
            fingerprint = try SyncStore.fingerprint(row.optionalBlob(3))
            keys = try SyncStore.matchKeys(row.optionalText(4))
            frame = row.optionalBlob(5)
        }
    }

    /// A journal row as `JournalEntry` (read as `seq, op, fingerprint, time, device_id, session_id, length(payload)`).
    static func entry(_ row: borrowing Row, guid: String) throws(StoreError) -> JournalEntry {
        JournalEntry(sequence: row.integer(0), guid: guid, operation: try operation(row.integer(1)),
                     fingerprint: try fingerprint(row.optionalBlob(2)), time: date(row.integer(3)),
                     device: row.isNull(4) ? nil : DeviceID(rawValue: row.integer(4)),
                     session: row.isNull(5) ? nil : SessionID(rawValue: row.integer(5)), storedBytes: Int(row.integer(6)))
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

    /// The journal's `match_keys` column: the stored forms, separated by U+001F; NULL for a delete.
    static func matchKeys(_ text: String?) throws(StoreError) -> [MatchKey.IndexKey] {
        guard let text, !text.isEmpty else { return [] }
        var keys: [MatchKey.IndexKey] = []
        for stored in text.split(separator: keySeparator) {
            keys.append(try matchKey(String(stored)))
        }
        return keys
    }

    /// A `match_keys.key` column: one stored form.
    static func matchKey(_ text: String) throws(StoreError) -> MatchKey.IndexKey {
        guard let key = MatchKey.IndexKey(storedForm: text) else { throw StoreError(.corruptRow, "'\(text)' is not a match key") }
        return key
    }

    static let keySeparator: Character = "\u{1F}"

    /// Times are milliseconds since 1970.
    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}

extension SQLValue {
    static func fingerprint(_ fingerprint: Fingerprint?) -> SQLValue { fingerprint.map { .blob($0.bytes) } ?? .null }
    static func id(_ id: (some RawRepresentable<Int64>)?) -> SQLValue { id.map { .integer($0.rawValue) } ?? .null }
    static func state(_ state: SessionState) -> SQLValue { .text(state.rawValue) }
    static func key(_ key: MatchKey.IndexKey) -> SQLValue { .text(key.storedForm) }
    /// The journal's `match_keys` column for a version with `keys`.
    static func keys(_ keys: [MatchKey.IndexKey]) -> SQLValue {
        var text = ""
        text.reserveCapacity(keys.reduce(keys.count) { $0 + $1.storedForm.utf8.count })
        for (index, key) in keys.enumerated() {
            if index > 0 { text.append(SyncStore.keySeparator) }
            text += key.storedForm
        }
        return .text(text)
    }
}
