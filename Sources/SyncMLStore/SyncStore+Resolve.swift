public import SyncMLRecords

// MARK: Resolve: what the store knows of a message's incoming items, in one call

/// One incoming Add or Replace, as the store needs it to say what the item is:
/// the device's id for it, the server id the client names, its fingerprint
/// and the match keys to look up.
public struct IncomingKey: Sendable, Hashable {
    /// The device's id for the item (its Source LocURI).
    public var luid: String?
    /// The server id the client names (its Target LocURI), looked up when the LUID maps nothing.
    public var guid: String?
    /// The record's fingerprint; nil skips the lookup of twins.
    public var fingerprint: Fingerprint?
    /// Match keys to find candidates by (empty for none).
    public var keys: [MatchKey.IndexKey]

    /// An incoming item's key: its LUID, the GUID it names, its fingerprint and its match keys.
    public init(luid: String?, guid: String? = nil, fingerprint: Fingerprint?, keys: [MatchKey.IndexKey] = []) {
        (self.luid, self.guid, self.fingerprint, self.keys) = (luid, guid, fingerprint, keys)
    }
}

/// What the store knows of one `IncomingKey`. An item known by its LUID or named
/// GUID is not looked up further (`twins` stays empty and `candidates` nil);
/// candidates are looked up only for an item without live twins.
public struct Resolution: Sendable, Hashable {
    /// A live item with the incoming record's fingerprint, and the device's LUID for it if mapped.
    public struct Twin: Sendable, Hashable {
        /// The live item.
        public var item: StoredItem
        /// The device's LUID for it; nil when the device has not mapped it.
        public var luid: String?
    }

    /// The item the device's LUID maps to, deleted or not.
    public var mapped: StoredItem?
    /// The live item the client names by GUID, when the LUID maps nothing.
    public var named: StoredItem?
    /// The current version of the known (mapped or named) item.
    public var current: JournalEntry?
    /// Live items with the same fingerprint, in the order they were stored.
    public var twins: [Twin] = []
    /// Per key digest, the live items among the key's first `limitPerKey` rows, in GUID order;
    /// nil when keys were not looked up.
    public var candidates: [Int64: [StoredItem]]?

    /// What was found, to hand back with the change (`ItemChange.lookup`) so that
    /// `apply` does not look again: the known item with its current keys, or that
    /// nothing has the LUID or GUID. Nil in a `Resolution` `resolve` did not make.
    public var lookup: ItemChange.Lookup?

    /// The known item: mapped by LUID, else the named one.
    public var known: StoredItem? { mapped ?? named }
}

extension SyncStore {
    /// LUIDs, fingerprints and match keys are looked up this many per statement: a fixed arity keeps
    /// one cached statement (a shorter chunk repeats its last value).
    static let resolveChunk = 32

