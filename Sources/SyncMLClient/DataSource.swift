/// One record as the host application holds it.
public struct HostRecord: Sendable, Hashable {
    /// The host's id for the record; it becomes the record's SyncML LUID.
    public var id: String
    /// The record: a vCard, an iCalendar object, a SIF document or plain text.
    public var payload: [UInt8]
    /// Its MIME type (`text/vcard`, `text/calendar`, `text/x-vcard`…).
    public var type: String

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
    /// Adds a record the server sent; returns the id the host gave it.
    func add(payload: [UInt8], type: String) async throws -> String
    /// Replaces record `id` with what the server sent.
    func update(id: String, payload: [UInt8], type: String) async throws
    /// Deletes record `id` (the server deleted it). Deleting an unknown id is not an error.
    func delete(id: String) async throws
}

/// The kind of data a datastore holds, which decides the formats offered.
public enum DatastoreKind: String, Sendable, Hashable, CaseIterable {
    case contacts, calendar, tasks, notes
}

/// One datastore of the client: what it is, the server URI it syncs with, and the host's records.
public struct ClientDatastore: Sendable {
    /// The local name, also the client's URI (`./NAME`) and the key of its sync state.
    public var name: String
    /// The server's URI for it (`contacts`, `addressbook`, `calendar`…).
    public var remoteURI: String
    public var kind: DatastoreKind
    /// The MIME type the host's records are in (sent as Meta Type, asked for in DevInf).
    public var type: String
    public var source: any SyncDataSource

    public init(name: String, remoteURI: String? = nil, kind: DatastoreKind, type: String? = nil, source: any SyncDataSource) {
        self.name = name
        self.remoteURI = remoteURI ?? name
        self.kind = kind
        self.type = type ?? (kind == .contacts ? "text/vcard" : kind == .notes ? "text/plain" : "text/calendar")
        self.source = source
    }
}
