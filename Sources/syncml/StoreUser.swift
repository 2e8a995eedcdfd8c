import ArgumentParser
import SyncMLStore

/// `syncml user`: the store's users and their passwords.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage the users of a store.",
        subcommands: [UserAdd.self, UserPasswd.self, UserRemove.self, UserList.self]
    )
}

/// `syncml user add NAME`: a user with a password (basic auth, and MD5 auth unless `--no-md5`).
struct UserAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a user with a password read from standard input or a file.",
        discussion: "The password is the whole input less one trailing newline; an empty password is refused. It is stored as a salted PBKDF2-HMAC-SHA256 hash and, unless --no-md5, as the MD5 secret SyncML MD5 auth needs, which is password-equivalent for that scheme (see docs/STORE.md)."
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "The user name (no ':').")
    var name: String

    @Option(help: "Read the password from this file instead of standard input.")
    var passwordFile: String?

    @Flag(help: "Store no MD5 secret: the user can authenticate with basic auth only.")
    var noMD5 = false

    func run() throws {
        var password = ""
        try Self.reportingFailures { password = try Self.readPassword(passwordFile ?? "-") }
        let (store, name, md5, secret) = (self.store, self.name, !noMD5, password)
        try Self.runningStore {
            try await store.open().addUser(name: name, password: secret, md5: md5)
            print("added user \(name) (MD5 auth \(md5 ? "on" : "off"))")
        }
    }

    /// The bytes of `path` (or standard input for `-`) as UTF-8, less one trailing newline.
    static func readPassword(_ path: String) throws -> String {
        var source = try ByteSource(path: path)
        defer { source.close() }
        var bytes: [UInt8] = []
        while let chunk = try source.next() { bytes.append(contentsOf: chunk) }
        if bytes.last == 0x0A { bytes.removeLast() }
        if bytes.last == 0x0D { bytes.removeLast() }
        guard !bytes.isEmpty else { throw CommandFailure("empty password") }
        guard let password = String(validating: bytes, as: UTF8.self) else { throw CommandFailure("the password is not UTF-8") }
        return password
    }
}

/// `syncml user passwd NAME`: a new password for an existing user.
struct UserPasswd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract: "Change a user's password, read from standard input or a file.",
        discussion: "The password is read as for `user add`. The old password stops working at once, for basic and MD5 auth, also for a server running on the store. MD5 auth stays as it was unless --md5 or --no-md5 is given."
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "The user name.")
    var name: String

    @Option(help: "Read the password from this file instead of standard input.")
    var passwordFile: String?

    @Flag(inversion: .prefixedNo, help: "Store (or stop storing) the MD5 secret SyncML MD5 auth needs; unchanged by default.")
    var md5: Bool?

    func run() throws {
        var password = ""
        try Self.reportingFailures { password = try UserAdd.readPassword(passwordFile ?? "-") }
        let (store, name, md5, secret) = (self.store, self.name, self.md5, password)
        try Self.runningStore {
            let opened = try store.openExisting()
            try await opened.setPassword(user: name, password: secret, md5: md5)
            let enabled = try await opened.users().first { $0.name == name }?.md5Enabled ?? false
            print("changed the password of user \(name) (MD5 auth \(enabled ? "on" : "off"))")
        }
    }
}

/// `syncml user remove NAME`: a user and, only when asked, their records.
struct UserRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a user; one who still has records only with --delete-data.",
        discussion: """
            Removes the user with their devices (anchors, LUID maps, nonces) and sessions. A user whose datastores \
            still hold records (live ones, or deleted ones whose history the journal keeps) is refused unless \
            --delete-data, which deletes the datastores, the records and every version of them too. That cannot be \
            undone: `syncml export --user NAME --output DIR` first keeps a copy.
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "The user name.")
    var name: String

    @Flag(help: "Also delete the user's datastores and records with their whole history.")
    var deleteData = false

    func run() throws {
        let (store, name, deleteData) = (self.store, self.name, self.deleteData)
        try Self.runningStore {
            let removal: UserRemoval
            do {
                removal = try await store.openExisting().removeUser(named: name, deletingData: deleteData)
            } catch let error as StoreError where error.kind == .conflict {
                throw CommandFailure("\(error.message): nothing removed; --delete-data deletes them with the user")
            }
            var line = "removed user \(name)"
            if removal.records > 0 || removal.datastores > 0 {
                line += " and \(removal.records) record(s) (\(removal.versions) version(s)) in \(removal.datastores) datastore(s)"
            }
            print(line + ", \(removal.devices) device(s), \(removal.sessions) session(s)")
        }
    }
}

/// `syncml user list`.
struct UserList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the users of a store.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: JSONFlag

    func run() throws {
        let (store, json) = (self.store, output.json)
        try Self.runningStore {
            let users = try await store.openExisting().users().map(UserReport.init)
            if json { return try JSONOutput.write(UserListReport(users: users)) }
            print(UserReport.table(users))
        }
    }
}

/// `syncml user list --json`.
struct UserListReport: Encodable {
    var users: [UserReport]
}