    /// Resolves a message's incoming items at once, one `Resolution` per key in
    /// order: one call per message instead of several per item (an actor hop each
    /// here, a round trip each on a networked database). LUIDs and fingerprints
    /// are read `resolveChunk` per statement, and so are match keys, after the
    /// datastore's deferred keys are indexed (`indexPendingKeys`); fingerprints
    /// likewise, unless `deferringNewKeys` says the caller's own batches defer them:
    /// the items whose fingerprints wait are then the caller's, never another's
    /// twins, and are not looked up (`apply(_:datastore:device:session:deferringNewKeys:)`).
    public func resolve(_ incoming: [IncomingKey], datastore: DatastoreID, device: DeviceID, limitPerKey: Int = 8,
                        deferringNewKeys: Bool = false) throws(StoreError) -> [Resolution] {
        var resolutions = [Resolution](repeating: Resolution(), count: incoming.count)
        let generation = database.writeGeneration
        func lookup(_ key: IncomingKey, _ found: ItemChange.Lookup.Found) -> ItemChange.Lookup {
            ItemChange.Lookup(found: found, luid: key.luid, guid: key.guid, fingerprint: key.fingerprint, device: device, datastore: datastore,
                              store: ObjectIdentifier(self), generation: generation)
        }
        let byLUID = try mappedItems(luids: incoming.compactMap(\.luid), datastore: datastore, device: device)
        var unknown: [Int] = []
        for (index, key) in incoming.enumerated() {
            let known: KnownRow
            if let luid = key.luid, let item = byLUID[luid] {
                known = item
                resolutions[index].mapped = item.item.stored
            } else if let guid = key.guid, let item = try knownRow(guid: guid, datastore: datastore), !item.item.deleted {
                known = item
                resolutions[index].named = item.item.stored
            } else {
                unknown.append(index)
                continue
            }
            resolutions[index].current = known.current
            resolutions[index].lookup = lookup(key, .known(known.item, keys: known.keys, mapped: resolutions[index].mapped != nil))
        }
        // Fingerprints and keys a slow sync deferred are indexed before any is looked up (one read when none waits).
        var caughtUp = false
        func catchUp() throws(StoreError) {
            if !caughtUp { try indexPendingKeys(datastore: datastore) }
            caughtUp = true
        }
        let fingerprints = unknown.compactMap { incoming[$0].fingerprint }
        if !fingerprints.isEmpty, !deferringNewKeys { try catchUp() }
        let twins = try liveTwins(fingerprints: fingerprints, datastore: datastore, device: device)
        for index in unknown {
            if let fingerprint = incoming[index].fingerprint { resolutions[index].twins = twins[fingerprint] ?? [] }
            // A twin the device has no LUID for is what apply's own twin check would find.
            resolutions[index].lookup = lookup(incoming[index], .absent(twinCheck: resolutions[index].twins.contains { $0.luid == nil }))
        }
        let matching = unknown.filter { resolutions[$0].twins.isEmpty && !incoming[$0].keys.isEmpty }
        if !matching.isEmpty { try catchUp() }
        let byDigest = try candidates(digests: Set(matching.flatMap { incoming[$0].keys.map(\.digest) }), datastore: datastore, limitPerKey: limitPerKey)
        for index in matching {
            var candidates: [Int64: [StoredItem]] = [:]
            for digest in Set(incoming[index].keys.map(\.digest)) { candidates[digest] = byDigest[digest] ?? [] }
            resolutions[index].candidates = candidates
        }
        return resolutions
    }

    /// Per key digest, the live items among the key's first `limitPerKey` rows (as
    /// `items(matchingKeys:limitPerKey:)` reads them), in GUID order: `resolveChunk`
    /// keys per statement, each a LIMITed arm of one UNION ALL, so a key thousands
    /// of items share still costs only its first rows.
    private func candidates(digests: Set<Int64>, datastore: DatastoreID, limitPerKey: Int) throws(StoreError) -> [Int64: [StoredItem]] {
        var found: [Int64: [Int64: ItemRow]] = [:]
        for chunk in Self.chunks(Array(digests)) {
            let values = chunk.flatMap { digest -> [SQLValue] in [.integer(datastore.rawValue), .integer(digest), .integer(Int64(limitPerKey))] }
            try database.forEach(Self.candidatesSQL(database.dialect), values) { row throws(StoreError) in
                let item = try ItemRow(row)
                found[row.integer(6), default: [:]][item.id] = item
            }
        }
        return found.mapValues { items in items.values.filter { !$0.deleted }.map(\.stored).sorted { $0.guid < $1.guid } }
    }

