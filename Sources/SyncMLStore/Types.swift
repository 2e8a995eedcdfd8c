public import Foundation
public import SyncMLRecords
/// A row id wrapped so a user can't be passed where a device is expected.
public struct UserID: RawRepresentable, Hashable, Sendable { public var rawValue: Int64; public init(rawValue: Int64) { self.rawValue = rawValue } }
/// A datastore of one user ("contacts", "calendar", "tasks", or any name).
public struct DatastoreID: RawRepresentable, Hashable, Sendable { public var rawValue: Int64; public init(rawValue: Int64) { self.rawValue = rawValue } }
/// A client device of one user, known by its SyncML DevID.
public struct DeviceID: RawRepresentable, Hashable, Sendable { public var rawValue: Int64; public init(rawValue: Int64) { self.rawValue = rawValue } }
/// A sync session (or an undo), the unit of suspend/resume and undo.
public struct SessionID: RawRepresentable, Hashable, Sendable { public var rawValue: Int64; public init(rawValue: Int64) { self.rawValue = rawValue } }

/// What a change does to an item (the journal's `op` column).
public enum ChangeOperation: Int, Sendable, Hashable, CustomStringConvertible {
    /// A new item.
    case add = 1
    /// A new version of an existing item.
    case replace = 2
    /// The item's removal (journaled as a tombstone version).
    case delete = 3

    public var description: String {
        switch self {
        case .add: "add"
        case .replace: "replace"
        case .delete: "delete"
        }
    }
}

/// One change a client sent, as the engine hands it to `SyncStore.apply`.
///
/// The store does not parse records: the fingerprint and the match keys come
/// from the records layer (`RecordSignature`).
public struct ItemChange: Sendable, Hashable {
    /// Add, replace or delete.
    public var operation: ChangeOperation
    /// The client's id for the item (SyncML LUID), resolved through the device's map.
    public var luid: String?
    /// The server's id, when the client sent it (or the engine resolved it).
    public var guid: String?
    /// The MIME type ("text/vcard", "text/calendar", …).
    public var type: String
    /// The record as received. Ignored for deletes.
    public var payload: [UInt8]
    /// The record's fingerprint; a change whose fingerprint equals the item's
    /// current one is not journaled. Nil: always journaled.
    public var fingerprint: Fingerprint?
    /// The entries the item is found by in `items(matchingKeys:)`: its
    /// `MatchKey.indexKeys`, kept as their digests.
    public var matchKeys: [MatchKey.IndexKey]
    /// What `SyncStore.resolve` found for this change's item (`Resolution.lookup`),
    /// so that `apply` does not look again; nil: `apply` looks the item up itself.
    public var lookup: Lookup?

    /// A lookup `resolve` made for one item, handed back to `apply` with the
    /// change: the item the LUID or GUID names with its current version and match
    /// keys, or that nothing does. Only `resolve` makes one, so a caller cannot
    /// claim what the store did not say. `apply` trusts it only while nothing was
    /// committed to the store since it was made (else it looks again), and refuses
    /// one made for another LUID, item, device, datastore or store.
    public struct Lookup: Sendable, Hashable {
        enum Found: Sendable, Hashable {
            /// Nothing has the LUID or GUID; `twinCheck`: a live item the device has
            /// no LUID for had the fingerprint, so `apply` still looks for twins.
            case absent(twinCheck: Bool)
            /// The item the LUID maps to (`mapped`) or the GUID names, with its current version's key digests.
            case known(SyncStore.ItemRow, keys: [Int64], mapped: Bool)
        }
        let found: Found
        let luid: String?
        let guid: String?
        let fingerprint: Fingerprint?
        let device: DeviceID
        let datastore: DatastoreID
        /// The store that made it, and its write generation then.
        let store: ObjectIdentifier
        let generation: Int
    }

    /// A change as a client sent it; give `luid` or `guid` for replaces and deletes.
    public init(_ operation: ChangeOperation, luid: String? = nil, guid: String? = nil, type: String = "text/vcard",
                payload: [UInt8] = [], fingerprint: Fingerprint? = nil, matchKeys: [MatchKey.IndexKey] = [], lookup: Lookup? = nil) {
        self.operation = operation
        self.luid = luid
        self.guid = guid
        self.type = type
        self.payload = payload
        self.fingerprint = fingerprint
        self.matchKeys = matchKeys
        self.lookup = lookup
    }
}

/// What `apply` did with one `ItemChange`.
public struct AppliedChange: Sendable, Hashable {
    /// What happened to the item.
    public enum Outcome: Sendable, Hashable {
        /// A new item; `guid` is its new server id.
        case added
        /// A new version of the item was journaled.
        case replaced
        /// The item was deleted (a tombstone journaled).
        case deleted
        /// Equal fingerprint (or a delete of a deleted item): nothing journaled.
        case unchanged
        /// A delete or a LUID that names no item.
        case notFound
    }
    /// What happened to the item.
    public var outcome: Outcome
    /// The server's id of the item; nil when none was found.
    public var guid: String?
    /// The client's id of the item, when the change came with one (the engine maps it).
    public var luid: String?
    /// The journal sequence number of the change, when one was written.
    public var sequence: Int64?
}

