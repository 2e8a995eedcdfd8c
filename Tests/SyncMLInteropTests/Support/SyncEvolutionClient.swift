import Foundation

/// A datastore of the SyncEvolution client, kept by its file backend as one
/// file per item in a directory of its own.
enum Datastore: String, CaseIterable, Sendable {
    case addressbook, calendar, todo

    /// The client's item directory, under the client's root.
    var folder: String {
        switch self {
        case .addressbook: "contacts"
        case .calendar: "calendar"
        case .todo: "todo"
        }
    }

    /// The MIME type the file backend stores (and prefers on the wire).
    var format: String { self == .addressbook ? "text/vcard" : "text/calendar" }

    /// The name our server files the datastore under (its canonical alias).
    var serverName: String {
        switch self {
        case .addressbook: "contacts"
        case .calendar: "calendar"
        case .todo: "tasks"
        }
    }
}

/// The sync modes SyncEvolution's `--sync` takes, with the alert code each sends.
enum SyncMode: String, CaseIterable, Sendable {
    case twoWay = "two-way"
    case slow
    case oneWayFromClient = "one-way-from-client"
    case oneWayFromServer = "one-way-from-server"
    case refreshFromClient = "refresh-from-client"
    case refreshFromServer = "refresh-from-server"
}

enum ClientAuth: String, Sendable {
    case md5, basic
}

enum SyncMLVersion: String, Sendable {
    case v1_1 = "1.1"
    case v1_2 = "1.2"
}

/// One item file of a client datastore.
struct ItemFile: Sendable, CustomStringConvertible {
    var name: String
    var text: String

    /// FN of a vCard, SUMMARY of an event or task.
    var title: String? { ItemText.value(of: "FN", in: text) ?? ItemText.value(of: "SUMMARY", in: text) }

    var description: String { "\(name): \(title ?? "?")" }

    /// The item files of a directory, by name (hidden files are temporaries, not items).
    static func all(in directory: URL) throws -> [ItemFile] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted().compactMap { name in
            guard !name.hasPrefix(".") else { return nil }
            return ItemFile(name: name, text: String(decoding: try Data(contentsOf: directory.appendingPathComponent(name)), as: UTF8.self))
        }
    }
}

/// One SyncEvolution client (`syncevolution --daemon=no`, file backend) with a
/// root directory of its own: HOME, XDG directories, item files and session logs,
/// so that clients never share state.
///
/// The local context is `@ctx` (the item directories), the peer `peer@ctx` (the
/// server's URL, the account and the device ID). Each datastore is synced with
/// the server URI of the same name (`addressbook`, `calendar`, `todo`).
struct SyncEvolutionClient: Sendable {
    let name: String
    let root: URL

    /// Per `sync` run: SIGKILL after this long (a sync against a local server takes ~1 s).
    static let syncTimeout = Duration.seconds(120)

