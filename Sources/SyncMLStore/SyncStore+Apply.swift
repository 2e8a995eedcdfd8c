internal import SyncMLRecords

// MARK: Applying changes: one batch, one transaction, a journal row per change that changes something

extension SyncStore {
    /// Applies a batch of client changes (one SyncML message or package) in one
    /// transaction: all of them or, if anything throws, none.
    ///
    /// A change whose fingerprint equals the item's current one writes no
    /// journal row (`.unchanged`); an add whose LUID is already mapped (a
    /// resent message) is a replace of the mapped item; an add without a GUID
    /// from a device, equal to a live item that device has no LUID for, is
    /// mapped to that item (`.unchanged`) instead of doubling it. Every journal row
    /// records `device` and `session`, which is what echo suppression and undo use.
    ///
    /// A change's `lookup` (from `resolve`) spares looking its item up again: a new
    /// item then costs its item row, journal row, match keys and map, and a known
    /// one its version, journal row and changed keys. It is trusted only when
    /// nothing was committed since `resolve` made it, `apply` is not inside the
    /// caller's transaction, and no earlier change of the batch touched its LUID or
    /// item; otherwise `apply` looks the item up itself. A lookup made for another
    /// LUID, item, device, datastore or store is refused (`.invalidArgument`).
    ///
    /// With `deferringNewKeys`, the match keys of the batch's new items are journaled
    /// but not indexed: `indexPendingKeys(datastore:)` writes them later, all at once
    /// and in key order, and every reader of the index calls it first, so nothing
    /// ever misses them. For a slow sync into an empty datastore, whose items can
    /// match nothing the session did not add itself: each message's commit then
    /// rewrites no leaves of the key index. A new version of a known item indexes
    /// its keys as without it.
    public func apply(_ changes: [ItemChange], datastore: DatastoreID, device: DeviceID?, session: SessionID? = nil,
                      deferringNewKeys: Bool = false) throws(StoreError) -> [AppliedChange] {
        // Read before the batch's own transaction: a caller's open transaction may hold writes no lookup saw.
        let fresh = database.isInTransaction ? nil : database.writeGeneration
        return try database.transaction { () throws(StoreError) -> [AppliedChange] in
            try holdJournal(of: datastore)
            var results: [AppliedChange] = []
            results.reserveCapacity(changes.count)
            let time = nowMillis
            var touched = Touched()
            var rows = NewItemRows(datastore: datastore, device: device, defersKeys: deferringNewKeys)
            for change in changes {
                let found = try trustedLookup(change, datastore: datastore, device: device, generation: fresh, touched: touched)
                // Any other change reads or writes keys and maps: it sees every row of the batch before it.
                if found != .absent(twinCheck: false) { try write(&rows) }
                let result = try apply(change, found: found, datastore: datastore, device: device, session: session, time: time, rows: &rows)
                if let luid = change.luid { touched.luids.insert(luid) }
                if case .known(let item, _, _)? = found { touched.items.insert(item.id) }
                results.append(result)
            }
            try write(&rows)
            if let first = rows.firstDeferred { try markKeysPending(from: first, datastore: datastore) }
            if rows.fingerprintsUnindexed > 0 { try countUnindexedFingerprints(rows.fingerprintsUnindexed, datastore: datastore) }
            return results
        }
    }

    /// The LUIDs and items a batch has written so far: a lookup made before the batch is stale for them.
    private struct Touched {
        var luids: Set<String> = []
        var items: Set<Int64> = []
    }

    /// What `change.lookup` says, when it may be trusted; nil when `apply` must look itself.
    private func trustedLookup(_ change: ItemChange, datastore: DatastoreID, device: DeviceID?, generation: Int?,
                               touched: Touched) throws(StoreError) -> ItemChange.Lookup.Found? {
        guard let lookup = change.lookup else { return nil }
        guard lookup.store == ObjectIdentifier(self), lookup.device == device, lookup.datastore == datastore, lookup.luid == change.luid else {
            throw StoreError(.invalidArgument, "the lookup passed with \(change.luid ?? change.guid ?? "a change") was made for another item, device or store")
        }
        guard lookup.generation == generation, !(change.luid.map(touched.luids.contains) ?? false) else { return nil }
        switch lookup.found {
        case .known(let item, _, _):
            guard change.guid == nil || change.guid == item.guid else {
                throw StoreError(.invalidArgument, "the lookup passed with \(change.guid ?? "") was made for item \(item.guid)")
            }
            return touched.items.contains(item.id) ? nil : lookup.found
        case .absent(let twinCheck):
            // A GUID that names no live item may name a deleted one, which the change revives: looked up again.
            guard change.guid == nil else { return nil }
            // Twins were looked up for this fingerprint only.
            return twinCheck || change.fingerprint != lookup.fingerprint ? .absent(twinCheck: true) : lookup.found
        }
    }

