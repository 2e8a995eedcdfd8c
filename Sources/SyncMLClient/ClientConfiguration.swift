import SyncMLCodec
public import SyncMLProtocol
/// Where and as whom a client syncs.
public struct ClientConfiguration: Sendable {
    /// How the client proves who it is (the SyncHdr `Cred`).
    public enum Authentication: String, Sendable, Hashable {
        /// `syncml:auth-md5`, the default (the password never crosses the wire).
        case md5
        /// `syncml:auth-basic`.
        case basic
    }

    /// The server's SyncML URL (`http://host:8080/sync`).
    public var serverURL: String
    /// The account on the server.
    public var user: String
    /// The account's password: sent as an MD5 digest over the server's nonce, or
    /// base64 in the clear with `.basic` (use https then).
    public var password: String
    /// The client's DevID: the server keeps anchors, maps and nonces per device.
    public var deviceID: String
    /// The scheme the client starts with. MD5 is never given up for basic on a
    /// server's say-so (a 401 asking for `syncml:auth-basic` fails the sync with
    /// `.authentication`): basic is used only when it is configured here.
    public var authentication: Authentication = .md5
    /// WBXML (the default, like phones and SyncEvolution) or XML.
    public var wbxml = true
    /// The largest message this client accepts and sends (MaxMsgSize).
    public var maxMessageSize = 150_000
    /// The largest object this client accepts (MaxObjSize).
    public var maxObjectSize = 16 << 20
    /// Holds the host's deletes when they would remove too much of a datastore
    /// (an emptied table, a broken import) unless the sync is forced; nil lets them through.
    /// It also holds the server's deletes, and what a refresh from the server
    /// would remove, when they exceed its share of a datastore.
    public var massDeleteGuard: MassDeleteGuard? = MassDeleteGuard()
    /// Whether a slow sync the server demands (status 508 to a continuing mode:
    /// it lost its anchors) goes ahead for a datastore that holds records. A slow
    /// sync compares every record, so a server that lost or reset its data can
    /// bring back what was deleted here or pair records wrongly; by default it is
    /// refused (the datastore is not synced) unless the datastore is empty, as
    /// SyncEvolution does. A slow sync the client asks for is always done.
    public var allowServerSlowSync = false
    /// Caps on one session, so a server that never ends it cannot keep the client busy.
    public var sessionLimits = SessionLimits()
    /// How many host records the client asks its data sources for at once when
    /// it looks for changes (`SyncDataSource.records(batchSize:)`), and applies
    /// to its state in one transaction: bounds the payloads it holds at a time.
    /// A slow sync also lists the records it sends this many at a time.
    public var scanBatchSize = 1000
    /// Where the client's anchors come from: the system clock; tests pin it.
    package var anchorClock = AnchorClock.system

    /// A configuration with the defaults: MD5, WBXML, a 150 KB MaxMsgSize, the mass-delete guard on.
    public init(serverURL: String, user: String, password: String, deviceID: String) {
        self.serverURL = serverURL
        self.user = user
        self.password = password
        self.deviceID = deviceID
    }
}

/// What one sync did, per datastore.
public struct SyncReport: Sendable, CustomStringConvertible {
    /// Records added, updated and deleted on one side.
    public struct Counts: Sendable, Hashable {
        /// Records that side did not have before.
        public var added = 0
        /// Records replaced with a newer version.
        public var updated = 0
        /// Records removed.
        public var deleted = 0
        /// Nothing changed.
        public init() {}
    }

