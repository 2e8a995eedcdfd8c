// MARK: Challenge nonces: what every server node on this store must share to verify them

extension SyncStore {
    /// The secret `name`: `fresh` is kept the first time it is asked for, and every
    /// call, from any process on this store, gets those bytes back.
    package func secret(named name: String, orNew fresh: [UInt8]) throws(StoreError) -> [UInt8] {
        try database.run("INSERT INTO server_secrets(name, value) VALUES (?, ?) ON CONFLICT(name) DO NOTHING", [.text(name), .blob(fresh)])
        guard let value = try database.first("SELECT value FROM server_secrets WHERE name = ?", [.text(name)], { $0.blob(0) }) else {
            throw StoreError(.notFound, "the secret \(name) was not kept")
        }
        return value
    }

    /// How many challenge nonces of `user` on `devID` were used up in each of
    /// `windows` (absent: none).
    package func challengeGenerations(user: String, devID: String, windows: [Int64]) throws(StoreError) -> [Int64: Int] {
        var generations: [Int64: Int] = [:]
        for window in windows {
            if let generation = try database.integer("""
                SELECT generation FROM challenge_uses WHERE user_name = ? AND dev_id = ? AND time_window = ?
                """, [.text(user), .text(devID), .integer(window)]) {
                generations[window] = Int(generation)
            }
        }
        return generations
    }

    /// Uses up the challenge nonce of `user` on `devID` in `window` at
    /// `generation`: true for exactly one of any number of callers (on any node),
    /// false when another got there first. Windows before `expiredBefore` are forgotten.
    package func useChallenge(user: String, devID: String, window: Int64, generation: Int, expiredBefore: Int64) throws(StoreError) -> Bool {
        try database.transaction { () throws(StoreError) -> Bool in
            try database.run("DELETE FROM challenge_uses WHERE time_window < ?", [.integer(expiredBefore)])
            let key: [SQLValue] = [.text(user), .text(devID), .integer(window)]
            if generation == 0 {
                return try database.run("""
                    INSERT INTO challenge_uses(user_name, dev_id, time_window, generation) VALUES (?, ?, ?, 1) ON CONFLICT DO NOTHING
                    """, key) == 1
            }
            return try database.run("""
                UPDATE challenge_uses SET generation = generation + 1
                WHERE user_name = ? AND dev_id = ? AND time_window = ? AND generation = ?
                """, key + [.integer(Int64(generation))]) == 1
        }
    }
}
