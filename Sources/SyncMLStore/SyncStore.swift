public import Foundation
public import SyncMLCodec
public import SyncMLRecords
/// The server's memory: per user and datastore every item, every change (the
/// journal), and per device what it has acknowledged, its LUID maps, anchors
/// and sessions. One SQLite connection, confined to this actor.
///
/// See docs/STORE.md for the schema, echo suppression, collapsing, undo and
/// compaction rules.
public actor SyncStore {
    let database: Database
    let codec: PayloadCodec
    private let clock: @Sendable () -> Date

    /// Opens (creating and migrating if needed) the store at `path`
    /// (":memory:" for a private in-memory store).
    public init(path: String, useDictionary: Bool = true, clock: @escaping @Sendable () -> Date = { Date() }) throws(StoreError) {
        database = try Database(path: path)
        try Migrations.migrate(database)
        codec = PayloadCodec(useDictionary: useDictionary)
        self.clock = clock
    }

    var nowMillis: Int64 { Self.millis(clock()) }
    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    // MARK: Users, datastores, devices

    /// The user named `name`, created on first use.
    public func user(named name: String) throws(StoreError) -> UserID {
        try database.run("INSERT OR IGNORE INTO users(name, created) VALUES (?, ?)", [.text(name), .integer(nowMillis)])
        return UserID(rawValue: try database.integer("SELECT id FROM users WHERE name = ?", [.text(name)])!)
    }

    /// The datastore `name` of `user`, created on first use.
    public func datastore(named name: String, user: UserID) throws(StoreError) -> DatastoreID {
        try database.run("INSERT OR IGNORE INTO datastores(user_id, name) VALUES (?, ?)", [.integer(user.rawValue), .text(name)])
        guard let id = try database.integer("SELECT id FROM datastores WHERE user_id = ? AND name = ?", [.integer(user.rawValue), .text(name)]) else {
            throw StoreError(.notFound, "no user \(user.rawValue)")
        }
        return DatastoreID(rawValue: id)
    }

    /// The device with SyncML DevID `devID` of `user`, created on first use.
    public func device(devID: String, user: UserID) throws(StoreError) -> DeviceID {
        try database.run("INSERT OR IGNORE INTO devices(user_id, dev_id) VALUES (?, ?)", [.integer(user.rawValue), .text(devID)])
        guard let id = try database.integer("SELECT id FROM devices WHERE user_id = ? AND dev_id = ?", [.integer(user.rawValue), .text(devID)]) else {
            throw StoreError(.notFound, "no user \(user.rawValue)")
        }
        return DeviceID(rawValue: id)
    }

    /// Keeps the device's DevInf (with its CTCaps) exactly as it sent it.
    public func setDevInf(_ bytes: [UInt8], for device: DeviceID) throws(StoreError) {
        let changed = try database.run("UPDATE devices SET devinf = ?, devinf_time = ? WHERE id = ?",
                                       [.blob(bytes), .integer(nowMillis), .integer(device.rawValue)])
        guard changed == 1 else { throw StoreError(.notFound, "no device \(device.rawValue)") }
    }

    /// The DevInf the device last sent, as sent.
    public func devInf(for device: DeviceID) throws(StoreError) -> [UInt8]? {
        try database.first("SELECT devinf FROM devices WHERE id = ?", [.integer(device.rawValue)]) { row in row.optionalBlob(0) } ?? nil
    }

    /// Anchors and acknowledged sequence of a device in a datastore (zero/nil before its first sync).
    public func deviceState(_ device: DeviceID, datastore: DatastoreID) throws(StoreError) -> DeviceState {
        try database.first("""
            SELECT last_anchor, next_anchor, acked_seq, client_type, previous_anchor FROM device_datastores WHERE device_id = ? AND datastore_id = ?
            """, [.integer(device.rawValue), .integer(datastore.rawValue)]) { row in
            DeviceState(lastAnchor: row.optionalText(0), nextAnchor: row.optionalText(1), acknowledged: row.integer(2), clientType: row.optionalText(3),
                        previousAnchor: row.optionalText(4))
        } ?? DeviceState(lastAnchor: nil, nextAnchor: nil, acknowledged: 0)
    }

    /// Records the anchors of a sync of `datastore` with `device`.
    /// The anchor it replaces is kept as `previousAnchor`.
    public func setAnchors(_ device: DeviceID, datastore: DatastoreID, last: String?, next: String?) throws(StoreError) {
        try database.run("""
            INSERT INTO device_datastores(device_id, datastore_id, last_anchor, next_anchor) VALUES (?, ?, ?, ?)
            ON CONFLICT(device_id, datastore_id) DO UPDATE SET previous_anchor = last_anchor,
                last_anchor = excluded.last_anchor, next_anchor = excluded.next_anchor
            """, [.integer(device.rawValue), .integer(datastore.rawValue), last.map { .text($0) } ?? .null, next.map { .text($0) } ?? .null])
    }

    /// Remembers the content type `device` sends in `datastore`.
    public func setClientType(_ type: String, device: DeviceID, datastore: DatastoreID) throws(StoreError) {
        try database.run("""
            INSERT INTO device_datastores(device_id, datastore_id, client_type) VALUES (?, ?, ?)
            ON CONFLICT(device_id, datastore_id) DO UPDATE SET client_type = excluded.client_type
            """, [.integer(device.rawValue), .integer(datastore.rawValue), .text(type)])
    }

    /// Records that `device` has every change of `datastore` up to `sequence`.
    /// Never moves backwards.
    public func acknowledge(_ device: DeviceID, datastore: DatastoreID, through sequence: Int64) throws(StoreError) {
        guard sequence >= 0 else { throw StoreError(.invalidArgument, "negative sequence \(sequence)") }
        try database.run("""
            INSERT INTO device_datastores(device_id, datastore_id, acked_seq) VALUES (?, ?, ?)
            ON CONFLICT(device_id, datastore_id) DO UPDATE SET acked_seq = max(acked_seq, excluded.acked_seq)
            """, [.integer(device.rawValue), .integer(datastore.rawValue), .integer(sequence)])
    }

    /// The end of a sync, in one transaction: the new anchors, the content type
    /// the device sends (when known) and what it acknowledged (when it confirmed
    /// everything). Together or not at all: anchors saved without the
    /// acknowledgement would make the device's next edits look like conflicts
    /// with changes it already has; neither saved makes the next sync slow.
    public func finishSync(_ device: DeviceID, datastore: DatastoreID, last: String?, next: String?, clientType: String? = nil,
                           acknowledgeThrough sequence: Int64?) throws(StoreError) {
        try database.transaction { () throws(StoreError) in
            try setAnchors(device, datastore: datastore, last: last, next: next)
            if let clientType { try setClientType(clientType, device: device, datastore: datastore) }
            if let sequence { try acknowledge(device, datastore: datastore, through: sequence) }
        }
    }

    /// Forgets what the device acknowledged and its maps (before a slow sync).
    public func resetDevice(_ device: DeviceID, datastore: DatastoreID) throws(StoreError) {
        try database.transaction { () throws(StoreError) in
            try database.run("""
                UPDATE device_datastores SET acked_seq = 0, last_anchor = NULL, next_anchor = NULL, previous_anchor = NULL
                WHERE device_id = ? AND datastore_id = ?
                """,
                             [.integer(device.rawValue), .integer(datastore.rawValue)])
            try database.run("DELETE FROM maps WHERE device_id = ? AND datastore_id = ?", [.integer(device.rawValue), .integer(datastore.rawValue)])
        }
    }

    // MARK: Sessions

    /// Starts a session; the changes applied under it are journaled with it
    /// (and undone together). A sync session has a `device`; a server-side
    /// session (`kind` "import", say) has none.
    public func beginSession(device: DeviceID?, sessionKey: String? = nil, kind: String = "sync") throws(StoreError) -> SessionID {
        try database.run("INSERT INTO sessions(device_id, session_key, kind, started) VALUES (?, ?, ?, ?)",
                         [device.map { .integer($0.rawValue) } ?? .null, sessionKey.map { .text($0) } ?? .null, .text(kind), .integer(nowMillis)])
        return SessionID(rawValue: database.lastInsertRowID)
    }

    /// Saves the engine's state so the session can be resumed (SyncML suspend/resume).
    public func suspendSession(_ session: SessionID, resumeState: [UInt8]) throws(StoreError) {
        let changed = try database.run("UPDATE sessions SET state = 'suspended', resume_state = ? WHERE id = ? AND state IN ('active', 'suspended')",
                                       [.blob(resumeState), .integer(session.rawValue)])
        guard changed == 1 else { throw StoreError(.notFound, "no active session \(session.rawValue)") }
    }

    /// The device's most recent suspended session, if any.
    public func suspendedSession(device: DeviceID) throws(StoreError) -> SuspendedSession? {
        try database.first("SELECT id, session_key, resume_state FROM sessions WHERE device_id = ? AND state = 'suspended' ORDER BY id DESC LIMIT 1",
                           [.integer(device.rawValue)]) { row in
            SuspendedSession(id: SessionID(rawValue: row.integer(0)), sessionKey: row.optionalText(1), resumeState: row.blob(2))
        }
    }

    /// Marks a suspended session active again.
    public func resumeSession(_ session: SessionID) throws(StoreError) {
        let changed = try database.run("UPDATE sessions SET state = 'active' WHERE id = ? AND state = 'suspended'", [.integer(session.rawValue)])
        guard changed == 1 else { throw StoreError(.notFound, "no suspended session \(session.rawValue)") }
    }

    /// Ends a session (`succeeded: false` for an aborted one; its applied changes stay journaled and undoable).
    public func endSession(_ session: SessionID, succeeded: Bool = true) throws(StoreError) {
        try database.run("UPDATE sessions SET state = ?, ended = ?, resume_state = NULL WHERE id = ?",
                         [.text(succeeded ? "completed" : "failed"), .integer(nowMillis), .integer(session.rawValue)])
    }

    /// The state of a session: "active", "suspended", "completed", "failed" or "undone".
    public func sessionState(_ session: SessionID) throws(StoreError) -> String? {
        try database.first("SELECT state FROM sessions WHERE id = ?", [.integer(session.rawValue)]) { row in row.text(0) }
    }

    // MARK: Applying client changes

    /// Applies a batch of client changes (one SyncML message or package) in one
    /// transaction: all of them or, if anything throws, none.
    ///
    /// A change whose fingerprint equals the item's current one writes no
    /// journal row (`.unchanged`); an add whose LUID is already mapped (a
    /// resent message) is a replace of the mapped item; an add without a GUID
    /// from a device, equal to a live item that device has no LUID for, is
    /// mapped to that item (`.unchanged`) instead of doubling it. Every journal row
    /// records `device` and `session`, which is what echo suppression and undo use.
    public func apply(_ changes: [ItemChange], datastore: DatastoreID, device: DeviceID?, session: SessionID? = nil) throws(StoreError) -> [AppliedChange] {
        try database.transaction { () throws(StoreError) -> [AppliedChange] in
            var results: [AppliedChange] = []
            results.reserveCapacity(changes.count)
            let time = nowMillis
            for change in changes {
                results.append(try apply(change, datastore: datastore, device: device, session: session, time: time))
            }
            return results
        }
    }

    private struct ItemRow {
        var id: Int64
        var guid: String
        var type: String
        var fingerprint: Fingerprint?
        var deleted: Bool
        var version: Int64
    }

    private func itemRow(guid: String, datastore: DatastoreID) throws(StoreError) -> ItemRow? {
        try database.first("SELECT id, guid, type, fingerprint, deleted, version FROM items WHERE datastore_id = ? AND guid = ?",
                           [.integer(datastore.rawValue), .text(guid)]) { row in Self.itemRow(row) }
    }

    private func itemRow(id: Int64) throws(StoreError) -> ItemRow? {
        try database.first("SELECT id, guid, type, fingerprint, deleted, version FROM items WHERE id = ?", [.integer(id)]) { row in Self.itemRow(row) }
    }

    private func itemRow(luid: String, device: DeviceID, datastore: DatastoreID) throws(StoreError) -> ItemRow? {
        try database.first("""
            SELECT i.id, i.guid, i.type, i.fingerprint, i.deleted, i.version FROM maps m JOIN items i ON i.id = m.item_id
            WHERE m.device_id = ? AND m.datastore_id = ? AND m.luid = ?
            """, [.integer(device.rawValue), .integer(datastore.rawValue), .text(luid)]) { row in Self.itemRow(row) }
    }

    private static func itemRow(_ row: borrowing Row) -> ItemRow {
        ItemRow(id: row.integer(0), guid: row.text(1), type: row.text(2), fingerprint: fingerprint(row.optionalBlob(3)),
                deleted: row.integer(4) != 0, version: row.integer(5))
    }

    static func fingerprint(_ bytes: [UInt8]?) -> Fingerprint? {
        guard let bytes, bytes.count == 16 else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for index in 0..<8 {
            high |= UInt64(bytes[index]) << (8 * index)
            low |= UInt64(bytes[8 + index]) << (8 * index)
        }
        return Fingerprint(high: high, low: low)
    }

    private static func value(_ fingerprint: Fingerprint?) -> SQLValue { fingerprint.map { .blob($0.bytes) } ?? .null }
    private static func value(_ id: (some RawRepresentable<Int64>)?) -> SQLValue { id.map { .integer($0.rawValue) } ?? .null }

    private func apply(_ change: ItemChange, datastore: DatastoreID, device: DeviceID?, session: SessionID?, time: Int64) throws(StoreError) -> AppliedChange {
        var item: ItemRow?
        if let guid = change.guid {
            item = try itemRow(guid: guid, datastore: datastore)
        } else if let luid = change.luid, let device {
            item = try itemRow(luid: luid, device: device, datastore: datastore)
        }
        switch change.operation {
        case .delete:
            guard var item else { return AppliedChange(outcome: .notFound, guid: change.guid, luid: change.luid) }
            if let device, let luid = change.luid {
                try database.run("DELETE FROM maps WHERE device_id = ? AND datastore_id = ? AND luid = ?",
                                 [.integer(device.rawValue), .integer(datastore.rawValue), .text(luid)])
            }
            guard !item.deleted else { return AppliedChange(outcome: .unchanged, guid: item.guid, luid: change.luid) }
            let seq = try writeVersion(of: &item, datastore: datastore, operation: .delete, fingerprint: nil, keys: [], frame: nil,
                                       type: item.type, device: device, session: session, time: time)
            return AppliedChange(outcome: .deleted, guid: item.guid, luid: change.luid, sequence: seq)
        case .add, .replace:
            var outcome = AppliedChange.Outcome.replaced
            var operation = ChangeOperation.replace
            if var existing = item {
                if !existing.deleted, let fingerprint = change.fingerprint, existing.fingerprint == fingerprint {
                    try mapIfNeeded(change.luid, item: existing.id, device: device, datastore: datastore)
                    return AppliedChange(outcome: .unchanged, guid: existing.guid, luid: change.luid)
                }
                if existing.deleted { (outcome, operation) = (.added, .add) }
                let frame = try codec.encode(change.payload)
                let seq = try writeVersion(of: &existing, datastore: datastore, operation: operation, fingerprint: change.fingerprint,
                                           keys: change.matchKeys, frame: frame, type: change.type, device: device, session: session, time: time)
                try mapIfNeeded(change.luid, item: existing.id, device: device, datastore: datastore)
                return AppliedChange(outcome: outcome, guid: existing.guid, luid: change.luid, sequence: seq)
            }
            // An add equal to a live item this device has no LUID for is that item. The engine
            // matches a client's Add before the batch is written; another device of the user may
            // have added the same record in between (two phones slow-syncing one address book).
            if change.operation == .add, change.guid == nil, let device, let fingerprint = change.fingerprint,
               let twin = try database.first("""
                   SELECT id, guid, type, fingerprint, deleted, version FROM items i
                   WHERE datastore_id = ? AND fingerprint = ? AND deleted = 0
                     AND NOT EXISTS (SELECT 1 FROM maps m WHERE m.item_id = i.id AND m.device_id = ?)
                   ORDER BY id LIMIT 1
                   """, [.integer(datastore.rawValue), .blob(fingerprint.bytes), .integer(device.rawValue)], { row in Self.itemRow(row) }) {
                try mapIfNeeded(change.luid, item: twin.id, device: device, datastore: datastore)
                return AppliedChange(outcome: .unchanged, guid: twin.guid, luid: change.luid)
            }
            // A new item. Its GUID is the caller's, or its row id. Inserted with its fingerprint, so that
            // writeVersion has only the version to set (the fingerprint index is written once).
            var created = try database.first("""
                INSERT INTO items(datastore_id, guid, type, fingerprint) VALUES (?, coalesce(?, (SELECT ifnull(max(id), 0) + 1 FROM items)), ?, ?)
                RETURNING id, guid
                """, [.integer(datastore.rawValue), change.guid.map { .text($0) } ?? .null, .text(change.type), Self.value(change.fingerprint)]) { row in
                ItemRow(id: row.integer(0), guid: row.text(1), type: change.type, fingerprint: change.fingerprint, deleted: false, version: 0)
            }!
            let frame = try codec.encode(change.payload)
            let seq = try writeVersion(of: &created, datastore: datastore, operation: .add, fingerprint: change.fingerprint,
                                       keys: change.matchKeys, frame: frame, type: change.type, device: device, session: session, time: time)
            try mapIfNeeded(change.luid, item: created.id, device: device, datastore: datastore)
            return AppliedChange(outcome: .added, guid: created.guid, luid: change.luid, sequence: seq)
        }
    }

    private func mapIfNeeded(_ luid: String?, item: Int64, device: DeviceID?, datastore: DatastoreID) throws(StoreError) {
        guard let luid, let device else { return }
        // OR REPLACE also drops an older LUID of the same item on this device (unique maps_item).
        try database.run("INSERT OR REPLACE INTO maps(device_id, datastore_id, luid, item_id) VALUES (?, ?, ?, ?)",
                         [.integer(device.rawValue), .integer(datastore.rawValue), .text(luid), .integer(item)])
    }

    /// Appends a journal row for `item` and makes it the item's current version.
    private func writeVersion(of item: inout ItemRow, datastore: DatastoreID, operation: ChangeOperation, fingerprint: Fingerprint?,
                              keys: [String], frame: [UInt8]?, type: String, device: DeviceID?, session: SessionID?,
                              time: Int64) throws(StoreError) -> Int64 {
        let deleted = operation == .delete
        try database.run("""
            INSERT INTO journal(datastore_id, item_id, op, prev_seq, fingerprint, match_keys, payload, time, device_id, session_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(datastore.rawValue), .integer(item.id), .integer(Int64(operation.rawValue)), .integer(item.version),
                  Self.value(fingerprint), deleted ? .null : .text(keys.joined(separator: "\u{1F}")),
                  frame.map { .blob($0) } ?? .null, .integer(time), Self.value(device), Self.value(session)])
        let seq = database.lastInsertRowID
        if item.version == 0, !deleted, !item.deleted, item.fingerprint == fingerprint, item.type == type {
            // Just created with this state: no keys to drop, and only the version to set.
            try database.run("UPDATE items SET version = ? WHERE id = ?", [.integer(seq), .integer(item.id)])
        } else {
            try database.run("UPDATE items SET type = ?, fingerprint = ?, deleted = ?, version = ? WHERE id = ?",
                             [.text(type), Self.value(fingerprint), .integer(deleted ? 1 : 0), .integer(seq), .integer(item.id)])
            try database.run("DELETE FROM match_keys WHERE item_id = ?", [.integer(item.id)])
        }
        if !deleted {
            for key in Set(keys) {
                try database.run("INSERT INTO match_keys(datastore_id, key, item_id) VALUES (?, ?, ?)",
                                 [.integer(datastore.rawValue), .text(key), .integer(item.id)])
            }
        }
        item.fingerprint = fingerprint
        item.deleted = deleted
        item.version = seq
        item.type = type
        return seq
    }

    // MARK: Changes for a device

    /// The changes of `datastore` that `device` lacks: journal rows after
    /// `since` (default: what it acknowledged), collapsed per item to the last
    /// change, leaving out items whose last change the device made itself
    /// (echo suppression). An item the device never knew comes as an add; one
    /// it never knew that was deleted meanwhile does not come at all.
    ///
    /// Reads the journal from `since` through its index, so the cost is
    /// proportional to the changes, not to the store.
    public func changes(for device: DeviceID, datastore: DatastoreID, since: Int64? = nil, includePayloads: Bool = true) throws(StoreError) -> ChangeSet {
        var from: Int64
        if let since { from = since } else { from = try deviceState(device, datastore: datastore).acknowledged }
        struct Last { var seq: Int64; var op: Int64; var device: Int64? }
        var last: [Int64: Last] = [:]
        /// Items the device itself changed in the range: it may hold a version other than the one at `from`.
        var changedByDevice = Set<Int64>()
        var through = from
        try database.forEach("SELECT seq, item_id, op, device_id FROM journal WHERE datastore_id = ? AND seq > ? ORDER BY seq",
                             [.integer(datastore.rawValue), .integer(from)]) { row in
            let seq = row.integer(0)
            let entry = Last(seq: seq, op: row.integer(2), device: row.isNull(3) ? nil : row.integer(3))
            last[row.integer(1)] = entry
            if entry.device == device.rawValue { changedByDevice.insert(row.integer(1)) }
            through = seq
        }
        var result: [OutgoingChange] = []
        for (itemID, entry) in last.sorted(by: { $0.value.seq < $1.value.seq }) {
            if entry.device == device.rawValue { continue } // its own change is the item's latest state
            let luid = try database.first("SELECT luid FROM maps WHERE device_id = ? AND datastore_id = ? AND item_id = ?",
                                          [.integer(device.rawValue), .integer(datastore.rawValue), .integer(itemID)]) { row in row.text(0) }
            var known = luid != nil
            if !known {
                // Did the item exist (not deleted) when the device was at `from`?
                let opAtFrom = try database.integer("SELECT op FROM journal WHERE item_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1",
                                                    [.integer(itemID), .integer(from)])
                known = opAtFrom != nil && opAtFrom != Int64(ChangeOperation.delete.rawValue)
            }
            let isDelete = entry.op == Int64(ChangeOperation.delete.rawValue)
            if isDelete && !known { continue }
            let change = try database.first("""
                SELECT i.guid, i.type, j.fingerprint, \(includePayloads && !isDelete ? "j.payload" : "NULL")
                FROM journal j JOIN items i ON i.id = j.item_id WHERE j.seq = ?
                """, [.integer(entry.seq)]) { row in
                (row.text(0), row.text(1), Self.fingerprint(row.optionalBlob(2)), row.optionalBlob(3))
            }
            guard let change else { continue }
            if known, !isDelete, !changedByDevice.contains(itemID), let now = change.2,
               let atFrom = try database.first("SELECT fingerprint FROM journal WHERE item_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1",
                                               [.integer(itemID), .integer(from)], { row in Self.fingerprint(row.optionalBlob(0)) }),
               atFrom == now {
                continue // changed and changed back (a held delete restored, an undo): the device has this version
            }
            result.append(OutgoingChange(sequence: entry.seq, guid: change.0, luid: luid,
                                         operation: isDelete ? .delete : (known ? .replace : .add),
                                         type: change.1, fingerprint: change.2, payload: try change.3.map { frame throws(StoreError) in try codec.decode(frame) }))
        }
        return ChangeSet(changes: result, through: through)
    }

    /// The highest journal sequence of a datastore (0 when empty).
    public func lastSequence(datastore: DatastoreID) throws(StoreError) -> Int64 {
        try database.integer("SELECT max(seq) FROM journal WHERE datastore_id = ?", [.integer(datastore.rawValue)]) ?? 0
    }

    // MARK: Maps

    /// Records a Map command's pairs in one transaction; returns the GUIDs that name no item.
    public func map(_ pairs: [(luid: String, guid: String)], device: DeviceID, datastore: DatastoreID) throws(StoreError) -> [String] {
        try database.transaction { () throws(StoreError) -> [String] in
            var unknown: [String] = []
            for pair in pairs {
                guard let item = try itemRow(guid: pair.guid, datastore: datastore) else {
                    unknown.append(pair.guid)
                    continue
                }
                try mapIfNeeded(pair.luid, item: item.id, device: device, datastore: datastore)
            }
            return unknown
        }
    }

    /// Maps the device's `luid` to the item `guid` (replacing any other LUID of that item on the device).
    public func map(luid: String, to guid: String, device: DeviceID, datastore: DatastoreID) throws(StoreError) {
        guard let item = try itemRow(guid: guid, datastore: datastore) else { throw StoreError(.notFound, "no item \(guid)") }
        try mapIfNeeded(luid, item: item.id, device: device, datastore: datastore)
    }

    /// Forgets the device's `luid`.
    public func unmap(luid: String, device: DeviceID, datastore: DatastoreID) throws(StoreError) {
        try database.run("DELETE FROM maps WHERE device_id = ? AND datastore_id = ? AND luid = ?",
                         [.integer(device.rawValue), .integer(datastore.rawValue), .text(luid)])
    }

    /// The server id the device's `luid` maps to.
    public func guid(forLUID luid: String, device: DeviceID, datastore: DatastoreID) throws(StoreError) -> String? {
        try itemRow(luid: luid, device: device, datastore: datastore)?.guid
    }

    /// The device's id for item `guid`.
    public func luid(forGUID guid: String, device: DeviceID, datastore: DatastoreID) throws(StoreError) -> String? {
        try database.first("""
            SELECT m.luid FROM maps m JOIN items i ON i.id = m.item_id
            WHERE m.device_id = ? AND m.datastore_id = ? AND i.datastore_id = ? AND i.guid = ?
            """, [.integer(device.rawValue), .integer(datastore.rawValue), .integer(datastore.rawValue), .text(guid)]) { row in row.text(0) }
    }

    /// Every LUID → GUID pair of the device in the datastore.
    public func maps(device: DeviceID, datastore: DatastoreID) throws(StoreError) -> [String: String] {
        var maps: [String: String] = [:]
        try database.forEach("SELECT m.luid, i.guid FROM maps m JOIN items i ON i.id = m.item_id WHERE m.device_id = ? AND m.datastore_id = ?",
                             [.integer(device.rawValue), .integer(datastore.rawValue)]) { row in maps[row.text(0)] = row.text(1) }
        return maps
    }

    // MARK: Items

    /// The current state of item `guid`.
    public func item(guid: String, datastore: DatastoreID) throws(StoreError) -> StoredItem? {
        try itemRow(guid: guid, datastore: datastore).map(Self.stored)
    }

    private static func stored(_ row: ItemRow) -> StoredItem {
        StoredItem(guid: row.guid, type: row.type, fingerprint: row.fingerprint, deleted: row.deleted, version: row.version)
    }

    /// Live items with this fingerprint (indexed).
    public func items(withFingerprint fingerprint: Fingerprint, datastore: DatastoreID) throws(StoreError) -> [StoredItem] {
        var items: [StoredItem] = []
        try database.forEach("SELECT id, guid, type, fingerprint, deleted, version FROM items WHERE datastore_id = ? AND fingerprint = ? AND deleted = 0",
                             [.integer(datastore.rawValue), .blob(fingerprint.bytes)]) { row in items.append(Self.stored(Self.itemRow(row))) }
        return items
    }

    /// Live items having any of `keys` (indexed), each once, in GUID order.
    /// `limitPerKey` bounds the rows read per key, so that a key thousands of
    /// items share (a switchboard number) costs the same as a rare one.
    public func items(matchingKeys keys: [String], datastore: DatastoreID, limitPerKey: Int? = nil) throws(StoreError) -> [StoredItem] {
        var found: [Int64: ItemRow] = [:]
        for key in Set(keys) {
            // The items read in the same statement; CROSS JOIN keeps match_keys the outer loop, so
            // LIMIT takes the key's first rows in index order, as a query of match_keys alone would.
            try database.forEach("""
                SELECT i.id, i.guid, i.type, i.fingerprint, i.deleted, i.version FROM match_keys m CROSS JOIN items i ON i.id = m.item_id
                WHERE m.datastore_id = ? AND m.key = ? LIMIT ?
                """, [.integer(datastore.rawValue), .text(key), .integer(Int64(limitPerKey ?? -1))]) { row in
                let item = Self.itemRow(row)
                found[item.id] = item
            }
        }
        return found.values.filter { !$0.deleted }.map(Self.stored).sorted { $0.guid < $1.guid }
    }

    /// Live items sharing a key with `matchKey`.
    public func items(matching matchKey: MatchKey, datastore: DatastoreID, limitPerKey: Int? = nil) throws(StoreError) -> [StoredItem] {
        try items(matchingKeys: ItemChange.keys(for: matchKey), datastore: datastore, limitPerKey: limitPerKey)
    }

    /// The match keys stored for an item's current version.
    public func matchKeys(guid: String, datastore: DatastoreID) throws(StoreError) -> [String] {
        guard let item = try itemRow(guid: guid, datastore: datastore) else { throw StoreError(.notFound, "no item \(guid)") }
        var keys: [String] = []
        try database.forEach("SELECT key FROM match_keys WHERE item_id = ? ORDER BY key", [.integer(item.id)]) { row in keys.append(row.text(0)) }
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
        try database.forEach("SELECT id, guid, type, fingerprint, deleted, version FROM items WHERE datastore_id = ? AND deleted = 0 ORDER BY guid",
                             [.integer(datastore.rawValue)]) { row in items.append(Self.stored(Self.itemRow(row))) }
        return items
    }

    /// The live items of `datastore` (in GUID order) except those `held` lists
    /// with their current fingerprint: what a slow sync still has to send a
    /// client that holds `held`. Items left out are never built, so a big
    /// datastore the client already holds costs a scan, not its copy in memory.
    public func liveItems(datastore: DatastoreID, except held: [String: Fingerprint]) throws(StoreError) -> [StoredItem] {
        var items: [StoredItem] = []
        try database.forEach("SELECT id, guid, type, fingerprint, deleted, version FROM items WHERE datastore_id = ? AND deleted = 0 ORDER BY guid",
                             [.integer(datastore.rawValue)]) { row in
            let guid = row.text(1)
            if let has = held[guid], has == Self.fingerprint(row.optionalBlob(3)) { return }
            items.append(Self.stored(Self.itemRow(row)))
        }
        return items
    }

    // MARK: History

    /// The versions of item `guid` still in the journal, oldest first.
    public func history(guid: String, datastore: DatastoreID) throws(StoreError) -> [JournalEntry] {
        guard let item = try itemRow(guid: guid, datastore: datastore) else { throw StoreError(.notFound, "no item \(guid)") }
        var entries: [JournalEntry] = []
        try database.forEach("SELECT seq, op, fingerprint, time, device_id, session_id, length(payload) FROM journal WHERE item_id = ? ORDER BY seq",
                             [.integer(item.id)]) { row in entries.append(Self.entry(row, guid: item.guid)) }
        return entries
    }

    /// The journal row of item `guid`'s current version (nil for an unknown item).
    public func currentVersion(guid: String, datastore: DatastoreID) throws(StoreError) -> JournalEntry? {
        guard let item = try itemRow(guid: guid, datastore: datastore), item.version > 0 else { return nil }
        return try entry(sequence: item.version)
    }

    private static func entry(_ row: borrowing Row, guid: String) -> JournalEntry {
        JournalEntry(sequence: row.integer(0), guid: guid, operation: ChangeOperation(rawValue: Int(row.integer(1))) ?? .replace,
                     fingerprint: fingerprint(row.optionalBlob(2)), time: date(row.integer(3)),
                     device: row.isNull(4) ? nil : DeviceID(rawValue: row.integer(4)),
                     session: row.isNull(5) ? nil : SessionID(rawValue: row.integer(5)), storedBytes: Int(row.integer(6)))
    }

    private func entry(sequence: Int64) throws(StoreError) -> JournalEntry? {
        try database.first("""
            SELECT j.seq, j.op, j.fingerprint, j.time, j.device_id, j.session_id, length(j.payload), i.guid
            FROM journal j JOIN items i ON i.id = j.item_id WHERE j.seq = ?
            """, [.integer(sequence)]) { row in Self.entry(row, guid: row.text(7)) }
    }

    /// The payload of one version (journal row); nil for a delete.
    public func payload(version sequence: Int64) throws(StoreError) -> [UInt8]? {
        guard let frame = try database.first("SELECT payload, op FROM journal WHERE seq = ?", [.integer(sequence)], { row in row.optionalBlob(0) }) else {
            throw StoreError(.notFound, "no version \(sequence) (compacted or never written)")
        }
        return try frame.map { frame throws(StoreError) in try codec.decode(frame) }
    }

    private struct VersionRow {
        var seq: Int64
        var itemID: Int64
        var op: ChangeOperation
        var fingerprint: Fingerprint?
        var keys: [String]
        var frame: [UInt8]?
    }

    private func versionRow(_ sequence: Int64) throws(StoreError) -> VersionRow? {
        try database.first("SELECT seq, item_id, op, fingerprint, match_keys, payload FROM journal WHERE seq = ?", [.integer(sequence)]) { row in
            VersionRow(seq: row.integer(0), itemID: row.integer(1), op: ChangeOperation(rawValue: Int(row.integer(2))) ?? .replace,
                       fingerprint: Self.fingerprint(row.optionalBlob(3)),
                       keys: row.optionalText(4).map { $0.isEmpty ? [] : $0.split(separator: "\u{1F}").map(String.init) } ?? [],
                       frame: row.optionalBlob(5))
        }
    }

    /// Makes `version` the item's state again, as a new change (so every
    /// device, including the one that made the later changes, receives it on
    /// its next sync). Returns nil when the item already is in that state.
    public func restore(guid: String, datastore: DatastoreID, toVersion sequence: Int64, session: SessionID? = nil) throws(StoreError) -> JournalEntry? {
        try database.transaction { () throws(StoreError) -> JournalEntry? in
            guard var item = try itemRow(guid: guid, datastore: datastore) else { throw StoreError(.notFound, "no item \(guid)") }
            guard let version = try versionRow(sequence), version.itemID == item.id else {
                throw StoreError(.notFound, "item \(guid) has no version \(sequence)")
            }
            guard let seq = try revert(&item, to: version, datastore: datastore, session: session, time: nowMillis) else { return nil }
            return try entry(sequence: seq)
        }
    }

    /// Writes `version` (nil: "did not exist") as the item's new state; nil when nothing changes.
    private func revert(_ item: inout ItemRow, to version: VersionRow?, datastore: DatastoreID, session: SessionID?, time: Int64) throws(StoreError) -> Int64? {
        guard let version, version.op != .delete else {
            if item.deleted { return nil }
            return try writeVersion(of: &item, datastore: datastore, operation: .delete, fingerprint: nil, keys: [], frame: nil,
                                    type: item.type, device: nil, session: session, time: time)
        }
        if !item.deleted, item.fingerprint != nil, item.fingerprint == version.fingerprint { return nil }
        // The frame is reused as stored: no recompression.
        return try writeVersion(of: &item, datastore: datastore, operation: item.deleted ? .add : .replace, fingerprint: version.fingerprint,
                                keys: version.keys, frame: version.frame, type: item.type, device: nil, session: session, time: time)
    }

    /// Brings back, in one transaction, the items `device` deleted from
    /// `datastore` in `session` and nobody changed since: each gets its version
    /// before the delete again, as a change of the server (so every device,
    /// `device` included, receives it). Returns how many came back.
    public func restoreDeletes(session: SessionID, device: DeviceID, datastore: DatastoreID) throws(StoreError) -> Int {
        try database.transaction { () throws(StoreError) -> Int in
            var deletes: [(item: Int64, seq: Int64, prev: Int64)] = []
            try database.forEach("""
                SELECT item_id, seq, prev_seq FROM journal
                WHERE session_id = ? AND device_id = ? AND datastore_id = ? AND op = 3 ORDER BY seq
                """, [.integer(session.rawValue), .integer(device.rawValue), .integer(datastore.rawValue)]) { row in
                deletes.append((row.integer(0), row.integer(1), row.integer(2)))
            }
            let time = nowMillis
            var restored = 0
            for delete in deletes {
                guard var item = try itemRow(id: delete.item), item.version == delete.seq, delete.prev != 0,
                      let previous = try versionRow(delete.prev) else { continue }
                if try revert(&item, to: previous, datastore: datastore, session: session, time: time) != nil { restored += 1 }
            }
            return restored
        }
    }

    /// Writes a consistent copy of the whole store to `path` (`VACUUM INTO`):
    /// for a dry run against real data that must not change.
    public func copy(to path: String) throws(StoreError) {
        try database.run("VACUUM INTO ?", [.text(path)])
    }

    /// The host's change token saved for `datastore` (a client's mirror), if any.
    public func hostToken(datastore: DatastoreID) throws(StoreError) -> String? {
        try database.first("SELECT token FROM host_tokens WHERE datastore_id = ?", [.integer(datastore.rawValue)]) { $0.text(0) }
    }

    /// Saves (nil: forgets) the host's change token for `datastore`.
    public func setHostToken(_ token: String?, datastore: DatastoreID) throws(StoreError) {
        if let token {
            try database.run("INSERT INTO host_tokens(datastore_id, token) VALUES (?, ?) ON CONFLICT(datastore_id) DO UPDATE SET token = excluded.token",
                             [.integer(datastore.rawValue), .text(token)])
        } else {
            try database.run("DELETE FROM host_tokens WHERE datastore_id = ?", [.integer(datastore.rawValue)])
        }
    }

    /// The number of live items of `datastore`.
    public func liveCount(datastore: DatastoreID) throws(StoreError) -> Int {
        Int(try database.integer("SELECT count(*) FROM items WHERE datastore_id = ? AND deleted = 0", [.integer(datastore.rawValue)]) ?? 0)
    }

    /// Undoes every change `session` applied: each item it touched goes back to
    /// its state before the session, as new changes in a new (undoable)
    /// session. Items changed again after the session are skipped unless
    /// `force`; items whose earlier version was compacted away are skipped.
    public func undo(session: SessionID, force: Bool = false) throws(StoreError) -> UndoResult {
        try database.transaction { () throws(StoreError) -> UndoResult in
            guard let state = try sessionState(session) else { throw StoreError(.notFound, "no session \(session.rawValue)") }
            guard state != "undone" else { throw StoreError(.conflict, "session \(session.rawValue) is already undone") }
            var touched: [(item: Int64, datastore: Int64, first: Int64, last: Int64, prev: Int64)] = []
            var index: [Int64: Int] = [:]
            try database.forEach("SELECT item_id, datastore_id, seq, prev_seq FROM journal WHERE session_id = ? ORDER BY seq",
                                 [.integer(session.rawValue)]) { row in
                let item = row.integer(0), seq = row.integer(2)
                if let at = index[item] {
                    touched[at].last = seq
                } else {
                    index[item] = touched.count
                    touched.append((item, row.integer(1), seq, seq, row.integer(3)))
                }
            }
            let time = nowMillis
            try database.run("INSERT INTO sessions(device_id, kind, state, started, ended, undoes) VALUES (NULL, 'undo', 'completed', ?, ?, ?)",
                             [.integer(time), .integer(time), .integer(session.rawValue)])
            let undoSession = SessionID(rawValue: database.lastInsertRowID)
            var reverted: [JournalEntry] = []
            var skipped: [String: String] = [:]
            for entry in touched {
                guard var item = try itemRow(id: entry.item) else { continue }
                if !force, item.version != entry.last {
                    skipped[item.guid] = "changed again after the session (version \(item.version))"
                    continue
                }
                var previous: VersionRow?
                if entry.prev != 0 {
                    guard let row = try versionRow(entry.prev) else {
                        skipped[item.guid] = "version \(entry.prev) before the session was compacted away"
                        continue
                    }
                    previous = row
                }
                if let seq = try revert(&item, to: previous, datastore: DatastoreID(rawValue: entry.datastore), session: undoSession, time: time),
                   let written = try self.entry(sequence: seq) {
                    reverted.append(written)
                }
            }
            try database.run("UPDATE sessions SET state = 'undone' WHERE id = ?", [.integer(session.rawValue)])
            return UndoResult(session: undoSession, reverted: reverted, skipped: skipped)
        }
    }

    // MARK: Compaction

    /// Drops old versions of `datastore`. A version is dropped only when all hold:
    /// it is not among its item's newest `keepVersions`; it is older than
    /// `keepDays`; every device that syncs the datastore has acknowledged it;
    /// and it is not the newest version at or below the lowest acknowledged
    /// sequence (the base every device has, which changes-since and undo read).
    public func compact(datastore: DatastoreID, keepVersions: Int = 10, keepDays: Double = 30) throws(StoreError) -> CompactionResult {
        guard keepVersions >= 1 else { throw StoreError(.invalidArgument, "keepVersions must be at least 1") }
        return try database.transaction { () throws(StoreError) -> CompactionResult in
            let top = try lastSequence(datastore: datastore)
            let acked = try database.integer("SELECT min(acked_seq) FROM device_datastores WHERE datastore_id = ?", [.integer(datastore.rawValue)]) ?? top
            let cutoff = nowMillis - Int64(keepDays * 86_400_000)
            let selection = """
                WITH ranked AS (
                    SELECT seq, time, length(payload) AS bytes,
                           row_number() OVER (PARTITION BY item_id ORDER BY seq DESC) AS rank,
                           max(CASE WHEN seq <= :acked THEN seq END) OVER (PARTITION BY item_id) AS base
                    FROM journal WHERE datastore_id = :store)
                SELECT seq, ifnull(bytes, 0) FROM ranked WHERE rank > :keep AND seq < base AND time < :cutoff
                """
            var doomed: [Int64] = []
            var bytes = 0
            try database.forEach(selection, [.integer(acked), .integer(datastore.rawValue), .integer(Int64(keepVersions)), .integer(cutoff)]) { row in
                doomed.append(row.integer(0))
                bytes += Int(row.integer(1))
            }
            for seq in doomed { try database.run("DELETE FROM journal WHERE seq = ?", [.integer(seq)]) }
            return CompactionResult(removedVersions: doomed.count, removedBytes: bytes)
        }
    }

    // MARK: Maintenance

    /// Runs `body` on the store in one transaction: every write it makes lands, or none
    /// (for a client's version and the server's answer to it, say).
    public func atomically<T: Sendable>(_ body: @Sendable (isolated SyncStore) throws(StoreError) -> T) throws(StoreError) -> T {
        try database.transaction { () throws(StoreError) -> T in try body(self) }
    }

    /// Fault injection for tests: write points counted so far (commits and
    /// statements outside a transaction).
    var writePoints: Int { database.writePoints }

    /// Fault injection for tests: write point `at` (counted from now, 1-based)
    /// fails with an I/O error, and with `andAfter` every later one too (the
    /// process died there); nil stops injecting.
    func failWrite(at point: Int?, andAfter: Bool = false) {
        database.writePoints = 0
        database.failingWrite = point.map { ($0, andAfter) }
    }

    /// Runs `body` with the connection, on the actor (tests, maintenance commands).
    func withDatabase<T: Sendable>(_ body: (Database) throws(StoreError) -> T) throws(StoreError) -> T {
        try body(database)
    }

    /// `PRAGMA integrity_check`: ["ok"] when sound.
    public func integrityCheck() throws(StoreError) -> [String] { try database.integrityCheck() }

    /// Numbers of rows per table, for tests and `syncml store stats` later.
    public func rowCount(_ table: String) throws(StoreError) -> Int {
        guard ["users", "datastores", "items", "journal", "devices", "maps", "sessions", "match_keys", "device_datastores"].contains(table) else {
            throw StoreError(.invalidArgument, "no table \(table)")
        }
        return Int(try database.integer("SELECT count(*) FROM \(table)") ?? 0)
    }

    /// Bytes the database occupies (page_count × page_size), after a WAL checkpoint.
    public func fileSize() throws(StoreError) -> Int {
        try database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let pages = try database.integer("PRAGMA page_count") ?? 0
        let size = try database.integer("PRAGMA page_size") ?? 0
        return Int(pages * size)
    }
}
