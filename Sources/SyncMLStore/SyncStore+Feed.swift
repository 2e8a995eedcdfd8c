public import Foundation
public import SyncMLRecords

// MARK: The committed journal in order, for a host that mirrors the store

/// One row of the journal as a host mirroring the store sees it: what
/// happened to which item, when, by which device, and the record it left.
public struct CommittedChange: Sendable, Hashable {
    /// The journal's sequence number: strictly increasing within a store. A
    /// mirror keeps the last one it applied and resumes after it.
    public var sequence: Int64
    /// The item's server-side id (stable for the item's whole life).
    public var guid: String
    /// What the change did to the item.
    public var operation: ChangeOperation
    /// The record's MIME type as stored (`text/vcard`, `text/calendar`, …).
    public var type: String
    /// The record's fingerprint as computed when it was stored; nil for a delete.
    public var fingerprint: Fingerprint?
    /// When the change was committed.
    public var time: Date
    /// The DevID of the device whose change this was; nil for the server's own
    /// changes (restore, undo, dedupe, an import).
    public var device: String?
    /// The session that wrote the change (sync, undo, import, dedupe); nil when none was recorded.
    public var session: SessionID?
    /// The record as stored; nil for a delete, and for a version that
    /// compaction freed because a later one replaced it (the later version
    /// follows in the same sequence).
    public var payload: [UInt8]?
}

extension SyncStore {
    /// The journal rows of `datastore` after `sequence`, oldest first, at most
    /// `limit` of them: every committed change, uncollapsed, so a mirror that
    /// applies them in order ends in the store's state.
    ///
    /// Reads through the journal's primary key from `sequence`: the cost is
    /// proportional to the page, not to the store.
    public func committedChanges(datastore: DatastoreID, after sequence: Int64, limit: Int = 256) throws(StoreError) -> [CommittedChange] {
        guard limit > 0 else { return [] }
        var changes: [CommittedChange] = []
        changes.reserveCapacity(min(limit, 1024))
        try database.forEach("""
            SELECT j.seq, i.guid, j.op, i.type, j.fingerprint, j.time, d.dev_id, j.session_id, j.payload
            FROM journal j JOIN items i ON i.id = j.item_id LEFT JOIN devices d ON d.id = j.device_id
            WHERE j.datastore_id = ? AND j.seq > ? ORDER BY j.seq LIMIT ?
            """, [.integer(datastore.rawValue), .integer(sequence), .integer(Int64(limit))]) { row throws(StoreError) in
            let frame = row.optionalBlob(8)
            changes.append(CommittedChange(
                sequence: row.integer(0), guid: row.text(1), operation: try Self.operation(row.integer(2)),
                type: row.text(3), fingerprint: try Self.fingerprint(row.optionalBlob(4)), time: Self.date(row.integer(5)),
                device: row.isNull(6) ? nil : row.text(6), session: row.isNull(7) ? nil : SessionID(rawValue: row.integer(7)),
                payload: try frame.map { frame throws(StoreError) in try codec.decode(frame) }))
        }
        return changes
    }
}
