public import Foundation
public import SyncMLStore

/// Opens a `SyncStore` on a PostgreSQL database: the same store, with the same
/// logic and semantics as on a SQLite file, on a connection to the server
/// (docs/STORE.md, "PostgreSQL").
///
/// ```swift
/// let store = try PostgresStore.open(url: "postgres://syncml@db.example.com/syncml")
/// ```
///
/// The store is created in the database (or the URL's `schema`) when it has
/// none; a store of another schema version is refused.
public enum PostgresStore {
    /// Where the store is: a `postgres://` or `postgresql://` URL,
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=require&schema=NAME]`.
    ///
    /// Host and port default to `localhost` and 5432, the database to the user's
    /// name. `sslmode=require` connects over TLS, verifying the server's
    /// certificate against the system's roots; `disable` (the default) does not
    /// use TLS. `schema` (this project's own parameter) keeps the store in that
    /// PostgreSQL schema, created when missing, so one database can hold several stores.
    public struct Settings: Sendable, Hashable {
        /// The server's host name or address (default `localhost`).
        public var host: String
        /// The server's TCP port (default 5432).
        public var port: Int
        /// The role to log in as.
        public var user: String
        /// The role's password; nil for trust or peer authentication.
        public var password: String?
        /// The database holding the store (default: the user's name).
        public var database: String
        /// The PostgreSQL schema holding the store; nil for the connection's default search path.
        public var schema: String?
        /// Connect over TLS, with the server's certificate verified.
        public var requireTLS: Bool

        /// Settings read from a `postgres://` or `postgresql://` URL; `.invalidArgument` for anything else.
        public init(url: String) throws(StoreError) {
            guard PostgresStore.isPostgresURL(url), let components = URLComponents(string: url) else {
                throw StoreError(.invalidArgument, "not a postgres:// URL: \(url)")
            }
            guard let user = components.user, !user.isEmpty else {
                throw StoreError(.invalidArgument, "the URL names no user (postgres://USER@HOST/DATABASE)")
            }
            host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
            port = components.port ?? 5432
            self.user = user
            password = components.password
            let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
            database = path.isEmpty ? user : path
            schema = nil
            requireTLS = false
            for item in components.queryItems ?? [] {
                switch (item.name, item.value ?? "") {
                case ("schema", let name) where !name.isEmpty: schema = name
                case ("sslmode", "require"), ("sslmode", "verify-full"): requireTLS = true
                case ("sslmode", "disable"): requireTLS = false
                default: throw StoreError(.invalidArgument, "unsupported URL parameter \(item.name)=\(item.value ?? "")")
                }
            }
        }

        /// The URL without its password, for messages and logs.
        public var redactedURL: String {
            var text = "postgres://\(user)@\(host):\(port)/\(database)"
            if let schema { text += "?schema=\(schema)" }
            return text
        }
    }

    /// Whether `location` names a PostgreSQL store (`postgres://` or `postgresql://`) rather than a file.
    public static func isPostgresURL(_ location: String) -> Bool {
        let lowered = location.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// Connects and opens the store at `url`, creating its tables when there are none.
    public static func open(url: String, useDictionary: Bool = true, clock: @escaping @Sendable () -> Date = { Date() }) throws(StoreError) -> SyncStore {
        try open(Settings(url: url), useDictionary: useDictionary, clock: clock)
    }

    /// Connects and opens the store `settings` name, creating its tables when there
    /// are none, or, with `creating` false, failing with `.notFound` then (a command
    /// that reads a store refuses a URL with a typo instead of creating an empty store).
    ///
    /// Blocks the calling thread for the connection and the schema check (a few
    /// round trips), as `SyncStore(path:)` does for the file.
    public static func open(_ settings: Settings, creating: Bool = true, useDictionary: Bool = true,
                            clock: @escaping @Sendable () -> Date = { Date() }) throws(StoreError) -> SyncStore {
        let connection = try PostgresStoreConnection(settings: settings, creatingSchema: creating)
        try PostgresSchema.prepare(connection, creating: creating, in: settings.redactedURL)
        return SyncStore(connection: connection, useDictionary: useDictionary, clock: clock)
    }
}
