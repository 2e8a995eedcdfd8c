public import SyncMLRecords

// MARK: Items: current state, lookups by fingerprint and match key, payloads

extension SyncStore {
    // The per-item lookups' statements, built once: the cache finds them by their text.
    private static let itemByGUID = "SELECT \(ItemRow.columns) FROM items WHERE datastore_id = ? AND guid = ?"
    private static let itemByID = "SELECT \(ItemRow.columns) FROM items WHERE id = ?"
    private static let itemByLUID = """
        SELECT \(ItemRow.aliasedColumns) FROM maps m JOIN items i ON i.id = m.item_id
        WHERE m.device_id = ? AND m.datastore_id = ? AND m.luid = ?
        """
    private static let itemsByDigest = """
        SELECT \(ItemRow.aliasedColumns)
        FROM (SELECT item_id FROM match_keys WHERE datastore_id = ? AND key = ? ORDER BY item_id LIMIT ?) m
        JOIN items i ON i.id = m.item_id
        """
    private static let liveItemsByGUID = "SELECT \(ItemRow.columns) FROM items WHERE datastore_id = ? AND deleted = 0 ORDER BY guid"

    func itemRow(guid: String, datastore: DatastoreID) throws(StoreError) -> ItemRow? {
        try database.first(Self.itemByGUID,
                           [.integer(datastore.rawValue), .text(guid)]) { row throws(StoreError) in try ItemRow(row) }
    }

    func itemRow(id: Int64) throws(StoreError) -> ItemRow? {
        try database.first(Self.itemByID, [.integer(id)]) { row throws(StoreError) in
            try ItemRow(row)
        }
    }

    func itemRow(luid: String, device: DeviceID, datastore: DatastoreID) throws(StoreError) -> ItemRow? {
        try database.first(Self.itemByLUID, [.integer(device.rawValue), .integer(datastore.rawValue), .text(luid)]) { row throws(StoreError) in try ItemRow(row) }
    }

    /// The current state of item `guid`.
    public func item(guid: String, datastore: DatastoreID) throws(StoreError) -> StoredItem? {
        try itemRow(guid: guid, datastore: datastore)?.stored
    }

    /// Live items with this fingerprint (indexed; deferred fingerprints are indexed first).
    public func items(withFingerprint fingerprint: Fingerprint, datastore: DatastoreID) throws(StoreError) -> [StoredItem] {
        try indexPendingKeys(datastore: datastore)
        var items: [StoredItem] = []
        try database.forEach(Self.itemsWithFingerprint, [.integer(datastore.rawValue), .blob(fingerprint.bytes), .integer(datastore.rawValue), .blob(fingerprint.bytes)]) { row throws(StoreError) in items.append(try ItemRow(row).stored) }
        return items
    }

    private static let itemsWithFingerprint = ItemRow.byFingerprint(test: "= ?")

    /// Live items having any of `keys` (indexed; deferred keys are indexed first), each once, in GUID order.
    /// `limitPerKey` bounds the rows read per key, so that a key thousands of
    /// items share (a switchboard number) costs the same as a rare one.
    public func items(matchingKeys keys: [MatchKey.IndexKey], datastore: DatastoreID, limitPerKey: Int? = nil) throws(StoreError) -> [StoredItem] {
        try items(matchingDigests: Set(keys.map(\.digest)), datastore: datastore, limitPerKey: limitPerKey)
    }

    /// `items(matchingKeys:)` by the keys' digests.
    func items(matchingDigests digests: Set<Int64>, datastore: DatastoreID, limitPerKey: Int?) throws(StoreError) -> [StoredItem] {
        if !digests.isEmpty { try indexPendingKeys(datastore: datastore) }
        var found: [Int64: ItemRow] = [:]
        for digest in digests {
            // The items read in the same statement: LIMIT takes the key's first rows in index
            // order, as a query of match_keys alone would, and only those are joined.
            try database.forEach(Self.itemsByDigest, [.integer(datastore.rawValue), .integer(digest), .integer(limitPerKey.map(Int64.init) ?? Int64.max)]) { row throws(StoreError) in
                let item = try ItemRow(row)
                found[item.id] = item
            }
        }
        return found.values.filter { !$0.deleted }.map(\.stored).sorted { $0.guid < $1.guid }
    }

    /// Live items sharing an index key with `matchKey`.
    public func items(matching matchKey: MatchKey, datastore: DatastoreID, limitPerKey: Int? = nil) throws(StoreError) -> [StoredItem] {
        try items(matchingKeys: matchKey.indexKeys, datastore: datastore, limitPerKey: limitPerKey)
    }