/// One version of an item: a journal row, without its payload.
public struct JournalEntry: Sendable, Hashable {
    /// The journal's sequence number of this version (increasing within a store).
    public var sequence: Int64
    /// The server's id of the item.
    public var guid: String
    /// What this version did to the item.
    public var operation: ChangeOperation
    /// The record's fingerprint; nil for a delete.
    public var fingerprint: Fingerprint?
    /// When the version was written.
    public var time: Date
    /// The device whose change this was; nil for server-side changes (restore, undo).
    public var device: DeviceID?
    /// The session that wrote it; nil when none was recorded.
    public var session: SessionID?
    /// The stored (compressed) size of the payload frame.
    public var storedBytes: Int
}

/// A change a device lacks, collapsed per item, with the operation it should
/// receive (an item the device does not know comes as an add).
public struct OutgoingChange: Sendable, Hashable {
    /// The journal row this change is (the item's last change in the range).
    public var sequence: Int64
    /// The server's id of the item.
    public var guid: String
    /// The device's id for the item, when it has mapped it.
    public var luid: String?
    /// What the device should do: add, replace or delete.
    public var operation: ChangeOperation
    /// The record's MIME type as stored.
    public var type: String
    /// The record's fingerprint; nil for a delete.
    public var fingerprint: Fingerprint?
    /// The record; nil for deletes.
    public var payload: [UInt8]?

    /// A change to send; the store builds these, tests and hosts may too.
    public init(sequence: Int64, guid: String, luid: String? = nil, operation: ChangeOperation, type: String,
                fingerprint: Fingerprint? = nil, payload: [UInt8]? = nil) {
        self.sequence = sequence
        self.guid = guid
        self.luid = luid
        self.operation = operation
        self.type = type
        self.fingerprint = fingerprint
        self.payload = payload
    }
}

/// The changes a device lacks, and how far the journal was read: after the
/// device confirmed them, acknowledge `through` (not the last change's
/// sequence, so that suppressed echoes are not scanned again).
public struct ChangeSet: Sendable, Hashable {
    /// The changes, one per item, oldest first.
    public var changes: [OutgoingChange]
    /// The journal sequence read up to; acknowledge it once the device confirmed `changes`.
    public var through: Int64
}

/// What the store knows about one device and datastore.
public struct DeviceState: Sendable, Hashable {
    /// The anchor of the device's last completed sync (SyncML `Last`); nil before the first.
    public var lastAnchor: String?
    /// The anchor the device sent for the sync in progress (SyncML `Next`).
    public var nextAnchor: String?
    /// The journal sequence the device has acknowledged in this datastore.
    public var acknowledged: Int64
    /// The content type the device last sent items in (`text/x-s4j-sifc`…).
    public var clientType: String?
    /// The last anchor before `lastAnchor`: what a device still sends when the
    /// reply that completed its last sync was lost.
    public var previousAnchor: String?

    /// A state as the engine saves it after a sync.
    public init(lastAnchor: String?, nextAnchor: String?, acknowledged: Int64, clientType: String? = nil, previousAnchor: String? = nil) {
        self.lastAnchor = lastAnchor
        self.nextAnchor = nextAnchor
        self.acknowledged = acknowledged
        self.clientType = clientType
        self.previousAnchor = previousAnchor
    }
}

/// A version a device wrote: the item and the version's fingerprint (`SyncStore.itemsWritten`).
public struct WrittenItem: Sendable, Hashable {
    /// The server's id of the item.
    public var guid: String
    /// The version's fingerprint as journaled.
    public var fingerprint: Fingerprint?

    /// An item `guid` written at `fingerprint`.
    public init(guid: String, fingerprint: Fingerprint?) {
        (self.guid, self.fingerprint) = (guid, fingerprint)
    }
}

/// The current state of an item.
public struct StoredItem: Sendable, Hashable {
    /// The server's id of the item.
    public var guid: String
    /// The record's MIME type as stored.
    public var type: String
    /// The current version's fingerprint; nil when deleted.
    public var fingerprint: Fingerprint?
    /// Whether the current version is a delete (a tombstone).
    public var deleted: Bool
    /// The journal sequence of its current version.
    public var version: Int64
}

/// A session the device can resume.
public struct SuspendedSession: Sendable, Hashable {
    /// The session to resume.
    public var id: SessionID
    /// The key the client resumes with (SyncML `SessionID`), when it gave one.
    public var sessionKey: String?
    /// The engine's opaque state, as it saved it.
    public var resumeState: [UInt8]
}

/// What undoing a session did.
public struct UndoResult: Sendable, Hashable {
    /// The session the reversing changes belong to (itself undoable).
    public var session: SessionID
    /// The reversing changes written.
    public var reverted: [JournalEntry]
    /// Items not reverted, with why (changed again since, or version compacted away).
    public var skipped: [String: String]
}

/// What compaction removed.
public struct CompactionResult: Sendable, Hashable {
    /// Journal versions removed.
    public var removedVersions: Int
    /// Their stored (compressed) payload bytes; the database file does not shrink.
    public var removedBytes: Int
}