    /// Creates the client's directories under `directory/name`.
    init(name: String, in directory: URL) throws {
        self.name = name
        root = directory.appendingPathComponent(name)
        for folder in ["home", "config", "data", "cache", "logs"] + Datastore.allCases.map(\.folder) {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
    }

    /// The environment every run gets: its own HOME and XDG directories, UTC,
    /// no proxy, no D-Bus session (so no daemon is contacted), and the curl shim.
    func environment() async throws -> [String: String] {
        var environment = SyncEvolution.isolatedEnvironment(root: root)
        environment["LD_PRELOAD"] = try await SyncEvolution.curlFix()
        return environment
    }

    /// Runs `syncevolution --daemon=no ARGUMENTS` in this client's environment.
    /// With `interruptWhenOutputContains`, one SIGINT (Ctrl-C: suspend) as soon as that
    /// text is printed; the output is then line-buffered (`stdbuf`, which execs the
    /// client, so the signal reaches it), else it arrives in blocks, too late.
    func run(_ arguments: [String], timeout: Duration = syncTimeout, interruptWhenOutputContains trigger: String? = nil) async throws -> ProcessResult {
        let executable = try SyncEvolution.requireExecutable()
        guard trigger != nil else {
            return try await Subprocess.run(executable, ["--daemon=no"] + arguments, environment: environment(), timeout: timeout)
        }
        guard let stdbuf = Subprocess.path(of: "stdbuf") else { throw Subprocess.Failure(description: "stdbuf (coreutils) is missing") }
        return try await Subprocess.run(stdbuf, ["-oL", "-eL", executable, "--daemon=no"] + arguments, environment: environment(), timeout: timeout,
                                        interruptWhenOutputContains: trigger)
    }

    /// Creates the file-backend context and the peer configuration (the two
    /// `--configure` commands of the shared SyncEvolution doc); `extra` holds
    /// further peer properties (`SSLServerCertificates=…`).
    func configure(url: String, user: String, password: String, deviceID: String, extra: [String] = []) async throws {
        let context = ["--configure", "--template", "none", "keyring=no"] + SyncEvolution.fileBackend(under: root)
        try await mustSucceed(run(context + ["@ctx"] + Datastore.allCases.map(\.rawValue), timeout: .seconds(30)), "configure @ctx")
        let peer = ["--configure", "--template", "SyncEvolution", "syncURL=\(url)", "username=\(user)", "password=\(password)",
                    "deviceId=\(deviceID)", "logdir=\(logs.path)", "printChanges=0", "dumpData=0"] + extra + ["peer@ctx"]
        try await mustSucceed(run(peer + Datastore.allCases.map(\.rawValue), timeout: .seconds(30)), "configure peer@ctx")
    }

    /// Points the configured peer at another server URL (a restarted server gets a new port).
    func point(at url: String) async throws {
        try await mustSucceed(run(["--configure", "syncURL=\(url)", "peer@ctx"], timeout: .seconds(30)), "configure syncURL")
    }

    /// Runs one sync session and returns how it ended.
    ///
    /// Always passes `enableRefreshSync=1` (a real Alert 205 for refresh-from-server),
    /// `preventSlowSync=0` (accept a server-requested slow sync), `RetryInterval=0` and
    /// `useProxy=0`. `extra` holds further `property=value` overrides for this run only
    /// (for example `password=wrong`). `SYNCML_INTEROP_DEBUG=1` adds `loglevel=5`, which
    /// dumps every message into the session's log directory.
    func sync(
        _ mode: SyncMode,
        _ datastores: [Datastore] = Datastore.allCases,
        wbxml: Bool = true,
        syncMLVersion: SyncMLVersion = .v1_2,
        auth: ClientAuth = .md5,
        maxMsgSize: Int? = nil,
        maxObjSize: Int? = nil,
        extra: [String] = [],
        interruptWhenOutputContains trigger: String? = nil
    ) async throws -> SyncRun {
        var properties = ["enableWBXML=\(wbxml ? 1 : 0)", "enableRefreshSync=1", "preventSlowSync=0", "RetryInterval=0", "useProxy=0",
                          "SyncMLVersion=\(syncMLVersion.rawValue)", "clientAuthType=\(auth.rawValue)"]
        if let maxMsgSize { properties.append("maxMsgSize=\(maxMsgSize)") }
        if let maxObjSize { properties.append("maxObjSize=\(maxObjSize)") }
        if ProcessInfo.processInfo.environment["SYNCML_INTEROP_DEBUG"] == "1" { properties.append("loglevel=5") }
        properties += extra
        let sessionsBefore = sessionDirectories()
        let result = try await run(["--run"] + properties + ["--sync", mode.rawValue, "peer@ctx"] + datastores.map(\.rawValue),
                                   interruptWhenOutputContains: trigger)
        let session = sessionDirectories().subtracting(sessionsBefore).sorted().last
        let report = session.flatMap { SyncReport(contentsOf: logs.appendingPathComponent($0).appendingPathComponent("status.ini")) }
        return SyncRun(client: name, mode: mode, result: result, report: report)
    }

    // MARK: Item files

    var logs: URL { root.appendingPathComponent("logs") }

    /// One directory per datastore; items the client receives are named 0, 1, 2 …
    func directory(of datastore: Datastore) -> URL { root.appendingPathComponent(datastore.folder) }

    func delete(_ fileName: String, in datastore: Datastore) throws {
        try FileManager.default.removeItem(at: directory(of: datastore).appendingPathComponent(fileName))
    }

    // Reading and changing items by title: `ItemFolders`.

    // MARK: Private

    private func sessionDirectories() -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: logs.path)) ?? [])
    }

    private func mustSucceed(_ result: ProcessResult, _ what: String) throws {
        guard result.status == 0 else { throw Subprocess.Failure(description: "\(name): syncevolution \(what) failed: \(result)") }
    }
}

/// How one `syncevolution --sync` run ended.
struct SyncRun: Sendable, CustomStringConvertible {
    var client: String
    var mode: SyncMode
    var result: ProcessResult
    /// The session's `status.ini`; nil when the client wrote none.
    var report: SyncReport?

    var exitCode: Int32 { result.status }
    var output: String { result.output }
    var succeeded: Bool { exitCode == 0 }

    var description: String {
        let crash = exitCode == 139 ? " — SIGSEGV: the curl shim (LD_PRELOAD) was not applied" : ""
        return "\(client) \(mode.rawValue): \(result)\(crash)"
    }
}