    private func apply(_ change: ItemChange, found: ItemChange.Lookup.Found?, datastore: DatastoreID, device: DeviceID?,
                       session: SessionID?, time: Int64, rows: inout NewItemRows) throws(StoreError) -> AppliedChange {
        var item: ItemRow?
        var keys: Set<Int64>?
        var mapped = false
        var twinCheck = true
        switch found {
        case .known(let row, let digests, let isMapped)?:
            (item, keys, mapped) = (row, Set(digests), isMapped)
        case .absent(let check)?:
            twinCheck = check
        case nil:
            if let guid = change.guid {
                item = try itemRow(guid: guid, datastore: datastore)
            } else if let luid = change.luid, let device {
                item = try itemRow(luid: luid, device: device, datastore: datastore)
            }
        }
        switch change.operation {
        case .delete:
            guard var item else { return AppliedChange(outcome: .notFound, guid: change.guid, luid: change.luid) }
            if let device, let luid = change.luid {
                try database.run("DELETE FROM maps WHERE device_id = ? AND datastore_id = ? AND luid = ?",
                                 [.integer(device.rawValue), .integer(datastore.rawValue), .text(luid)])
            }
            guard !item.deleted else { return AppliedChange(outcome: .unchanged, guid: item.guid, luid: change.luid) }
            guard let seq = try writeVersion(of: &item, datastore: datastore, operation: .delete, fingerprint: nil, keys: [], frame: nil,
                                             type: item.type, device: device, session: session, time: time, indexed: keys,
                                             unindexed: &rows.fingerprintsUnindexed) else {
                return try apply(change, found: nil, datastore: datastore, device: device, session: session, time: time, rows: &rows)
            }
            return AppliedChange(outcome: .deleted, guid: item.guid, luid: change.luid, sequence: seq)
        case .add, .replace:
            var outcome = AppliedChange.Outcome.replaced
            var operation = ChangeOperation.replace
            if var existing = item {
                if !existing.deleted, let fingerprint = change.fingerprint, existing.fingerprint == fingerprint {
                    if !mapped { try mapIfNeeded(change.luid, item: existing.id, device: device, datastore: datastore) }
                    return AppliedChange(outcome: .unchanged, guid: existing.guid, luid: change.luid)
                }
                if existing.deleted { (outcome, operation) = (.added, .add) }
                let frame = try codec.encode(change.payload)
                guard let seq = try writeVersion(of: &existing, datastore: datastore, operation: operation, fingerprint: change.fingerprint,
                                                 keys: change.matchKeys.map(\.digest), frame: frame, type: change.type, device: device,
                                                 session: session, time: time, indexed: keys, unindexed: &rows.fingerprintsUnindexed) else {
                    // Changed by another connection since the lookup: looked up again.
                    return try apply(change, found: nil, datastore: datastore, device: device, session: session, time: time, rows: &rows)
                }
                if !mapped { try mapIfNeeded(change.luid, item: existing.id, device: device, datastore: datastore) }
                return AppliedChange(outcome: outcome, guid: existing.guid, luid: change.luid, sequence: seq)
            }
            // An add equal to a live item this device has no LUID for is that item. The engine
            // matches a client's Add before the batch is written; another device of the user may
            // have added the same record in between (two phones slow-syncing one address book).
            let checksTwin = twinCheck && change.operation == .add && change.guid == nil && device != nil && change.fingerprint != nil
            // Deferred fingerprints are indexed first, unless this batch defers too: the items waiting
            // are then its session's own, mapped to this device, never such a twin.
            if checksTwin, !rows.defersKeys, !rows.fingerprintsIndexed {
                try indexPendingKeys(datastore: datastore)
                rows.fingerprintsIndexed = true
            }
            if checksTwin, let device, let fingerprint = change.fingerprint,
               let twin = try database.first(Self.unmappedTwin, [.integer(datastore.rawValue), .blob(fingerprint.bytes), .integer(device.rawValue),
                         .integer(datastore.rawValue), .blob(fingerprint.bytes), .integer(device.rawValue)], { row throws(StoreError) in try ItemRow(row) }) {
                try mapIfNeeded(change.luid, item: twin.id, device: device, datastore: datastore)
                return AppliedChange(outcome: .unchanged, guid: twin.guid, luid: change.luid)
            }
            // A new item, inserted in its final state, with its first journal row.
            // While keys are deferred, its fingerprint waits out of the index too (`indexPendingKeys`).
            let frame = try codec.encode(change.payload)
            let digests = change.matchKeys.map(\.digest)
            let created = try insertNewItem(change, frame: frame, keys: digests, fingerprintPending: rows.defersKeys, datastore: datastore,
                                            device: device, session: session, time: time)
            // Deferred keys are in the journal row only, until `indexPendingKeys`.
            let keys = rows.defersKeys ? [] : Set(digests)
            if rows.defersKeys, rows.firstDeferred == nil { rows.firstDeferred = created.version }
            if found == .absent(twinCheck: false) {
                // Its keys and map wait for the batch's multi-row INSERTs (`write(_:)`).
                rows.keys += keys.map { ($0, created.id) }
                if let luid = change.luid, device != nil { rows.maps.append((luid, created.id)) }
            } else {
                try writeKeys(keys, replacing: [], item: created.id, datastore: datastore)
                if let luid = change.luid, let device {
                    if found == nil {
                        try mapIfNeeded(luid, item: created.id, device: device, datastore: datastore)
                    } else {
                        try mapNew(luid, item: created.id, device: device, datastore: datastore)
                    }
                }
            }
            return AppliedChange(outcome: .added, guid: created.guid, luid: change.luid, sequence: created.version)
        }
    }

