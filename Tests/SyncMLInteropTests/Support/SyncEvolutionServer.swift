import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// SyncEvolution's own SyncML server, the peer our client is checked against:
/// `syncevo-http-server` (Python, Twisted) in front of `syncevo-dbus-server`, both
/// in a private D-Bus session (`dbus-run-session`), with a file-backend `@server`
/// context that keeps every item as one file per datastore directory.
///
/// The recipe is `Benchmarks/compare-syncevolution.py`'s (docs/BENCHMARKS.md): the
/// packaged script's shebang is `#!@PYTHON@`, so it runs as `/usr/bin/python3
/// /usr/bin/syncevo-http-server URL`; `syncevo-dbus-server` is activated with a
/// `dbus-send … GetVersions` before the HTTP server starts; the server finds a
/// client's configuration by `remoteDeviceId` (one `SyncEvolution_Client` peer per
/// device). Everything — HOME, XDG directories, item directories, its output and
/// session logs — lives under `root`; its processes form one session of their own,
/// so `stop()` ends them all.
final class SyncEvolutionServer: @unchecked Sendable {
    let root: URL
    /// The sync URL, `http://127.0.0.1:PORT/syncevolution`.
    let url: String
    private let processGroup: pid_t
    private let output: URL
    private let lock = NSLock()
    private var stopped = false

    static let script = "/usr/bin/syncevo-http-server"
    /// The interpreter with the `dbus` and `gi` modules the script imports (a Python
    /// earlier on PATH may lack them).
    static let python = "/usr/bin/python3"
    static let startTimeout = Duration.seconds(60)
    static let stopTimeout = Duration.seconds(10)

    // MARK: Is it installed?

    /// Why the server cannot run here, or nil.
    static func unavailable() async -> String? { await unavailability.value }

    /// The one check, started by the first caller; the others await it.
    private static let unavailability = Task<String?, Never> {
        for tool in ["dbus-run-session", "dbus-send"] where Subprocess.path(of: tool) == nil {
            return "`\(tool)` is missing (apt-get install dbus)"
        }
        guard SyncEvolution.executable != nil else { return "`syncevolution` is missing (apt-get install syncevolution)" }
        guard FileManager.default.isExecutableFile(atPath: script) else {
            return "\(script) is missing (apt-get install syncevolution-http python3-twisted)"
        }
        guard let probe = try? await Subprocess.run(python, ["-c", "import dbus, gi, twisted"], timeout: .seconds(30)) else {
            return "\(python) cannot be run"
        }
        guard probe.status == 0 else {
            return "\(python) cannot import what \(script) needs (apt-get install syncevolution-http python3-twisted): "
                + (probe.output.split(separator: "\n").last.map(String.init) ?? "")
        }
        return nil
    }

    /// True if the tests against this server should run; evaluated once, so the banner is printed once.
    /// Missing pieces skip them loudly, or make them fail under `SYNCML_REQUIRE_PEERS=1`.
    static func testsShouldRun() async -> Bool { await shouldRun.value }

    private static let shouldRun = Task<Bool, Never> {
        guard let why = await unavailable(), !SyncEvolution.peersRequired else { return true }
        let banner = String(repeating: "!", count: 78)
        FileHandle.standardError.write(Data("""
            \(banner)
            !! SKIPPING our client against SyncEvolution's server: \(why).
            !! CI sets SYNCML_REQUIRE_PEERS=1 to fail instead.
            \(banner)\n
            """.utf8))
        return false
    }

    // MARK: Starting and stopping

