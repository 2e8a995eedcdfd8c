/// Transactions, the same on every connection: the connection opens, commits
/// and rolls back; nesting is a savepoint, whose SQL both backends share.
extension StoreConnection {
    /// Runs `body` in a transaction: `beginTransaction()` (on SQLite
    /// `BEGIN IMMEDIATE`, the write lock up front, so two writers never deadlock
    /// upgrading), a commit when it returns, a rollback when it or the commit
    /// throws. Nested calls use a savepoint.
    ///
    /// The error thrown is the first one; when rolling back fails as well, its
    /// message says so (the connection may then still hold the transaction).
    package func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        let nested = isInTransaction
        if nested { try execute("SAVEPOINT nested") } else { try beginTransaction() }
        let value: T
        do {
            value = try body()
        } catch {
            throw rolledBack(nested: nested, after: error)
        }
        if nested {
            try execute("RELEASE nested")
            return value
        }
        do {
            try counters.writePoint("COMMIT")
            try commitTransaction()
        } catch {
            // A failed COMMIT can leave the transaction open (SQLITE_BUSY, say): end it.
            throw rolledBack(nested: false, after: error)
        }
        return value
    }

    /// Undoes the failed transaction or savepoint; returns `failure`, noting a failure to undo it.
    private func rolledBack(nested: Bool, after failure: StoreError) -> StoreError {
        do {
            if nested {
                // Not released when the rollback failed: RELEASE would keep the savepoint's writes.
                try execute("ROLLBACK TO nested")
                try execute("RELEASE nested")
            } else if isInTransaction {
                try rollbackTransaction()
            }
            return failure
        } catch {
            return failure.noting("rolling back failed too: \(error)")
        }
    }
}