    /// Inserts a new item in its final state and its first journal row (an add): its GUID
    /// is the caller's or its row id, its version the journal row written next (inside
    /// this transaction nobody else appends).
    private func insertNewItem(_ change: ItemChange, frame: [UInt8], keys: [Int64], fingerprintPending: Bool, datastore: DatastoreID,
                               device: DeviceID?, session: SessionID?, time: Int64) throws(StoreError) -> ItemRow {
        let pending: SQLValue = fingerprintPending ? .integer(1) : .null
        let fingerprint = SQLValue.fingerprint(change.fingerprint) // its bytes once for both rows
        switch database.dialect {
        case .postgres:
            let inserted = try database.first("""
                INSERT INTO items(datastore_id, guid, type, fingerprint, version, fingerprint_pending)
                VALUES (?, coalesce(?, CAST((SELECT coalesce(max(id), 0) + 1 FROM items) AS TEXT)), ?, ?, \(nextJournalSeq), ?)
                RETURNING id, guid, version
                """, [.integer(datastore.rawValue), change.guid.map { .text($0) } ?? .null, .text(change.type), fingerprint,
                      pending]) { row in
                ItemRow(id: row.integer(0), guid: row.text(1), type: change.type, fingerprint: change.fingerprint, deleted: false, version: row.integer(2))
            }
            guard let created = inserted else { throw StoreError(.sqlite, "inserting an item returned no row") }
            try insertJournalRow(seq: created.version, item: created.id, previous: 0, datastore: datastore, operation: .add,
                                 fingerprint: change.fingerprint, keys: keys, frame: frame, device: device, session: session, time: time)
            return created
        case .sqlite:
            // Without RETURNING, which SQLite buffers in an ephemeral table: ~30 mallocs an item. The
            // row id is the one SQLite would pick (max + 1), given explicitly so that the default GUID
            // is its text by construction; the journal row takes the item's version as its seq.
            let id = try database.insert("""
                INSERT INTO items(id, datastore_id, guid, type, fingerprint, version, fingerprint_pending)
                VALUES ((SELECT coalesce(max(id), 0) + 1 FROM items), ?, coalesce(?, CAST((SELECT coalesce(max(id), 0) + 1 FROM items) AS TEXT)),
                        ?, ?, \(nextJournalSeq), ?)
                """, [.integer(datastore.rawValue), change.guid.map { .text($0) } ?? .null, .text(change.type), fingerprint,
                      pending], returning: "id")
            let seq = try database.insert("""
                INSERT INTO journal(seq, datastore_id, item_id, op, prev_seq, fingerprint, match_keys, payload, time, device_id, session_id)
                VALUES ((SELECT version FROM items WHERE id = ?), ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)
                """, [.integer(id), .integer(datastore.rawValue), .integer(id), .integer(Int64(ChangeOperation.add.rawValue)),
                      fingerprint, .digests(keys), .blob(frame), .integer(time), .id(device), .id(session)],
                returning: "seq")
            return ItemRow(id: id, guid: change.guid ?? String(id), type: change.type, fingerprint: change.fingerprint, deleted: false, version: seq)
        }
    }

