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

    /// The known item: mapped by LUID, else the named one.
    public var known: StoredItem? { mapped ?? named }
}

extension SyncStore {
    /// LUIDs and fingerprints are looked up this many per statement: a fixed arity keeps
    /// one cached statement (a shorter chunk repeats its last value).
    static let resolveChunk = 32

    /// Resolves a message's incoming items at once, one `Resolution` per key in
    /// order: one call per message instead of several per item (an actor hop each
    /// here, a round trip each on a networked database). LUIDs and fingerprints
    /// are read `resolveChunk` per statement; match keys one statement per key.
    public func resolve(_ incoming: [IncomingKey], datastore: DatastoreID, device: DeviceID, limitPerKey: Int = 8) throws(StoreError) -> [Resolution] {
        var resolutions = [Resolution](repeating: Resolution(), count: incoming.count)
        let byLUID = try mappedItems(luids: incoming.compactMap(\.luid), datastore: datastore, device: device)
        var unknown: [Int] = []
        for (index, key) in incoming.enumerated() {
            if let luid = key.luid, let item = byLUID[luid] {
                resolutions[index].mapped = item.stored
            } else if let guid = key.guid, let item = try itemRow(guid: guid, datastore: datastore), !item.deleted {
                resolutions[index].named = item.stored
            } else {
                unknown.append(index)
                continue
            }
            if let version = resolutions[index].known?.version, version > 0 {
                resolutions[index].current = try entry(sequence: version)
            }
        }
        let twins = try liveTwins(fingerprints: unknown.compactMap { incoming[$0].fingerprint }, datastore: datastore, device: device)
        for index in unknown {
            if let fingerprint = incoming[index].fingerprint { resolutions[index].twins = twins[fingerprint] ?? [] }
            guard resolutions[index].twins.isEmpty, !incoming[index].keys.isEmpty else { continue }
            var candidates: [Int64: [StoredItem]] = [:]
            for digest in Set(incoming[index].keys.map(\.digest)) {
                candidates[digest] = try items(matchingDigests: [digest], datastore: datastore, limitPerKey: limitPerKey)
            }
            resolutions[index].candidates = candidates
        }
        return resolutions
    }

    /// The items the device's `luids` map to, by LUID.
    private func mappedItems(luids: [String], datastore: DatastoreID, device: DeviceID) throws(StoreError) -> [String: ItemRow] {
        var found: [String: ItemRow] = [:]
        let sql = """
            SELECT i.id, i.guid, i.type, i.fingerprint, i.deleted, i.version, m.luid FROM maps m JOIN items i ON i.id = m.item_id
            WHERE m.device_id = ? AND m.datastore_id = ? AND m.luid IN (\(Self.placeholders))
            """
        for chunk in Self.chunks(Array(Set(luids))) {
            try database.forEach(sql, [.integer(device.rawValue), .integer(datastore.rawValue)] + chunk.map { .text($0) }) { row throws(StoreError) in
                found[row.text(6)] = try ItemRow(row)
            }
        }
        return found
    }

    /// Live items with each of `fingerprints`, in storage (row id) order, with the device's LUID for each.
    private func liveTwins(fingerprints: [Fingerprint], datastore: DatastoreID, device: DeviceID) throws(StoreError) -> [Fingerprint: [Resolution.Twin]] {
        var found: [Fingerprint: [(id: Int64, twin: Resolution.Twin)]] = [:]
        let sql = """
            SELECT i.id, i.guid, i.type, i.fingerprint, i.deleted, i.version, m.luid FROM items i
            LEFT JOIN maps m ON m.item_id = i.id AND m.device_id = ? AND m.datastore_id = ?
            WHERE i.datastore_id = ? AND i.deleted = 0 AND i.fingerprint IN (\(Self.placeholders))
            """
        for chunk in Self.chunks(Array(Set(fingerprints))) {
            let values: [SQLValue] = [.integer(device.rawValue), .integer(datastore.rawValue), .integer(datastore.rawValue)] + chunk.map { .blob($0.bytes) }
            try database.forEach(sql, values) { row throws(StoreError) in
                let item = try ItemRow(row)
                guard let fingerprint = item.fingerprint else { return }
                found[fingerprint, default: []].append((item.id, Resolution.Twin(item: item.stored, luid: row.isNull(6) ? nil : row.text(6))))
            }
        }
        return found.mapValues { $0.sorted { $0.id < $1.id }.map(\.twin) }
    }

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