    /// Configures the `@server` context (a file-backend directory per datastore) and
    /// one peer per client device, then starts the server on a free loopback port.
    /// - Parameter devices: the device ID each client sends, with the account it logs in with.
    init(root: URL, devices: [(deviceID: String, account: Account)]) async throws {
        if let why = await Self.unavailable() { throw Subprocess.Failure(description: "SyncEvolution's server cannot run: \(why)") }
        self.root = root
        for folder in ["home", "config", "data", "cache"] + Datastore.allCases.map(\.folder) {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let environment = SyncEvolution.isolatedEnvironment(root: root)
        func configure(_ arguments: [String], _ what: String) async throws {
            let result = try await Subprocess.run(SyncEvolution.requireExecutable(), ["--daemon=no", "--configure"] + arguments,
                                                  environment: environment, timeout: .seconds(30))
            guard result.status == 0 else { throw Subprocess.Failure(description: "syncevolution --configure \(what) failed: \(result)") }
        }
        let datastores = Datastore.allCases.map(\.rawValue)
        try await configure(["--template", "none", "keyring=no"] + SyncEvolution.fileBackend(under: root) + ["@server"] + datastores, "@server")
        for (index, device) in devices.enumerated() {
            try await configure(["--template", "SyncEvolution_Client", "keyring=no", "username=\(device.account.name)",
                                 "password=\(device.account.password)", "remoteDeviceId=\(device.deviceID)", "printChanges=0", "dumpData=0",
                                 "client\(index)@server"] + datastores, "client\(index)@server")
        }

        // The script cannot listen on port 0 and tell us the port; take one that was free a moment ago.
        guard let port = LoopbackPort.free() else { throw Subprocess.Failure(description: "cannot bind a loopback port: errno \(errno)") }
        url = "http://127.0.0.1:\(port)/syncevolution"
        output = root.appendingPathComponent("serve.log")
        let command = "dbus-send --session --print-reply --dest=org.syncevolution /org/syncevolution/Server "
            + "org.syncevolution.Server.GetVersions >/dev/null && exec \(Self.python) \(Self.script) \(url)"
        processGroup = try SessionLeader.spawn(
            Subprocess.path(of: "dbus-run-session") ?? "/usr/bin/dbus-run-session", ["--", "/bin/sh", "-c", command],
            environment: environment, output: output)
        do {
            try await waitUntilListening()
        } catch {
            await stop()
            throw error
        }
    }

    /// Waits for the script's `listening on port N` line; fails if the session ends or stays silent.
    private func waitUntilListening() async throws {
        let deadline = ContinuousClock.now + Self.startTimeout
        while ContinuousClock.now < deadline {
            if (try? String(contentsOf: output, encoding: .utf8))?.contains("listening on port") == true { return }
            if let status = SessionLeader.exitStatus(processGroup) {
                throw Subprocess.Failure(description: "SyncEvolution's server exited with \(status) before listening:\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Subprocess.Failure(description: "SyncEvolution's server did not listen within \(Self.startTimeout):\n\(log)")
    }

    /// SIGTERM to every process of the server's session (the D-Bus daemon, both
    /// servers, their helpers), SIGKILL to whatever is left after `stopTimeout`.
    /// Stopping twice is harmless.
    func stop() async {
        if claimStop() { await SessionLeader.stop(processGroup, within: Self.stopTimeout) }
    }

    /// True for the first caller only.
    private func claimStop() -> Bool {
        lock.withLock {
            defer { stopped = true }
            return !stopped
        }
    }

    /// A server nobody stopped (its workspace always does) is killed at once; a
    /// thread of its own reaps the leader (deinit cannot await).
    deinit {
        if claimStop() { SessionLeader.kill(processGroup) }
    }

    // MARK: What it holds

    var name: String { "SyncEvolution's server" }

    /// The file-backend directory of one datastore: one file per item, named 0, 1, 2 … by the server.
    /// A file written there is a change made on the server's side (`ItemFolders`).
    func directory(of datastore: Datastore) -> URL { root.appendingPathComponent(datastore.folder) }

    /// Replaces the one item titled `title` (an edit on the server's side), with a
    /// modification time a few seconds on: the file backend tells a change by the
    /// file's time in whole seconds, and the last sync may have been in this second.
    func edit(titled title: String, in datastore: Datastore, with text: String) throws {
        let file = directory(of: datastore).appendingPathComponent(try fileName(titled: title, in: datastore))
        try replace(titled: title, in: datastore, with: text)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: file.path)
    }

    /// The end of the server's output and the names of its session log directories
    /// (HTML logs under its XDG cache directory), for failure messages.
    var log: String {
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        let logs = FileManager.default.enumerator(atPath: root.appendingPathComponent("cache").path)?
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".html") } ?? []
        return String(text.suffix(4_000)) + "\n--- session logs under \(root.appendingPathComponent("cache").path) ---\n"
            + logs.sorted().joined(separator: "\n")
    }
}

/// A process started as the leader of a new session (so of a new process group),
/// so that it and everything it starts can be signalled at once — here
/// `dbus-run-session`, whose D-Bus daemon activates `syncevo-dbus-server`, which
/// forks a helper per sync. Foundation's `Process` cannot start a session.
enum SessionLeader {
    /// glibc's `POSIX_SPAWN_SETSID` (since 2.26); Swift's Glibc module does not export the GNU flags.
    private static let setSessionFlag: Int16 = 0x80

    /// Starts `executable ARGUMENTS` in `environment`, standard input from /dev/null,
    /// standard output and error to `output`; returns its process ID (= its group's ID).
    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String], output: URL) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A test runs on a worker thread that blocks most signals, and the child would
        // inherit that mask (and SIGTERM would not stop it): start it with none blocked
        // and every signal at its default action.
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, setSessionFlag | Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw Subprocess.Failure(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return pid
    }

    /// The leader's exit status if it has ended (reaped), else nil.
    static func exitStatus(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// SIGTERM to the whole group, SIGKILL to it after `timeout`; reaps the leader.
    /// Polls with `Task.sleep`, so no thread is held while the group winds down.
    static func stop(_ group: pid_t, within timeout: Duration) async {
        Glibc.kill(-group, SIGTERM)
        let deadline = ContinuousClock.now + timeout
        var reaped = false
        while hasLivingMembers(group), ContinuousClock.now < deadline {
            reaped = reaped || exitStatus(group) != nil
            try? await Task.sleep(for: .milliseconds(20))
        }
        Glibc.kill(-group, SIGKILL)
        // A killed leader is gone at once; the bound only guards against a process stuck in the kernel.
        let reapDeadline = ContinuousClock.now + timeout
        while !reaped, ContinuousClock.now < reapDeadline {
            var status: Int32 = 0
            let result = waitpid(group, &status, WNOHANG)
            reaped = result == group || (result == -1 && errno == ECHILD)
            if !reaped { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// SIGKILL to the whole group, the leader reaped by a thread of its own (not the cooperative pool).
    static func kill(_ group: pid_t) {
        Glibc.kill(-group, SIGKILL)
        Thread.detachNewThread {
            var status: Int32 = 0
            _ = waitpid(group, &status, 0)
        }
    }

    /// Whether a process of the group is still running. Not `kill(-group, 0)`: that
    /// also counts zombies, and an orphan's zombie may never be reaped (a container's
    /// PID 1 need not reap).
    private static func hasLivingMembers(_ group: pid_t) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.contains { entry in
            guard Int32(entry) != nil, let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            // After "PID (COMMAND) ": state, parent, group — the command may hold spaces and parentheses.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && fields[0] != "Z" && Int32(fields[2]) == group
        }
    }
}
