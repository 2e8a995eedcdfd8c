internal import SyncMLRecords

/// The schema, as an ordered list of migrations; the version reached is kept
/// in `PRAGMA user_version`. A migration runs in the same transaction as the
/// version bump, so a crash leaves the database at the old version or the new one.
/// See docs/STORE.md for what each table holds.
package enum Migrations {
    /// The schema version this build writes.
    package static var latest: Int { steps.count }

    /// Brings `database` to `latest`. Throws `.schemaTooNew` for a database a
    /// newer build has written.
    package static func migrate(_ database: Database) throws(StoreError) {
        try database.transaction { () throws(StoreError) in
            let version = try database.userVersion()
            guard version <= latest else {
                throw StoreError(.schemaTooNew, "schema version \(version) is newer than this build's \(latest)")
            }
            for index in version..<latest {
                switch steps[index] {
                case .sql(let sql): try database.execute(sql)
                case .code(let step): try step(database)
                }
                try database.execute("PRAGMA user_version = \(index + 1)")
            }
        }
    }

    /// One migration: SQL, or Swift for a step SQL cannot express (one that
    /// computes values, as version 5 hashes the stored match keys).
    enum Step: Sendable {
        case sql(String)
        case code(@Sendable (Database) throws(StoreError) -> Void)
    }

    /// Migration n+1 is `steps[n]`. Never edit a released step; append one.
    static let steps: [Step] = [.sql(version1), .sql(version2), .sql(version3), .sql(version4), .code(version5), .sql(version6), .sql(version7), .sql(version8),
                                 .sql(version9), .sql(version10), .sql(version11), .code(version12), .sql(version13)]

    static let version1 = """
    CREATE TABLE users(
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created INTEGER NOT NULL
    );
    CREATE TABLE datastores(
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        UNIQUE(user_id, name)
    );
    CREATE TABLE items(
        id INTEGER PRIMARY KEY,
        datastore_id INTEGER NOT NULL REFERENCES datastores(id) ON DELETE CASCADE,
        guid TEXT NOT NULL,
        type TEXT NOT NULL,
        fingerprint BLOB,
        deleted INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL DEFAULT 0,
        UNIQUE(datastore_id, guid)
    );
    CREATE INDEX items_fingerprint ON items(datastore_id, fingerprint) WHERE deleted = 0;
    CREATE TABLE match_keys(
        datastore_id INTEGER NOT NULL,
        key TEXT NOT NULL,
        item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        PRIMARY KEY(datastore_id, key, item_id)
    ) WITHOUT ROWID;
    CREATE INDEX match_keys_item ON match_keys(item_id);
    CREATE TABLE devices(
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        dev_id TEXT NOT NULL,
        devinf BLOB,
        devinf_time INTEGER,
        UNIQUE(user_id, dev_id)
    );
    CREATE TABLE device_datastores(
        device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        datastore_id INTEGER NOT NULL REFERENCES datastores(id) ON DELETE CASCADE,
        last_anchor TEXT,
        next_anchor TEXT,
        acked_seq INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY(device_id, datastore_id)
    ) WITHOUT ROWID;
    CREATE INDEX device_datastores_store ON device_datastores(datastore_id);
    CREATE TABLE sessions(
        id INTEGER PRIMARY KEY,
        device_id INTEGER REFERENCES devices(id) ON DELETE SET NULL,
        session_key TEXT,
        kind TEXT NOT NULL DEFAULT 'sync',
        state TEXT NOT NULL DEFAULT 'active',
        started INTEGER NOT NULL,
        ended INTEGER,
        resume_state BLOB,
        undoes INTEGER REFERENCES sessions(id)
    );
    CREATE INDEX sessions_device ON sessions(device_id, state);
    CREATE TABLE journal(
        seq INTEGER PRIMARY KEY,
        datastore_id INTEGER NOT NULL REFERENCES datastores(id) ON DELETE CASCADE,
        item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        op INTEGER NOT NULL CHECK (op IN (1, 2, 3)),
        prev_seq INTEGER NOT NULL DEFAULT 0,
        fingerprint BLOB,
        match_keys TEXT,
        payload BLOB,
        time INTEGER NOT NULL,
        device_id INTEGER REFERENCES devices(id) ON DELETE SET NULL,
        session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL
    );
    CREATE INDEX journal_store_seq ON journal(datastore_id, seq);
    CREATE INDEX journal_item_seq ON journal(item_id, seq);
    CREATE INDEX journal_session ON journal(session_id) WHERE session_id IS NOT NULL;
    CREATE TABLE maps(
        device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        datastore_id INTEGER NOT NULL REFERENCES datastores(id) ON DELETE CASCADE,
        luid TEXT NOT NULL,
        item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        PRIMARY KEY(device_id, datastore_id, luid)
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX maps_item ON maps(device_id, datastore_id, item_id);
    """

    /// Passwords: a salted, iterated hash for basic auth (`PasswordHash`'s
    /// encoded form, parameters included) and, separately, the secret SyncML MD5
    /// auth needs (`b64(md5("user:password"))`), which an admin can switch off
    /// per user (`md5_enabled` 0: no secret stored). See docs/STORE.md, "Users and passwords".
    static let version2 = """
    ALTER TABLE users ADD COLUMN password_hash TEXT;
    ALTER TABLE users ADD COLUMN md5_secret TEXT;
    ALTER TABLE users ADD COLUMN md5_enabled INTEGER NOT NULL DEFAULT 1;
    """

    /// SyncML MD5 auth: the NextNonce the server last gave each device
    /// (base64 text, as sent), which the device's next digest must use; and the
    /// content type a device last sent in a datastore, the format it gets when
    /// its DevInf says nothing (Outlook plug-ins never send one); and the anchor
    /// before the last, so a device whose last reply was lost continues two-way.
    static let version3 = """
    ALTER TABLE devices ADD COLUMN nonce TEXT;
    ALTER TABLE device_datastores ADD COLUMN client_type TEXT;
    ALTER TABLE device_datastores ADD COLUMN previous_anchor TEXT;
    """

    /// A client's memory of where its host's own change tracking was at the
    /// last scan (`SyncDataSource.changes(since:)`), per mirror datastore.
    static let version4 = """
    CREATE TABLE host_tokens(
        datastore_id INTEGER PRIMARY KEY REFERENCES datastores(id) ON DELETE CASCADE,
        token TEXT NOT NULL
    );
    """

    /// What every server node on one store must agree on to verify a challenge
    /// another node issued: the key challenge nonces are derived under (drawn
    /// once, by the first server to need it) and, per user, DevID and time
    /// window, how many of those nonces were used up by a successful
    /// authentication. Rows appear only after a success and go when their window
    /// has passed.
    static let version6 = """
    CREATE TABLE server_secrets(
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    CREATE TABLE challenge_uses(
        user_name TEXT NOT NULL,
        dev_id TEXT NOT NULL,
        time_window INTEGER NOT NULL,
        generation INTEGER NOT NULL,
        PRIMARY KEY(user_name, dev_id, time_window)
    );
    """

    /// The sessions running on a store's server nodes, one row each, so that any
    /// node can take a session's next message (issue #18): keyed by the secret
    /// token of the session's RespURI, with its user, device and client session
    /// id, how many of its messages were answered (`message_count`, what a save
    /// is checked against) and everything the session keeps between messages
    /// (`state`, a compressed frame). Written only when nodes share the store.
    static let version7 = """
    CREATE TABLE live_sessions(
        token TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        dev_id TEXT NOT NULL,
        client_session_id TEXT NOT NULL,
        message_count INTEGER NOT NULL,
        state BLOB NOT NULL,
        updated INTEGER NOT NULL
    );
    CREATE INDEX live_sessions_updated ON live_sessions(updated);
    """

    /// What grows with the book in a running session shared by server nodes,
    /// kept as rows beside its `live_sessions` value so that a message saves only
    /// what it changed (issue #18): per GUID, the fingerprint the client holds
    /// (`clientHas`), whether the session paired it (`claimed`) and the journal
    /// sequence the client confirmed (`confirmed`), with the `message_count` of
    /// the save that wrote the row (a node holding an older copy reads only the
    /// newer rows, by `live_session_items_message`); and the server's outgoing queue, written once when selected,
    /// by position. Deleted with their session.
    static let version8 = """
    CREATE TABLE live_session_items(
        token TEXT NOT NULL REFERENCES live_sessions(token) ON DELETE CASCADE,
        datastore_id INTEGER NOT NULL,
        guid TEXT NOT NULL,
        fingerprint BLOB,
        claimed INTEGER NOT NULL,
        confirmed INTEGER,
        message INTEGER NOT NULL,
        PRIMARY KEY(token, datastore_id, guid)
    ) WITHOUT ROWID;
    CREATE INDEX live_session_items_message ON live_session_items(token, message);
    CREATE TABLE live_session_queue(
        token TEXT NOT NULL REFERENCES live_sessions(token) ON DELETE CASCADE,
        datastore_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        guid TEXT NOT NULL,
        luid TEXT,
        operation INTEGER NOT NULL,
        type TEXT NOT NULL,
        fingerprint BLOB,
        payload BLOB,
        PRIMARY KEY(token, datastore_id, position)
    ) WITHOUT ROWID;
    """

    /// A datastore's match keys may wait to be indexed (issue #16): `keys_pending_from`
    /// is the first journal sequence whose new items' keys are not in `match_keys`
    /// yet (a slow sync into an empty datastore writes them once, sorted, when its
    /// client package is complete); NULL when the index is complete. The journal
    /// rows keep every version's keys, so the index can always be caught up from
    /// them (`SyncStore.indexPendingKeys`).
    static let version9 = """
    ALTER TABLE datastores ADD COLUMN keys_pending_from INTEGER;
    """

    /// The fingerprint index may wait too (issue #16): a new item written while its
    /// keys are deferred is marked `fingerprint_pending` and left out of the partial
    /// index `items_fingerprint`, whose random 16-byte keys otherwise dirty a leaf
    /// per item at every commit (two thirds of what a slow sync wrote to the WAL).
    /// `SyncStore.indexPendingKeys` clears the marks with the keys' catch-up, and a
    /// lookup by fingerprint catches up first. NULL (no mark) on every other row.
    static let version10 = """
    ALTER TABLE items ADD COLUMN fingerprint_pending INTEGER;
    DROP INDEX items_fingerprint;
    CREATE INDEX items_fingerprint ON items(datastore_id, fingerprint) WHERE deleted = 0 AND fingerprint_pending IS NULL;
    """

    /// Compaction that reads what changed, not the whole journal (issue #16): the
    /// datastore's watermark `compacted_through` (the journal sequence up to which later
    /// versions have been collected), `compaction_pending` (items that may have versions
    /// to drop: collected, or kept old versions at the last compaction), and the partial
    /// index `journal_store_later` of later versions (`prev_seq <> 0`) by datastore and
    /// sequence, so first versions, most of a journal after a slow sync, are never read.
    /// Building the index reads the journal once, here.
    static let version11 = """
    ALTER TABLE datastores ADD COLUMN compacted_through INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE compaction_pending(
        datastore_id INTEGER NOT NULL REFERENCES datastores(id) ON DELETE CASCADE,
        item_id INTEGER NOT NULL,
        PRIMARY KEY(datastore_id, item_id)
    ) WITHOUT ROWID;
    CREATE INDEX journal_store_later ON journal(datastore_id, seq, item_id) WHERE prev_seq <> 0;
    """

    /// One B-tree less per version (issue #16): no `journal_item_seq`. An item's versions
    /// are found from `items.version` down the `prev_seq` links (`SyncStore.versionChain`),
    /// one primary-key read a version. Without that index SQLite's foreign key from
    /// `journal.item_id` to `items` would scan the journal for every item a removed user's
    /// datastores delete, so it goes too (the datastore's key still deletes the rows,
    /// through `journal_store_seq`). Dropping a foreign key leaves the rows' bytes as they
    /// are, so the table's definition is edited in place as SQLite's documentation allows
    /// (`writable_schema`, then a new `schema_version`); where that is refused (a
    /// defensive build) or the definition is not the one version 1 wrote, the journal is
    /// copied into a table without the key instead.
    static func version12(_ database: Database) throws(StoreError) {
        try database.execute("DROP INDEX journal_item_seq")
        let reference = "item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
        let definition = try database.first("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'journal'") { $0.text(0) }
        if let definition, definition.contains(reference) {
            let edited = definition.replacing(reference, with: "item_id INTEGER NOT NULL,")
            let schemaVersion = try database.integer("PRAGMA schema_version") ?? 0
            try database.execute("PRAGMA writable_schema=ON")
            let done: Bool
            do {
                try database.run("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'journal'", [.text(edited)])
                try database.execute("PRAGMA schema_version = \(schemaVersion + 1)")
                done = true
            } catch {
                done = false
            }
            try database.execute("PRAGMA writable_schema=OFF")
            if done { return }
        }
        try database.execute(journalWithoutItemKey)
    }

    /// A new version's fingerprint may wait out of `items_fingerprint` (issue #16): an edit
    /// of an indexed item writes its new fingerprint to `fingerprint_unindexed` and leaves
    /// `fingerprint` (and so the index, whose random keys cost an edit two leaves there at
    /// 1M items) as it was. The item's fingerprint is `coalesce(fingerprint_unindexed,
    /// fingerprint)`; a lookup reads `items_fingerprint` for items without one and the small
    /// `items_fingerprint_unindexed` for the others. `datastores.fingerprints_unindexed`
    /// counts the waiting ones (at least), and `SyncStore.indexUnindexedFingerprints` moves
    /// them into the index, all at once, past `SyncStore.unindexedFingerprintLimit` and at
    /// compaction.
    static let version13 = """
    ALTER TABLE items ADD COLUMN fingerprint_unindexed BLOB;
    CREATE INDEX items_fingerprint_unindexed ON items(datastore_id, fingerprint_unindexed) WHERE fingerprint_unindexed IS NOT NULL;
    ALTER TABLE datastores ADD COLUMN fingerprints_unindexed INTEGER NOT NULL DEFAULT 0;
    """

    /// Version 12's fallback: the journal copied into a table without the foreign key to `items`.
    static let journalWithoutItemKey = """
    CREATE TABLE journal_v12(
        seq INTEGER PRIMARY KEY,
        datastore_id INTEGER NOT NULL REFERENCES datastores(id) ON DELETE CASCADE,
        item_id INTEGER NOT NULL,
        op INTEGER NOT NULL CHECK (op IN (1, 2, 3)),
        prev_seq INTEGER NOT NULL DEFAULT 0,
        fingerprint BLOB,
        match_keys TEXT,
        payload BLOB,
        time INTEGER NOT NULL,
        device_id INTEGER REFERENCES devices(id) ON DELETE SET NULL,
        session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL
    );
    INSERT INTO journal_v12(seq, datastore_id, item_id, op, prev_seq, fingerprint, match_keys, payload, time, device_id, session_id)
        SELECT seq, datastore_id, item_id, op, prev_seq, fingerprint, match_keys, payload, time, device_id, session_id FROM journal ORDER BY seq;
    DROP TABLE journal;
    ALTER TABLE journal_v12 RENAME TO journal;
    CREATE INDEX journal_store_seq ON journal(datastore_id, seq);
    CREATE INDEX journal_session ON journal(session_id) WHERE session_id IS NOT NULL;
    CREATE INDEX journal_store_later ON journal(datastore_id, seq, item_id) WHERE prev_seq <> 0;
    """

    /// Match keys as 64-bit digests (`MatchKey.IndexKey.digest`), kept once:
    /// `match_keys` holds (datastore, digest, item) and nothing else — no index by
    /// item and no foreign key (an item's old keys are deleted by what its current
    /// journal row lists; a removed user's by datastore) — and each journal row's
    /// `match_keys` becomes a blob of 8-byte little-endian digests. Every row is
    /// converted here, in the migration's one transaction.
    static func version5(_ database: Database) throws(StoreError) {
        try database.execute("""
            ALTER TABLE match_keys RENAME TO match_keys_text;
            DROP INDEX match_keys_item;
            CREATE TABLE match_keys(
                datastore_id INTEGER NOT NULL,
                key INTEGER NOT NULL,
                item_id INTEGER NOT NULL,
                PRIMARY KEY(datastore_id, key, item_id)
            ) WITHOUT ROWID;
            """)
        try database.forEach("SELECT datastore_id, key, item_id FROM match_keys_text") { row throws(StoreError) in
            try database.run("INSERT OR IGNORE INTO match_keys(datastore_id, key, item_id) VALUES (?, ?, ?)",
                             [.integer(row.integer(0)), .integer(MatchKey.IndexKey.digest(ofStoredForm: row.text(1))), .integer(row.integer(2))])
        }
        try database.execute("DROP TABLE match_keys_text")
        // The journal in slices by seq: rows are rewritten while none of them is being read.
        var after: Int64 = 0
        while true {
            var slice: [(seq: Int64, keys: String)] = []
            try database.forEach("""
                SELECT seq, match_keys FROM journal WHERE seq > ? AND typeof(match_keys) = 'text' ORDER BY seq LIMIT 5000
                """, [.integer(after)]) { row in slice.append((row.integer(0), row.text(1))) }
            guard let last = slice.last else { break }
            for (seq, text) in slice {
                let digests = text.isEmpty ? [] : text.split(separator: SyncStore.keySeparator).map { MatchKey.IndexKey.digest(ofStoredForm: String($0)) }
                try database.run("UPDATE journal SET match_keys = ? WHERE seq = ?", [.digests(digests), .integer(seq)])
            }
            after = last.seq
        }
    }
}
