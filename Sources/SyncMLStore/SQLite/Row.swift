private import CSQLite

/// The current row of a query, lent to the closure that reads it and valid
/// only there (non-copyable, so it cannot escape): columns are read straight
/// from the statement, without a copy of the row.
package struct Row: ~Copyable {
    let statement: Statement

    package func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement.handle, column) == SQLITE_NULL }
    package func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement.handle, column) }
    package func real(_ column: Int32) -> Double { sqlite3_column_double(statement.handle, column) }
    package func text(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(statement.handle, column) else { return "" }
        return String(cString: text)
    }
    package func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
    package func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement.handle, column))
        guard count > 0, let bytes = sqlite3_column_blob(statement.handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }
    package func optionalBlob(_ column: Int32) -> [UInt8]? { isNull(column) ? nil : blob(column) }
    /// Whether the column holds a blob (not text, a number or NULL).
    package func isBlob(_ column: Int32) -> Bool { sqlite3_column_type(statement.handle, column) == SQLITE_BLOB }
    /// The size in bytes of a text or blob column, without reading it.
    package func byteCount(_ column: Int32) -> Int { Int(sqlite3_column_bytes(statement.handle, column)) }
}
