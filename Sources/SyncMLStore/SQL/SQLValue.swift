/// A value bound to or read from an SQL statement: SQLite's five storage
/// classes. The store's own types become these at its SQL boundary
/// (`StoreColumns.swift`), never past it.
package enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}
