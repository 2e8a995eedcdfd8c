/// Running SQL: each call takes the cached statement for its SQL, binds the
/// values, steps it and leaves it reset for the next use.
extension Database {
    /// Runs `sql` with `values` and returns the number of rows it changed.
    @discardableResult
    package func run(_ sql: String, _ values: [SQLValue]) throws(StoreError) -> Int {
        if !isInTransaction { try counters.writePoint(sql) }
        counters.statementsRun += 1
        let statement = try statements.statement(sql, in: self)
        return try statement.withBindings(values) { () throws(StoreError) -> Int in
            while try statement.step() {}
            return changedRows
        }
    }

    /// Runs an INSERT and returns `last_insert_rowid()` (the rowid is the integer primary key `column`).
    package func insert(_ sql: String, _ values: [SQLValue], returning column: String) throws(StoreError) -> Int64 {
        try run(sql, values)
        return lastInsertRowID
    }

    /// Runs a query, calling `row` for each result row.
    package func forEach(_ sql: String, _ values: [SQLValue], _ row: (borrowing Row) throws(StoreError) -> Void) throws(StoreError) {
        counters.statementsRun += 1
        let statement = try statements.statement(sql, in: self)
        try statement.withBindings(values) { () throws(StoreError) in
            while try statement.step() { try row(Row(statement: statement.handle)) }
        }
    }

    /// The first row of a query mapped by `transform`, or nil when there is none.
    package func first<T>(_ sql: String, _ values: [SQLValue], _ transform: (borrowing Row) throws(StoreError) -> T) throws(StoreError) -> T? {
        counters.statementsRun += 1
        let statement = try statements.statement(sql, in: self)
        return try statement.withBindings(values) { () throws(StoreError) -> T? in
            guard try statement.step() else { return nil }
            return try transform(Row(statement: statement.handle))
        }
    }
}
