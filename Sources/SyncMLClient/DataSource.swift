/// One record as the host application holds it.
public struct HostRecord: Sendable, Hashable {
    /// The host's id for the record; it becomes the record's SyncML LUID.
    public var id: String
    /// The record: a vCard, an iCalendar object, a SIF document or plain text.
    public var payload: [UInt8]
    /// Its MIME type (`text/vcard`, `text/calendar`, `text/x-vcard`…).
    public var type: String

    /// A record with the host's `id`, its bytes and their MIME type.
    public init(id: String, payload: [UInt8], type: String) {
        self.id = id
        self.payload = payload
        self.type = type
    }
}

/// What a host application implements per datastore so the engine can sync
/// it: list, read and write records. The host need not track changes: the
/// engine finds them by fingerprint between syncs.
public protocol SyncDataSource: Sendable {
    /// Every record, now.
    func allRecords() async throws -> [HostRecord]
    /// Every record, now, in batches of at most `batchSize` records, pulled one
    /// batch at a time: the engine holds one batch of payloads while it scans,
    /// so its memory does not grow with the datastore. Each id once.
    ///
    /// The default implementation slices `allRecords()`; a host whose records
    /// live outside memory (files, a database) should read them batch by batch.
    /// The engine takes every id the sequence does not yield for deleted, so a
    /// record that cannot be read must end the sequence with an error, never be skipped.
    func records(batchSize: Int) -> AsyncThrowingStream<[HostRecord], any Error>
    /// Adds a record the server sent; returns the id the host gave it.
    func add(payload: [UInt8], type: String) async throws -> String
    /// Replaces record `id` with what the server sent.
    func update(id: String, payload: [UInt8], type: String) async throws
    /// Deletes record `id` (the server deleted it). Deleting an unknown id is not an error.
    func delete(id: String) async throws

    /// For hosts that track their own changes: a token for "now", taken before
    /// the engine lists every record. Nil (the default): the host cannot tell
    /// what changed, and the engine compares every record with its state.
    func changeToken() async throws -> String?
    /// For hosts that track their own changes: what changed since `token` (one
    /// this host gave), with the token to ask from next time. Nil (the default,
    /// or a token too old): the engine lists every record instead. With it, a
    /// sync reads only what changed, whatever the size of the datastore.
    func changes(since token: String) async throws -> HostChanges?
}

/// The host's changes since a token (`SyncDataSource.changes(since:)`).
public struct HostChanges: Sendable, Hashable {
    /// Records added or modified.
    public var changed: [HostRecord]
    /// Ids of records deleted.
    public var deleted: [String]
    /// Where the host is now: the next sync asks for changes since this.
    public var token: String

    /// What changed since a token, and the token for "now".
    public init(changed: [HostRecord], deleted: [String], token: String) {
        self.changed = changed
        self.deleted = deleted
        self.token = token
    }
}

extension SyncDataSource {
    /// The host does not track its changes.
    public func changeToken() async throws -> String? { nil }
    /// The host does not track its changes.
    public func changes(since token: String) async throws -> HostChanges? { nil }

    /// `allRecords()` handed out in slices of `batchSize` (it is read when the first batch is asked for).
    public func records(batchSize: Int) -> AsyncThrowingStream<[HostRecord], any Error> {
        let batches = RecordBatches(batchSize: batchSize, all: { try await allRecords() })
        return AsyncThrowingStream { try await batches.next() }
    }
}

/// The state behind a stream of record batches: a list of pending things and
/// how to turn the next few into records. Pull-driven, so at most one batch
/// exists beyond what `pending` holds.
actor RecordBatches<Pending: Sendable> {
    private let batchSize: Int
    private var list: (@Sendable () async throws -> [Pending])?
    private var pending: ArraySlice<Pending> = []
    private let read: @Sendable (ArraySlice<Pending>) async throws -> [HostRecord]

    /// - Parameters:
    ///   - list: everything to hand out, asked for once, when the first batch is.
    ///   - read: the records of some pending things; may return fewer (things that are not records).
    init(batchSize: Int, list: @escaping @Sendable () async throws -> [Pending],
         read: @escaping @Sendable (ArraySlice<Pending>) async throws -> [HostRecord]) {
        self.batchSize = max(1, batchSize)
        self.list = list
        self.read = read
    }

    /// The next non-empty batch, or nil at the end.
    func next() async throws -> [HostRecord]? {
        if let list {
            self.list = nil
            pending = try await list()[...]
        }
        while !pending.isEmpty {
            let batch = pending.prefix(batchSize)
            pending = pending.dropFirst(batch.count)
            let records = try await read(batch)
            if !records.isEmpty { return records }
        }
        pending = [] // releases the list's storage
        return nil
    }
}

extension RecordBatches where Pending == HostRecord {
    /// Batches of records already in memory.
    init(batchSize: Int, all: @escaping @Sendable () async throws -> [HostRecord]) {
        self.init(batchSize: batchSize, list: all, read: { Array($0) })
    }
}

/// The kind of data a datastore holds, which decides the formats offered.
public enum DatastoreKind: String, Sendable, Hashable, CaseIterable {
    /// Addresses: vCard 2.1/3.0/4.0 (or SIF-C).
    case contacts
    /// Appointments: iCalendar 2.0 / vCalendar 1.0 events (or SIF-E).
    case calendar
    /// To-dos: iCalendar 2.0 / vCalendar 1.0 tasks (or SIF-T).
    case tasks
    /// Plain-text notes (or SIF-N).
    case notes
}

/// One datastore of the client: what it is, the server URI it syncs with, and the host's records.
public struct ClientDatastore: Sendable {
    /// The local name, also the client's URI (`./NAME`) and the key of its sync state.
    public var name: String
    /// The server's URI for it (`contacts`, `addressbook`, `calendar`…).
    public var remoteURI: String
    /// What it holds: decides the formats offered to the server and the default `type`.
    public var kind: DatastoreKind
    /// The MIME type the host's records are in (sent as Meta Type, asked for in DevInf).
    public var type: String
    /// The host's records.
    public var source: any SyncDataSource

    /// A datastore named `name`, synced with the server's `remoteURI` (default: the
    /// same name), whose records are of `type` (default: vCard 3.0 for contacts,
    /// iCalendar for events and tasks, plain text for notes).
    public init(name: String, remoteURI: String? = nil, kind: DatastoreKind, type: String? = nil, source: any SyncDataSource) {
        self.name = name
        self.remoteURI = remoteURI ?? name
        self.kind = kind
        self.type = type ?? (kind == .contacts ? "text/vcard" : kind == .notes ? "text/plain" : "text/calendar")
        self.source = source
    }
}