    /// The key digests `match_keys` holds for item `guid`, sorted, as they are: keys
    /// deferred and not yet caught up (`indexPendingKeys`) are missing. For tests: it
    /// reads the datastore's whole index, as nothing indexes it by item.
    package func indexedKeyDigests(guid: String, datastore: DatastoreID) throws(StoreError) -> [Int64] {
        guard let item = try itemRow(guid: guid, datastore: datastore) else { throw StoreError(.notFound, "no item \(guid)") }
        var keys: [Int64] = []
        try database.forEach("SELECT key FROM match_keys WHERE datastore_id = ? AND item_id = ? ORDER BY key",
                             [.integer(datastore.rawValue), .integer(item.id)]) { row in keys.append(row.integer(0)) }
        return keys
    }

    /// The current payload of item `guid`; nil when it is deleted.
    public func payload(guid: String, datastore: DatastoreID) throws(StoreError) -> [UInt8]? {
        guard let item = try itemRow(guid: guid, datastore: datastore) else { throw StoreError(.notFound, "no item \(guid)") }
        return item.deleted ? nil : try payload(version: item.version)
    }

    /// Every live item's GUID (for slow syncs), in GUID order.
    public func liveItems(datastore: DatastoreID) throws(StoreError) -> [StoredItem] {
        var items: [StoredItem] = []
        try database.forEach(Self.liveItemsByGUID,
                             [.integer(datastore.rawValue)]) { row throws(StoreError) in items.append(try ItemRow(row).stored) }
        return items
    }

    /// The live items of `datastore` (in GUID order) except those `held` lists
    /// with their current fingerprint: what a slow sync still has to send a
    /// client that holds `held`. Items left out are never built, so a big
    /// datastore the client already holds costs a scan, not its copy in memory.
    public func liveItems(datastore: DatastoreID, except held: [String: Fingerprint]) throws(StoreError) -> [StoredItem] {
        var items: [StoredItem] = []
        try database.forEach(Self.liveItemsByGUID,
                             [.integer(datastore.rawValue)]) { row throws(StoreError) in
            let guid = row.text(1)
            if let has = held[guid], has == (try Self.fingerprint(row.optionalBlob(3))) { return }
            items.append(try ItemRow(row).stored)
        }
        return items
    }

    /// Up to `limit` live items of `datastore` whose GUIDs sort after `guid`
    /// (from the first with nil), in GUID order: the live items a page at a
    /// time, so a caller that walks them all holds one page in memory.
    public func liveItems(datastore: DatastoreID, after guid: String?, limit: Int) throws(StoreError) -> [StoredItem] {
        var items: [StoredItem] = []
        items.reserveCapacity(max(0, min(limit, 10_000)))
        // The first page has no lower bound: an empty GUID (a host may give one) sorts first and is not skipped.
        try database.forEach("""
            SELECT \(ItemRow.columns) FROM items
            WHERE datastore_id = ? AND deleted = 0\(guid == nil ? "" : " AND guid > ?") ORDER BY guid LIMIT ?
            """, [.integer(datastore.rawValue)] + (guid.map { [.text($0)] } ?? []) + [.integer(Int64(max(0, limit)))]) { row throws(StoreError) in
            items.append(try ItemRow(row).stored)
        }
        return items
    }

    /// The number of live items of `datastore`: a read of every item, so proportional
    /// to the datastore; a sync that may not need it counts later (`liveCount(datastore:asOf:)`).
    public func liveCount(datastore: DatastoreID) throws(StoreError) -> Int {
        Int(try database.integer("SELECT count(*) FROM items WHERE datastore_id = ? AND deleted = 0", [.integer(datastore.rawValue)]) ?? 0)
    }

    /// The number of live items `datastore` had when its journal ended at `sequence`
    /// (`lastSequence(datastore:)` then): the count now, less the items written since
    /// that are live now, plus those that were live at `sequence` (by their version then,
    /// walked down from the current one). So a session can note the sequence when it starts,
    /// which costs one indexed read, and count only if it comes to need the number.
    public func liveCount(datastore: DatastoreID, asOf sequence: Int64) throws(StoreError) -> Int {
        var count = try liveCount(datastore: datastore)
        var written: [(id: Int64, deleted: Bool)] = []
        try database.forEach("SELECT id, deleted FROM items WHERE id IN (SELECT item_id FROM journal WHERE datastore_id = ? AND seq > ?)",
                             [.integer(datastore.rawValue), .integer(sequence)]) { row in written.append((row.integer(0), row.integer(1) != 0)) }
        // One item's walk a statement: over many items at once PostgreSQL planned the walk as a hash join reading the whole journal.
        for item in written {
            let then = try version(ofItem: item.id, at: sequence)?.operation
            let liveThen = then != nil && then != Int64(ChangeOperation.delete.rawValue)
            count += (liveThen ? 1 : 0) - (item.deleted ? 0 : 1)
        }
        return count
    }
}
