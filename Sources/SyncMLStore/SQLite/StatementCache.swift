/// A connection's prepared statements, by their SQL text: each text is
/// prepared once (`SQLITE_PREPARE_PERSISTENT`) and reset for every later use.
/// The store's SQL is literal text, so the cache is as small as its list of queries.
struct StatementCache {
    private var statements: [String: Statement] = [:]

    /// The statement for `sql`, reset with its bindings cleared; prepared on first use.
    mutating func statement(_ sql: String, in database: Database) throws(StoreError) -> Statement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        let statement = try Statement(database: database, sql: sql, persistent: true)
        statements[sql] = statement
        return statement
    }

    /// Finalizes every statement (before the connection closes).
    mutating func removeAll() { statements.removeAll() }
}