    /// The match keys and maps of a batch's new items whose lookups found nothing, written
    /// together: a row per key and per map costs a statement each otherwise (a round
    /// trip each on a networked database). Written before any other change of the
    /// batch, so that every lookup and key update sees them.
    private struct NewItemRows {
        let datastore: DatastoreID
        let device: DeviceID?
        /// New items' keys are not indexed (`apply`'s `deferringNewKeys`).
        let defersKeys: Bool
        /// The journal sequence of the batch's first new item whose keys were deferred.
        var firstDeferred: Int64?
        /// Deferred fingerprints were indexed in this batch's transaction (a twin check's
        /// catch-up): a batch that does not defer adds none, so later twin checks need not ask.
        var fingerprintsIndexed = false
        /// New versions whose fingerprints the batch left out of `items_fingerprint` (`items.fingerprint_unindexed`).
        var fingerprintsUnindexed = 0
        var keys: [(key: Int64, item: Int64)] = []
        var maps: [(luid: String, item: Int64)] = []
    }

    /// Rows per multi-row INSERT: full chunks share one cached statement, the rest one per count.
    static let rowsPerInsert = 64

    /// The first live item (by row id) with the fingerprint bound that no map of the device bound names.
    static let unmappedTwin = "SELECT * FROM (" + ItemRow.byFingerprint(
        test: "= ?", condition: "AND NOT EXISTS (SELECT 1 FROM maps m WHERE m.item_id = i.id AND m.device_id = ?)") + ") twins ORDER BY id LIMIT 1"

    /// Writes `rows`' keys and maps, and empties them. A LUID mapped since its lookup is a `.conflict`.
    private func write(_ rows: inout NewItemRows) throws(StoreError) {
        let datastore = SQLValue.integer(rows.datastore.rawValue)
        for chunk in Self.slices(rows.keys) {
            try database.run("INSERT INTO match_keys(datastore_id, key, item_id) VALUES " + Self.tuples(chunk.count, of: 3),
                             chunk.flatMap { [datastore, .integer($0.key), .integer($0.item)] })
        }
        if let device = rows.device {
            for chunk in Self.slices(rows.maps) {
                do {
                    try database.run("INSERT INTO maps(device_id, datastore_id, luid, item_id) VALUES " + Self.tuples(chunk.count, of: 4),
                                     chunk.flatMap { [.integer(device.rawValue), datastore, .text($0.luid), .integer($0.item)] })
                } catch where error.primaryResultCode == 19 { // SQLITE_CONSTRAINT
                    throw StoreError(.conflict, "a LUID of this batch was mapped since it was looked up", resultCode: error.resultCode, sql: error.sql)
                }
            }
        }
        rows.keys.removeAll(keepingCapacity: true)
        rows.maps.removeAll(keepingCapacity: true)
    }

    /// `(?, ?, ?), (?, ?, ?)` for `count` rows of `columns` values.
    static func tuples(_ count: Int, of columns: Int) -> String {
        Array(repeating: "(" + placeholders(columns) + ")", count: count).joined(separator: ", ")
    }

    /// `?, ?, ?` for `count` values.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    /// `rows` in slices of at most `rowsPerInsert`.
    static func slices<T>(_ rows: [T]) -> [ArraySlice<T>] {
        stride(from: 0, to: rows.count, by: rowsPerInsert).map { rows[$0..<min($0 + rowsPerInsert, rows.count)] }
    }

    /// Maps `luid` to a new item where the caller's lookup found the LUID unmapped: a plain
    /// INSERT, so that a lookup gone stale (another connection mapped the LUID since) is a
    /// conflict that rolls the batch back, never a second item the LUID silently moves to.
    private func mapNew(_ luid: String, item: Int64, device: DeviceID, datastore: DatastoreID) throws(StoreError) {
        do {
            try database.run("INSERT INTO maps(device_id, datastore_id, luid, item_id) VALUES (?, ?, ?, ?)",
                             [.integer(device.rawValue), .integer(datastore.rawValue), .text(luid), .integer(item)])
        } catch where error.primaryResultCode == 19 { // SQLITE_CONSTRAINT
            throw StoreError(.conflict, "LUID \(luid) was mapped since it was looked up", resultCode: error.resultCode, sql: error.sql)
        }
    }

