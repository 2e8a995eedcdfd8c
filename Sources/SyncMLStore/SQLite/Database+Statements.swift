/// Running SQL: each call takes the cached statement for its SQL, binds the
/// values, steps it and leaves it reset for the next use.
extension Database {
    /// Runs `sql` with `values` and returns the number of rows it changed.
    @discardableResult
    package func run(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> Int {
        if !isInTransaction { try writePoint(sql) }
        statementsRun += 1
        let statement = try statements.statement(sql, in: self)
        try statement.bind(values)
        while try statement.step() {}
        return changedRows
    }

    /// Runs a query, calling `row` for each result row.
    package func forEach(_ sql: String, _ values: [SQLValue] = [], _ row: (borrowing Row) throws(StoreError) -> Void) throws(StoreError) {
        statementsRun += 1
        let statement = try statements.statement(sql, in: self)
        defer { statement.reset() }
        try statement.bind(values)
        while try statement.step() { try row(Row(statement: statement)) }
    }

    /// The first row of a query mapped by `transform`, or nil when there is none.
    package func first<T>(_ sql: String, _ values: [SQLValue] = [], _ transform: (borrowing Row) throws(StoreError) -> T) throws(StoreError) -> T? {
        statementsRun += 1
        let statement = try statements.statement(sql, in: self)
        defer { statement.reset() }
        try statement.bind(values)
        guard try statement.step() else { return nil }
        return try transform(Row(statement: statement))
    }

    /// The integer in the first column of the first row, or nil.
    package func integer(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> Int64? {
        try first(sql, values) { row in row.isNull(0) ? nil : row.integer(0) } ?? nil
    }
}
