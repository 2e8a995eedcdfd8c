import ArgumentParser
import SyncMLStore

/// `syncml user`: the store's users and their passwords.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage the users of a store.",
        subcommands: [UserAdd.self, UserList.self]
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

/// `syncml user list`.
struct UserList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the users of a store.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        let store = self.store
        try Self.runningStore {
            let users = try await store.open().users()
            var rows = [["USER", "CREATED", "PASSWORD", "MD5"]]
            for user in users {
                rows.append([user.name, StoreText.time(user.created), user.hasPassword ? "yes" : "no", user.md5Enabled ? "yes" : "no"])
            }
            print(StoreText.table(rows))
        }
    }
}