    /// What the sync did to one datastore.
    public struct Datastore: Sendable {
        /// The datastore's name (`ClientDatastore.name`).
        public var name: String
        /// The mode the client asked for and the one the server granted (a 508 turns two-way into slow).
        public var requested: SyncMode
        /// The mode the sync ran in (see `requested`).
        public var performed: SyncMode
        /// Changes applied to the host's records.
        public var local = Counts()
        /// Changes the client sent and the server accepted.
        public var remote = Counts()
        /// Items the server answered with a conflict status (207 merged, 208, 209, 419), and how.
        public var conflicts: [String: Int] = [:]
        /// Items refused (by the server, or by the host when applying).
        public var rejected = 0
        /// The sync continued a suspended or interrupted one (Alert 225 granted).
        public var resumed = false
        /// Deletes of the host the mass-delete guard held back (not sent; sent when a sync is forced).
        public var heldDeletes = 0
        /// Deletes from the server the mass-delete guard held back (not applied, not
        /// confirmed, so the server sends them again; a forced sync applies them), or
        /// the records a refresh from the server would have removed, kept.
        public var heldServerDeletes = 0
        /// Why the client refused the mode the server granted (one it did not ask
        /// for): nothing was applied or sent. Nil when the mode was accepted.
        public var refusal: String?
        /// The server's status when it refused the datastore (404 unknown, 406 unsupported,
        /// 510 its store failed…): nothing was synced. Nil when it was synced.
        public var refusedWithStatus: Int?
    }

    /// Whether every datastore was synced without an item refused.
    public var isComplete: Bool {
        !suspended && datastores.allSatisfy { $0.refusedWithStatus == nil && $0.refusal == nil && $0.rejected == 0 }
    }

    /// One entry per datastore synced, in the order the client was given them.
    public var datastores: [Datastore] = []
    /// How long the sync took, from the scan of the host's records to the last reply.
    public var duration: Duration = .zero
    /// The host asked to suspend (`SyncClient.suspend()`) and the sync stopped there;
    /// the next `sync` resumes it.
    public var suspended = false

    public var description: String {
        var lines: [String] = []
        for store in datastores {
            if let refusal = store.refusal {
                lines.append("\(store.name): refused: \(refusal); not synced")
                continue
            }
            if let status = store.refusedWithStatus {
                lines.append("\(store.name): refused by the server (status \(status)), not synced")
                continue
            }
            var line = "\(store.name): \(store.performed)" + (store.resumed ? " (resumed)" : "")
            if store.performed != store.requested { line += " (asked \(store.requested))" }
            line += "; local +\(store.local.added) ~\(store.local.updated) -\(store.local.deleted)"
            line += "; remote +\(store.remote.added) ~\(store.remote.updated) -\(store.remote.deleted)"
            if !store.conflicts.isEmpty { line += "; conflicts " + store.conflicts.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", ") }
            if store.rejected > 0 { line += "; rejected \(store.rejected)" }
            lines.append(line)
            if store.heldDeletes > 0 {
                lines.append("\(store.name): \(store.heldDeletes) deletes held back (a mass delete): sync with --force-deletes to send them")
            }
            if store.heldServerDeletes > 0 {
                lines.append(store.performed == .refreshFromServer
                    ? "\(store.name): the refresh would remove \(store.heldServerDeletes) records the server did not send: kept (a mass delete); refresh again with --force-deletes to remove them"
                    : "\(store.name): \(store.heldServerDeletes) deletes from the server held back (a mass delete): sync with --force-deletes to apply them")
            }
        }
        if suspended { lines.append("suspended: the next sync resumes") }
        lines.append("duration \(ReadableDuration.text(duration))")
        return lines.joined(separator: "\n")
    }
}

/// Where a sync is, for progress displays.
public struct SyncProgress: Sendable, Hashable {
    /// The steps of a sync, in the order they come.
    public enum Phase: String, Sendable, Hashable {
        /// Reading the host's records to find what changed (per datastore).
        case scanning
        /// The first message: credentials, alerts, the modes granted.
        case connecting
        /// Sending the host's changes.
        case sending
        /// Applying the server's changes to the host.
        case receiving
        /// Telling the server the ids the host gave its new records (Map).
        case mapping
        /// Stopping at a message boundary after `SyncClient.suspend()`.
        case suspending
        /// Done: the report follows.
        case finished
    }

    /// Where the sync is.
    public var phase: Phase
    /// The datastore the phase is about; nil for the session as a whole.
    public var datastore: String?
    /// Items done in this phase.
    public var done: Int
    /// Items expected in this phase; 0 when unknown.
    public var expected: Int

    /// A step, for a host or a test that reports progress of its own.
    public init(phase: Phase, datastore: String? = nil, done: Int = 0, expected: Int = 0) {
        self.phase = phase
        self.datastore = datastore
        self.done = done
        self.expected = expected
    }
}