    /// Appends a journal row for `item` and makes it the item's current version:
    /// its match keys become `keys` (digests, journaled with it for restore and
    /// undo). The keys it had are those its current journal row lists; only the
    /// difference is written. For an item read in the caller's transaction.
    func writeVersion(of item: inout ItemRow, datastore: DatastoreID, operation: ChangeOperation, fingerprint: Fingerprint?,
                      keys: [Int64], frame: [UInt8]?, type: String, device: DeviceID?, session: SessionID?, time: Int64) throws(StoreError) -> Int64 {
        var unindexed = 0 // a version written here joins the fingerprint index at once
        guard let seq = try writeVersion(of: &item, datastore: datastore, operation: operation, fingerprint: fingerprint, keys: keys, frame: frame,
                                         type: type, device: device, session: session, time: time, indexed: nil, unindexed: &unindexed,
                                         indexesFingerprint: true) else {
            throw StoreError(.conflict, "item \(item.guid) changed while it was being written")
        }
        return seq
    }

    /// `writeVersion`, with the keys the item had (`indexed`) when the caller knows them
    /// from its lookup. Nil when the item's version is no longer `item.version` (another
    /// connection wrote it since the caller read it): nothing is written then.
    ///
    /// A new fingerprint of a live item whose fingerprint is indexed waits out of the index
    /// (`items.fingerprint_unindexed`, counted in `unindexed`) unless `indexesFingerprint`: the
    /// UPDATE then writes no column `items_fingerprint` reads, so SQLite leaves the index's
    /// leaves alone (two random ones an edit otherwise, most of what an edit wrote at 1M items).
    private func writeVersion(of item: inout ItemRow, datastore: DatastoreID, operation: ChangeOperation, fingerprint: Fingerprint?,
                              keys: [Int64], frame: [UInt8]?, type: String, device: DeviceID?, session: SessionID?,
                              time: Int64, indexed known: Set<Int64>?, unindexed: inout Int,
                              indexesFingerprint: Bool = false) throws(StoreError) -> Int64? {
        let deleted = operation == .delete
        var indexed: Set<Int64> = []
        if let known {
            indexed = known
        } else if item.version != 0, !item.deleted {
            indexed = try journaledKeys(version: item.version)
        }
        // The item's new state first, guarded by the version it was read at; its version is the
        // journal row written next (inside this transaction nobody else appends).
        var updated: Int64?
        if !indexesFingerprint, !deleted, !item.deleted, let fingerprint {
            // Only where the indexed fingerprint is the item's (live, not pending); otherwise as below.
            updated = try database.first("""
                UPDATE items SET type = ?, fingerprint_unindexed = nullif(?, fingerprint), version = \(nextJournalSeq)
                WHERE id = ? AND version = ? AND deleted = 0 AND fingerprint_pending IS NULL AND fingerprint IS NOT NULL RETURNING version
                """, [.text(type), .blob(fingerprint.bytes), .integer(item.id), .integer(item.version)]) { row in row.integer(0) }
            if updated != nil { unindexed += 1 }
        }
        if updated == nil {
            updated = try database.first("""
                UPDATE items SET type = ?, fingerprint = ?, deleted = ?, version = \(nextJournalSeq), fingerprint_pending = NULL,
                    fingerprint_unindexed = NULL
                WHERE id = ? AND version = ? RETURNING version
                """, [.text(type), .fingerprint(fingerprint), .integer(deleted ? 1 : 0), .integer(item.id), .integer(item.version)]) { row in row.integer(0) }
        }
        guard let seq = updated else { return nil }
        try insertJournalRow(seq: seq, item: item.id, previous: item.version, datastore: datastore, operation: operation,
                             fingerprint: fingerprint, keys: keys, frame: frame, device: device, session: session, time: time)
        try writeKeys(deleted ? [] : Set(keys), replacing: item.deleted ? [] : indexed, item: item.id, datastore: datastore)
        item.fingerprint = fingerprint
        item.deleted = deleted
        item.version = seq
        item.type = type
        return seq
    }

