import Foundation

/// Our own client, `syncml sync`, in the role the seed gives the CRM: it syncs
/// folders of record files (one `.vcf`/`.ics` per record) with the server.
///
/// Everything it owns lives under `root`: one folder per datastore (`contacts/`,
/// `calendar/`, `todo/`, passed as `--contacts`, `--calendar`, `--tasks`), the
/// state file that remembers what the folders held at the last sync, and the
/// password file. Records it receives get file names of its own choosing.
struct CRMClient: Sendable {
    let name: String
    let root: URL
    let url: String
    let account: Account
    let deviceID: String
    /// The server's URI per datastore, where it differs from the CLI's default
    /// (`contacts`, `calendar`, `tasks`): passed as `--remote-contacts` and so on.
    var remoteURIs: [Datastore: String] = [:]

    /// Creates the folders under `directory/name`.
    init(name: String, in directory: URL, url: String, account: Account) throws {
        self.name = name
        root = directory.appendingPathComponent(name)
        self.url = url
        self.account = account
        deviceID = "syncml-interop-\(name)"
        for datastore in Datastore.allCases {
            try FileManager.default.createDirectory(at: self.directory(of: datastore), withIntermediateDirectories: true)
        }
        try Data((account.password + "\n").utf8).write(to: passwordFile)
    }

    var state: URL { root.appendingPathComponent("state.sqlite") }
    private var passwordFile: URL { root.appendingPathComponent("password.txt") }

    /// Runs `syncml sync` on every folder and returns how it ended.
    func sync(_ mode: SyncMode = .twoWay, _ datastores: [Datastore] = Datastore.allCases) throws -> CRMRun {
        var arguments = ["sync", "--url", url, "--user", account.name, "--password-file", passwordFile.path,
                         "--device-id", deviceID, "--state", state.path, "--mode", mode.rawValue]
        for datastore in datastores {
            arguments += ["--\(Self.option(datastore))", directory(of: datastore).path]
            if let uri = remoteURIs[datastore] { arguments += ["--remote-\(Self.option(datastore))", uri] }
        }
        let result = try Subprocess.run(SyncMLTool.requireExecutable(), arguments, timeout: SyncEvolutionClient.syncTimeout)
        return CRMRun(client: name, mode: mode, result: result)
    }

    /// The CLI's option, and the report's name, for a datastore.
    static func option(_ datastore: Datastore) -> String { datastore == .todo ? "tasks" : datastore.serverName }

    // MARK: Record files

    func directory(of datastore: Datastore) -> URL { root.appendingPathComponent(datastore.folder) }

    /// Writes a record file as the CRM would (`name` needs the datastore's extension to count as a record).
    func write(_ text: String, as fileName: String, in datastore: Datastore) throws {
        try Data(text.utf8).write(to: directory(of: datastore).appendingPathComponent(fileName))
    }

    /// The datastore's record files, by name (hidden files are the client's temporaries, not records).
    func items(in datastore: Datastore) throws -> [ItemFile] {
        try ItemFile.all(in: directory(of: datastore))
    }

    /// The sorted titles (FN or SUMMARY) of the datastore's records: a duplicate shows up twice.
    func titles(in datastore: Datastore) throws -> [String] {
        try items(in: datastore).map { $0.title ?? "<no title in \($0.name)>" }.sorted()
    }

    /// The record whose title is `title`, if exactly one has it.
    func item(titled title: String, in datastore: Datastore) throws -> ItemFile? {
        let matching = try items(in: datastore).filter { $0.title == title }
        return matching.count == 1 ? matching[0] : nil
    }

    /// Replaces the one record titled `title` with `text`, keeping its file name (an edit).
    func replace(titled title: String, in datastore: Datastore, with text: String) throws {
        try write(text, as: fileName(titled: title, in: datastore), in: datastore)
    }

    func delete(titled title: String, in datastore: Datastore) throws {
        try FileManager.default.removeItem(at: directory(of: datastore).appendingPathComponent(fileName(titled: title, in: datastore)))
    }

    private func fileName(titled title: String, in datastore: Datastore) throws -> String {
        guard let item = try item(titled: title, in: datastore) else {
            throw Subprocess.Failure(description: "\(name) has not exactly one \(datastore.rawValue) record titled \(title): \(try items(in: datastore))")
        }
        return item.name
    }
}

/// How one `syncml sync` run ended, with the report it printed.
struct CRMRun: Sendable, CustomStringConvertible {
    var client: String
    var mode: SyncMode
    var result: ProcessResult

    var succeeded: Bool { result.status == 0 }

    /// One datastore's report line, `contacts: two-way; local +1 ~0 -0; remote +0 ~2 -1[; conflicts 207×1][; rejected N]`.
    struct Line: Sendable, Equatable {
        var performed: String
        /// Changes applied to the CRM's folder, and changes the server accepted, as [added, updated, deleted].
        var local: [Int]
        var remote: [Int]
        var conflicts: String?
        var rejected: Int

        /// Nothing happened on either side.
        var isQuiet: Bool { local == [0, 0, 0] && remote == [0, 0, 0] && conflicts == nil && rejected == 0 }
    }

    /// The report line for `datastore`, nil if the run printed none.
    subscript(datastore: Datastore) -> Line? {
        let prefix = CRMClient.option(datastore) + ": "
        guard let text = result.output.split(separator: "\n").first(where: { $0.hasPrefix(prefix) && $0.contains("; local ") }) else { return nil }
        var line = Line(performed: "", local: [], remote: [], conflicts: nil, rejected: 0)
        for (index, part) in text.dropFirst(prefix.count).split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }).enumerated() {
            let words = part.split(separator: " ")
            if index == 0 {
                line.performed = String(words.first ?? "")
            } else if words.first == "local" || words.first == "remote" {
                // "+1", "~0", "-2": the sign names the change, the rest is the count.
                let counts = words.dropFirst().map { Int($0.dropFirst()) ?? -1 }
                if words.first == "local" { line.local = counts } else { line.remote = counts }
            } else if words.first == "conflicts" {
                line.conflicts = words.dropFirst().joined(separator: " ")
            } else if words.first == "rejected" {
                line.rejected = words.last.flatMap { Int($0) } ?? -1
            }
        }
        return line
    }

    var description: String { "\(client) \(mode.rawValue): \(result)" }
}

/// Fails the test with the CRM's output and the server's log unless the sync succeeded.
@discardableResult
func requireSuccess(_ run: CRMRun, _ server: some InteropServer) throws -> CRMRun {
    guard run.succeeded else {
        throw Subprocess.Failure(description: "\(run)\n--- server log ---\n\(server.log)")
    }
    return run
}

extension InteropWorkspace {
    /// A CRM (`syncml sync`) syncing with `server` as `account`, device ID `syncml-interop-NAME`.
    func crm(_ name: String = "crm", of server: some InteropServer, as account: Account = .alice) throws -> CRMClient {
        try CRMClient(name: name, in: root, url: server.url, account: account)
    }
}

extension Samples {
    /// Writes `book` into the CRM's folders.
    static func fill(_ crm: CRMClient) throws {
        for (datastore, file, text) in book { try crm.write(text, as: file, in: datastore) }
    }
}
