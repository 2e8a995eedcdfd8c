private import CSQLite

/// The current row of a query, lent to the closure that reads it and valid
/// only there (non-copyable, so it cannot escape).
///
/// On SQLite the columns are read straight from the statement, without a copy
/// of the row; a PostgreSQL connection lends the row's decoded values. Each
/// read checks which of the two it is (a nil test), so the hot SQLite path
/// allocates nothing and goes through no existential. Reads follow SQLite's
/// conversions: NULL reads as 0, "" or no bytes.
package struct Row: ~Copyable {
    /// The SQLite statement stepped to this row, or nil for a row of values.
    private let statement: OpaquePointer?
    private let values: [SQLValue]

    /// The row a SQLite statement is stepped to.
    init(statement: OpaquePointer) {
        self.statement = statement
        values = []
    }

    /// A row of values read from another backend, column 0 first.
    package init(values: [SQLValue]) {
        statement = nil
        self.values = values
    }

    private func value(_ column: Int32) -> SQLValue {
        Int(column) < values.count ? values[Int(column)] : .null
    }

    package func isNull(_ column: Int32) -> Bool {
        if let statement { return sqlite3_column_type(statement, column) == SQLITE_NULL }
        return value(column) == .null
    }

    package func integer(_ column: Int32) -> Int64 {
        if let statement { return sqlite3_column_int64(statement, column) }
        switch value(column) {
        case .integer(let value): return value
        case .real(let value): return Int64(exactly: value.rounded(.towardZero)) ?? 0
        case .text(let text): return Int64(text) ?? 0
        case .null, .blob: return 0
        }
    }

    package func real(_ column: Int32) -> Double {
        if let statement { return sqlite3_column_double(statement, column) }
        switch value(column) {
        case .integer(let value): return Double(value)
        case .real(let value): return value
        case .text(let text): return Double(text) ?? 0
        case .null, .blob: return 0
        }
    }

    package func text(_ column: Int32) -> String {
        if let statement {
            guard let text = sqlite3_column_text(statement, column) else { return "" }
            return String(cString: text)
        }
        switch value(column) {
        case .text(let text): return text
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        case .blob(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .null: return ""
        }
    }

    package func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

    package func blob(_ column: Int32) -> [UInt8] {
        if let statement {
            let count = Int(sqlite3_column_bytes(statement, column))
            guard count > 0, let bytes = sqlite3_column_blob(statement, column) else { return [] }
            return Array(UnsafeRawBufferPointer(start: bytes, count: count))
        }
        switch value(column) {
        case .blob(let bytes): return bytes
        case .text(let text): return Array(text.utf8)
        case .null, .integer, .real: return []
        }
    }

    package func optionalBlob(_ column: Int32) -> [UInt8]? { isNull(column) ? nil : blob(column) }

    /// Whether the column holds a blob (not text, a number or NULL).
    package func isBlob(_ column: Int32) -> Bool {
        if let statement { return sqlite3_column_type(statement, column) == SQLITE_BLOB }
        if case .blob = value(column) { return true }
        return false
    }

    /// The size in bytes of a text or blob column, without reading it.
    package func byteCount(_ column: Int32) -> Int {
        if let statement { return Int(sqlite3_column_bytes(statement, column)) }
        switch value(column) {
        case .blob(let bytes): return bytes.count
        case .text(let text): return text.utf8.count
        case .integer, .real: return text(column).utf8.count
        case .null: return 0
        }
    }
}