    /// The sequence number of the next journal row, as SQL: on SQLite the one after the
    /// highest (the connection's write lock is held, nobody else appends); on PostgreSQL
    /// the journal's identity sequence, which concurrent transactions draw from safely.
    private var nextJournalSeq: String {
        switch database.dialect {
        case .sqlite: "(SELECT coalesce(max(seq), 0) + 1 FROM journal)"
        case .postgres: "nextval(pg_get_serial_sequence('journal', 'seq'))"
        }
    }

    /// Makes the batch the datastore's only journal writer until it commits. SQLite has one
    /// writer at a time anyway. On PostgreSQL sequence numbers come from a sequence, in the
    /// order transactions draw them, not the order they commit: without this, a session could
    /// read seq n+1 committed while n is still in flight, acknowledge through n+1, and never
    /// send n. Held per datastore (a transaction-level advisory lock), so other users' writes
    /// do not wait; the same lock also keeps the default GUIDs (`max(id) + 1`) of concurrent
    /// batches apart.
    func holdJournal(of datastore: DatastoreID) throws(StoreError) {
        guard database.dialect == .postgres else { return }
        try database.run("SELECT pg_advisory_xact_lock(CAST(? AS integer), CAST(? AS integer))",
                         [.integer(Int64(journalLockKey)), .integer(Int64(Int32(truncatingIfNeeded: datastore.rawValue)))])
    }

    /// The first key of the journal's advisory locks (the second is the datastore): this
    /// store's, apart from other stores' and other locks on the database.
    var journalLockKey: Int32 { Self.journalLockSpace ^ database.lockScope }
    static let journalLockSpace: Int32 = 0x5359_4A4C // "SYJL"

    /// The journal row `seq` of a version of `item` (a delete journals no keys and no payload).
    private func insertJournalRow(seq: Int64, item: Int64, previous: Int64, datastore: DatastoreID, operation: ChangeOperation,
                                  fingerprint: Fingerprint?, keys: [Int64], frame: [UInt8]?, device: DeviceID?, session: SessionID?,
                                  time: Int64) throws(StoreError) {
        try database.run("""
            INSERT INTO journal(seq, datastore_id, item_id, op, prev_seq, fingerprint, match_keys, payload, time, device_id, session_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(seq), .integer(datastore.rawValue), .integer(item), .integer(Int64(operation.rawValue)), .integer(previous),
                  .fingerprint(fingerprint), operation == .delete ? .null : .digests(keys),
                  frame.map { .blob($0) } ?? .null, .integer(time), .id(device), .id(session)])
    }

    /// Makes `match_keys` hold `wanted` for the item instead of `indexed`: only the
    /// difference is written, the keys gone in one DELETE and the new ones in one INSERT.
    /// Needs no catching up first: an item whose keys were deferred has none of them
    /// indexed yet (or, after an earlier new version, only some), so the DELETE removes
    /// what is there and the INSERT meets no row it holds; `indexPendingKeys` later adds
    /// the rest of its current version's keys, which this leaves to it.
    private func writeKeys(_ wanted: Set<Int64>, replacing indexed: Set<Int64>, item: Int64, datastore: DatastoreID) throws(StoreError) {
        let (store, id) = (SQLValue.integer(datastore.rawValue), SQLValue.integer(item))
        for chunk in Self.slices(Array(indexed.subtracting(wanted))) {
            try database.run("DELETE FROM match_keys WHERE datastore_id = ? AND item_id = ? AND key IN (" + Self.placeholders(chunk.count) + ")",
                             [store, id] + chunk.map { .integer($0) })
        }
        for chunk in Self.slices(Array(wanted.subtracting(indexed))) {
            try database.run("INSERT INTO match_keys(datastore_id, key, item_id) VALUES " + Self.tuples(chunk.count, of: 3),
                             chunk.flatMap { [store, .integer($0), id] })
        }
    }

    /// The key digests journal row `version` lists: what `match_keys` holds for its
    /// item while that row is the item's current version.
    private func journaledKeys(version: Int64) throws(StoreError) -> Set<Int64> {
        let found = try database.first("SELECT match_keys FROM journal WHERE seq = ?", [.integer(version)]) { row throws(StoreError) -> [Int64] in
            guard row.isNull(0) || row.isBlob(0) else { throw StoreError(.corruptRow, "journal row \(version) holds match keys that are not digests") }
            return try Self.digests(row.optionalBlob(0))
        }
        guard let found else { throw StoreError(.corruptRow, "an item's current version \(version) is missing from the journal") }
        return Set(found)
    }
}
