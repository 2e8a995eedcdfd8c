/// Why a sync failed: a broad `kind` a host can branch on and a one-line
/// `message` for people.
public struct SyncClientError: Error, Sendable, CustomStringConvertible {
    /// The broad class of a failure. A struct with static members rather than
    /// an enum, so that a new kind is not a breaking change: a host compares
    /// against the kinds it handles (`error.kind == .transport`) and treats the
    /// rest alike, and a `switch` over it needs a `default`.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The kind's name, as `description` prints it (`transport`, `authentication`…).
        public let rawValue: String

        /// A kind by name; the library's own are the static members.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The server refused the credentials (401/407).
        public static let authentication = Kind(rawValue: "authentication")
        /// The server's answer was not SyncML, or broke the protocol.
        public static let protocolViolation = Kind(rawValue: "protocolViolation")
        /// The server answered with an error status for the session or a datastore.
        public static let serverStatus = Kind(rawValue: "serverStatus")
        /// The transport failed (connection refused, timeout, HTTP error).
        public static let transport = Kind(rawValue: "transport")
        /// The session went past one of `ClientConfiguration.sessionLimits`
        /// (messages, bytes received): stopped, resumable.
        public static let sessionLimit = Kind(rawValue: "sessionLimit")
        /// The host's data source or the local state failed.
        public static let local = Kind(rawValue: "local")
        /// The task running the sync was cancelled.
        public static let cancelled = Kind(rawValue: "cancelled")
        /// `sync()` was called while another sync of the same `SyncClient` was
        /// running: refused at once, nothing was done (the running sync goes on).
        public static let syncInProgress = Kind(rawValue: "syncInProgress")

        public var description: String { rawValue }
    }

    /// What kind of failure: decides what the host does next (ask for a password, retry, report).
    public var kind: Kind
    /// What went wrong, in one line.
    public var message: String

    /// An error of `kind`, explained by `message` (one line, for people).
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// `KIND: MESSAGE`.
    public var description: String { "\(kind.rawValue): \(message)" }
}
