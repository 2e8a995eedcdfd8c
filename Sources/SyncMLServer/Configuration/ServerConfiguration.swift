import SyncMLCodec
import SyncMLRecords
public import SyncMLProtocol
/// How the server resolves an item both sides changed since the last sync.
public enum ConflictPolicy: String, Sendable, CaseIterable, Hashable {
    /// Field merge (RecordMerger), the client's value winning a field both set; status 207.
    case merge
    /// The server's version stays and is sent back to the client; status 419.
    case serverWins = "server-wins"
    /// The client's version replaces the server's; status 208.
    case clientWins = "client-wins"
    /// The version changed last wins (the client's arrival time against the server's change time).
    case newestWins = "newest-wins"
    /// Both are kept: the client's becomes a new item; status 209.
    case duplicate
}

/// What a server is configured with. Every field has the default a fresh
/// `syncml serve` uses.
public struct ServerConfiguration: Sendable {
    /// Conflict resolution, per canonical datastore name; `defaultConflictPolicy` for the others.
    public var conflictPolicies: [String: ConflictPolicy] = [:]
    /// Conflict resolution for datastores `conflictPolicies` does not name.
    public var defaultConflictPolicy: ConflictPolicy = .merge
    /// Datastore URIs as clients send them (lower-cased, without `./`) → the
    /// server's datastore. Unknown URIs are answered 404.
    public var datastoreAliases: [String: String] = ServerConfiguration.standardAliases
    /// A session idle for longer than this is dropped (its store state stays consistent).
    public var sessionTimeout: Duration = .seconds(300)
    /// How long the nonce of a 401/407 challenge stays valid: one to two times this.
    public var challengeLifetime: Duration = .seconds(300)
    /// The smallest MaxMsgSize a client may announce. Below it no answer with
    /// room for an item can be written, so the session is refused (status 400)
    /// instead of sending empty messages.
    public var minimumClientMessageSize: Int = 2048
    /// The largest message the server accepts and announces (its own MaxMsgSize).
    public var maxMessageSize: Int = 4 << 20
    /// The largest object the server accepts (MaxObjSize).
    public var maxObjectSize: Int = 16 << 20
    /// Sessions one user may hold running at once (a further one is answered 503).
    public var maxSessionsPerUser: Int = 16
    /// Items (in Add/Replace/Delete… and Map) one message may carry; more is answered with HTTP 413.
    public var maxItemsPerMessage: Int = 20_000
    /// Holds a client's deletes when they would empty too much of a datastore
    /// (a wiped phone, a broken plug-in): nil lets every delete through.
    public var massDeleteGuard: MassDeleteGuard? = MassDeleteGuard()
    /// Several server nodes share the store (a PostgreSQL store behind a load
    /// balancer, docs/SCALING.md): every session is saved in the store after each
    /// message, a node takes up a session another node answered before, and a
    /// user's messages take turns across nodes (an advisory lock in the store).
    /// Off by default: one process on a SQLite file keeps its sessions in memory.
    /// `syncml serve --db postgres://…` turns it on.
    public var sharesSessions = false
    /// Tests only: with `sharesSessions`, the node stops dead after the writes of
    /// a session's message number `n` committed and before the session is saved —
    /// the window a node killed inside a message leaves — answering 503 and
    /// dropping its copy, as if it had died (`LiveSessionTests`).
    package var stopsDeadBeforeSaving: Int?
    /// Where the server's anchors come from: the system clock; tests pin it.
    package var anchorClock = AnchorClock.system

    /// The configuration of a fresh `syncml serve`; change fields as needed.
    public init() {}

    package func conflictPolicy(for datastore: String) -> ConflictPolicy {
        conflictPolicies[datastore] ?? defaultConflictPolicy
    }

    /// The URIs real clients use (issue #5): SyncEvolution, Funambol plug-ins, phones.
    package static let standardAliases: [String: String] = {
        var aliases: [String: String] = [:]
        for name in ["contacts", "contact", "addressbook", "card", "scard", "pim/contacts"] { aliases[name] = "contacts" }
        for name in ["calendar", "events", "cal", "event", "scal"] { aliases[name] = "calendar" }
        for name in ["tasks", "todo", "task", "stask"] { aliases[name] = "tasks" }
        for name in ["notes", "note", "snote"] { aliases[name] = "notes" }
        return aliases
    }()

    /// The server datastore a client URI names: case-insensitive, `./` and a trailing `/` ignored.
    package func datastore(forURI uri: String) -> String? {
        var name = Substring(uri.lowercased())
        while name.hasPrefix("./") { name = name.dropFirst(2) }
        while name.hasPrefix("/") { name = name.dropFirst() }
        while name.hasSuffix("/") { name = name.dropLast() }
        return datastoreAliases[String(name)]
    }
}

extension Duration {
    /// The duration in seconds, as Foundation counts time.
    var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
