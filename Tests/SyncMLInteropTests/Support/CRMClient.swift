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
    /// The CA that signed an HTTPS server's certificate (`--ca-file`).
    var authority: String?

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
    func sync(_ mode: SyncMode = .twoWay, _ datastores: [Datastore] = Datastore.allCases) async throws -> CRMRun {
        var arguments = ["sync", "--url", url, "--user", account.name, "--password-file", passwordFile.path,
                         "--device-id", deviceID, "--state", state.path, "--mode", mode.rawValue]
        if let authority { arguments += ["--ca-file", authority] }
        for datastore in datastores {
            arguments += ["--\(Self.option(datastore))", directory(of: datastore).path]
            if let uri = remoteURIs[datastore] { arguments += ["--remote-\(Self.option(datastore))", uri] }
        }
        let result = try await Subprocess.run(SyncMLTool.requireExecutable(), arguments, timeout: SyncEvolutionClient.syncTimeout)
        return CRMRun(client: name, mode: mode, result: result)
    }

    /// The CLI's option, and the report's name, for a datastore.
    static func option(_ datastore: Datastore) -> String { datastore == .todo ? "tasks" : datastore.serverName }

    // MARK: Record files

    /// One folder per datastore; received records get file names of the client's choosing.
    func directory(of datastore: Datastore) -> URL { root.appendingPathComponent(datastore.folder) }

    // Reading and changing the record files: `ItemFolders`.
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
        var crm = try CRMClient(name: name, in: root, url: server.url, account: account)
        crm.authority = (server as? SyncMLServerProcess)?.authority
        return crm
    }
}