    /// `resolveChunk` keys' first rows with their items. On SQLite a CROSS JOIN keeps the
    /// keys' rows the outer loop; PostgreSQL has no CROSS JOIN … ON and plans the join itself.
    private static func candidatesSQL(_ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: candidatesSQLite
        case .postgres: candidatesPostgres
        }
    }

    private static let candidatesSQLite = candidatesSQL(join: "CROSS JOIN")
    private static let candidatesPostgres = candidatesSQL(join: "JOIN")

    private static func candidatesSQL(join: String) -> String {
        let arm = "SELECT * FROM (SELECT key, item_id FROM match_keys WHERE datastore_id = ? AND key = ? LIMIT ?) k"
        return "SELECT \(ItemRow.aliasedColumns), m.key FROM ("
            + Array(repeating: arm, count: resolveChunk).joined(separator: " UNION ALL ") + ") m \(join) items i ON i.id = m.item_id"
    }

    /// A known item with its current version (journal row) and that version's key digests.
    private struct KnownRow {
        var item: ItemRow
        var current: JournalEntry?
        var keys: [Int64]

        /// Read as `ItemRow`'s six columns, then `journalColumns` from column 6 on (NULL when the item has no version).
        init(_ row: borrowing Row) throws(StoreError) {
            item = try ItemRow(row)
            guard !row.isNull(6) else { (current, keys) = (nil, []); return }
            current = try SyncStore.entry(row, from: 6, guid: item.guid)
            guard row.isNull(13) || row.isBlob(13) else { throw StoreError(.corruptRow, "journal row \(item.version) holds match keys that are not digests") }
            keys = try SyncStore.digests(row.optionalBlob(13))
        }
    }

    /// The current version's columns `KnownRow` reads, from the journal row joined as `j`.
    private static let journalColumns = "j.seq, j.op, j.fingerprint, j.time, j.device_id, j.session_id, length(j.payload), j.match_keys"

    /// The live or deleted item `guid`, with its current version.
    private func knownRow(guid: String, datastore: DatastoreID) throws(StoreError) -> KnownRow? {
        try database.first("""
            SELECT \(ItemRow.aliasedColumns), \(Self.journalColumns)
            FROM items i LEFT JOIN journal j ON j.seq = i.version WHERE i.datastore_id = ? AND i.guid = ?
            """, [.integer(datastore.rawValue), .text(guid)]) { row throws(StoreError) in try KnownRow(row) }
    }

    /// The items the device's `luids` map to, with their current versions, by LUID.
    private func mappedItems(luids: [String], datastore: DatastoreID, device: DeviceID) throws(StoreError) -> [String: KnownRow] {
        var found: [String: KnownRow] = [:]
        let sql = """
            SELECT \(ItemRow.aliasedColumns), \(Self.journalColumns), m.luid
            FROM maps m JOIN items i ON i.id = m.item_id LEFT JOIN journal j ON j.seq = i.version
            WHERE m.device_id = ? AND m.datastore_id = ? AND m.luid IN (\(Self.placeholders))
            """
        for chunk in Self.chunks(Array(Set(luids))) {
            try database.forEach(sql, [.integer(device.rawValue), .integer(datastore.rawValue)] + chunk.map { .text($0) }) { row throws(StoreError) in
                found[row.text(14)] = try KnownRow(row)
            }
        }
        return found
    }

    /// Live items with each of `fingerprints` (those whose fingerprints are indexed), in storage (row id)
    /// order, with the device's LUID for each.
    private func liveTwins(fingerprints: [Fingerprint], datastore: DatastoreID, device: DeviceID) throws(StoreError) -> [Fingerprint: [Resolution.Twin]] {
        var found: [Fingerprint: [(id: Int64, twin: Resolution.Twin)]] = [:]
        for chunk in Self.chunks(Array(Set(fingerprints))) {
            let arm: [SQLValue] = [.integer(device.rawValue), .integer(datastore.rawValue), .integer(datastore.rawValue)] + chunk.map { .blob($0.bytes) }
            let values = arm + arm
            try database.forEach(Self.liveTwinsSQL, values) { row throws(StoreError) in
                let item = try ItemRow(row)
                guard let fingerprint = item.fingerprint else { return }
                found[fingerprint, default: []].append((item.id, Resolution.Twin(item: item.stored, luid: row.isNull(6) ? nil : row.text(6))))
            }
        }
        return found.mapValues { $0.sorted { $0.id < $1.id }.map(\.twin) }
    }

    private static let liveTwinsSQL = ItemRow.byFingerprint(test: "IN (\(placeholders))", extraColumns: ", m.luid",
                                                            join: "LEFT JOIN maps m ON m.item_id = i.id AND m.device_id = ? AND m.datastore_id = ?")

    private static var placeholders: String { Array(repeating: "?", count: resolveChunk).joined(separator: ", ") }

    /// `values` in chunks of exactly `resolveChunk`, the last padded by repeating its last value.
    private static func chunks<T>(_ values: [T]) -> [[T]] {
        stride(from: 0, to: values.count, by: resolveChunk).map { start in
            var chunk = Array(values[start..<min(start + resolveChunk, values.count)])
            while chunk.count < resolveChunk { chunk.append(chunk[chunk.count - 1]) }
            return chunk
        }
    }
}
