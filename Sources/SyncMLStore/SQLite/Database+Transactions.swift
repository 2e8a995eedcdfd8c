/// Transactions, and the write points fault injection counts.
extension Database {
    /// Runs `body` in a transaction: `BEGIN IMMEDIATE` (the write lock up front,
    /// so two writers never deadlock upgrading), `COMMIT` when it returns,
    /// `ROLLBACK` when it or the commit throws. Nested calls use a savepoint.
    ///
    /// The error thrown is the first one; when rolling back fails as well, its
    /// message says so (the connection may then still hold the transaction).
    package func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        let nested = isInTransaction
        try execute(nested ? "SAVEPOINT nested" : "BEGIN IMMEDIATE")
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
            try writePoint("COMMIT")
            try execute("COMMIT")
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
                try execute("ROLLBACK")
            }
            return failure
        } catch {
            return failure.noting("rolling back failed too: \(error)")
        }
    }

    /// Counts a write point and fails it when fault injection says so.
    func writePoint(_ sql: String) throws(StoreError) {
        writeGeneration += 1
        writePoints += 1
        guard let failing = failingWrite, writePoints == failing.at || (failing.andAfter && writePoints > failing.at) else { return }
        throw StoreError(.sqlite, "injected write failure at write \(writePoints)", resultCode: 10, sql: sql) // SQLITE_IOERR
    }
}
