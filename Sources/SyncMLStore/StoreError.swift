/// An error of the store: what kind, a message, and for database errors the
/// result code and the SQL that failed (GRDB's `DatabaseError` shape).
///
/// A struct over an open set of kinds, so kinds can be added without breaking
/// callers' exhaustive switches.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case sqlite, postgres, corruptFrame, corruptRow, unknownDictionary, notFound, invalidArgument, schemaTooNew, conflict
            case unsupported
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// SQLite reported an error; `resultCode` and `sql` say which and where.
        public static let sqlite = Kind(.sqlite)
        /// PostgreSQL reported an error, or the connection to it failed; `sqlState`
        /// says which, `resultCode` is the SQLite code of the same meaning (2067 for
        /// a unique violation, 10 for a lost connection), so one check serves both
        /// backends, and `sql` says where.
        public static let postgres = Kind(.postgres)
        /// A stored payload frame failed a check (magic, length, deflate stream, CRC).
        public static let corruptFrame = Kind(.corruptFrame)
        /// A stored row holds a value this build cannot read (a fingerprint of the
        /// wrong length, an unknown session state, operation or match key).
        public static let corruptRow = Kind(.corruptRow)
        /// A payload frame names a preset dictionary this build does not have.
        public static let unknownDictionary = Kind(.unknownDictionary)
        /// A user, datastore, device, item, version or session does not exist.
        public static let notFound = Kind(.notFound)
        /// The caller passed a value the operation cannot take.
        public static let invalidArgument = Kind(.invalidArgument)
        /// The database was written by a newer schema than this build knows.
        public static let schemaTooNew = Kind(.schemaTooNew)
        /// The operation conflicts with the stored state (e.g. undoing a session twice).
        public static let conflict = Kind(.conflict)
        /// The store's backend cannot do this (`copy(to:)` of a PostgreSQL store, say).
        public static let unsupported = Kind(.unsupported)

        public var description: String { base.rawValue }
    }

    /// What went wrong; switch on it, or compare with `==` (the set of kinds is open).
    public let kind: Kind
    /// A one-line explanation for a log or the CLI (`no user alice`).
    public let message: String
    /// For `.sqlite`: SQLite's extended result code (`sqlite3_extended_errcode`);
    /// for `.postgres`: the SQLite code of the same meaning, when there is one.
    public let resultCode: Int32?
    /// For `.sqlite` and `.postgres`: the statement that failed, when there was one.
    public let sql: String?
    /// For `.postgres`: the SQLSTATE the server sent (`23505` unique violation), when it sent one.
    public let sqlState: String?

    /// Makes an error; `resultCode`, `sql` and `sqlState` only for the database kinds.
    public init(_ kind: Kind, _ message: String, resultCode: Int32? = nil, sql: String? = nil, sqlState: String? = nil) {
        self.kind = kind
        self.message = message
        self.resultCode = resultCode
        self.sql = sql
        self.sqlState = sqlState
    }

    /// The same error with `note` appended to its message (a second failure while handling it).
    func noting(_ note: String) -> StoreError {
        StoreError(kind, message + "; " + note, resultCode: resultCode, sql: sql, sqlState: sqlState)
    }

    /// The primary result code (the low byte of the extended code), e.g. 19 for every SQLITE_CONSTRAINT_*.
    public var primaryResultCode: Int32? { resultCode.map { $0 & 0xFF } }

    public var description: String {
        var text = "\(kind): \(message)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" } else if let resultCode { text += " (SQLite code \(resultCode))" }
        if let sql { text += " in `\(sql)`" }
        return text
    }
}
