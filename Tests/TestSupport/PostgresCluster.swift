public import Foundation

/// A PostgreSQL server of a test's own: a new cluster in a temporary directory,
/// listening on 127.0.0.1 and a Unix socket in that directory, with trust
/// authentication for one role (`syncml`), stopped and deleted by `stop()`.
///
/// The scale-out tests (issue #18) run against it. It needs Debian's
/// `postgresql` package (`initdb`, `postgres`, `psql`); when they are missing,
/// `start()` returns nil after a loud skip message, unless
/// `SYNCML_REQUIRE_PEERS=1`, when it throws. PostgreSQL refuses to run as
/// root, so as root its programs run as the `postgres` user (`setpriv`, which
/// execs rather than forks), and that user owns the directory.
///
/// The server is this process's own child, not started with `pg_ctl`: a
/// daemon that `pg_ctl` leaves behind inherits the descriptor through which
/// Foundation learns that a child ended, so `pg_ctl start` never seemed to end.
public final class PostgresCluster: Sendable {
    /// A connection URL for the role `syncml` and the database `syncml`.
    public let url: String
    /// The TCP port on 127.0.0.1.
    public let port: Int
    /// The cluster's directory (data, socket and log).
    public let directory: URL
    private let tools: Tools
    private let server: Process
    private let serverExit: ProcessExit

    struct Tools {
        var initdb: String
        var postgres: String
        var psql: String
    }

    private init(directory: URL, port: Int, tools: Tools, server: Process, serverExit: ProcessExit) {
        self.directory = directory
        self.port = port
        self.tools = tools
        self.server = server
        self.serverExit = serverExit
        url = "postgres://syncml@127.0.0.1:\(port)/syncml"
    }

    /// Starts a new cluster, or returns nil (after the loud skip message) when
    /// PostgreSQL is not installed and peers are not required.
    public static func start() async throws -> PostgresCluster? {
        guard let tools = findTools() else {
            guard Peers.available("initdb", package: "postgresql") else { return nil }
            throw Peers.Failure(description: "PostgreSQL (initdb, pg_ctl, psql) is not installed: apt-get install postgresql")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            if getuid() == 0 {
                try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: directory.path)
            }
            try await run(tools.initdb, ["-D", directory.appendingPathComponent("data").path, "-A", "trust", "-U", "syncml",
                                         "-E", "UTF8", "--locale=C", "--no-sync"], in: directory)
            // A port another program holds makes the server exit at once: try a few.
            for _ in 0..<5 {
                if let cluster = try await startServer(in: directory, port: Int.random(in: 20_000..<60_000), tools: tools) {
                    try await cluster.psql("CREATE DATABASE syncml", database: "postgres")
                    return cluster
                }
            }
            throw Peers.Failure(description: "PostgreSQL did not start: \(logTail(directory))")
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// The server on `port` once it answers, or nil if it ended first (the port was taken).
    private static func startServer(in directory: URL, port: Int, tools: Tools) async throws -> PostgresCluster? {
        let log = try FileHandle(forWritingTo: {
            let url = directory.appendingPathComponent("log")
            if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
            return url
        }())
        defer { try? log.close() }
        log.seekToEndOfFile()
        let server = process(tools.postgres, ["-D", directory.appendingPathComponent("data").path, "-p", "\(port)", "-k", directory.path,
                                              "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                                              "-c", "max_connections=300"], in: directory)
        server.standardOutput = log
        server.standardError = log
        let exit = try server.start()
        let cluster = PostgresCluster(directory: directory, port: port, tools: tools, server: server, serverExit: exit)
        for _ in 0..<300 {
            if exit.hasExited { return nil }
            if (try? await cluster.psql("SELECT 1", database: "postgres")) == "1" { return cluster }
            try await Task.sleep(for: .milliseconds(100))
        }
        await cluster.stop()
        throw Peers.Failure(description: "PostgreSQL did not answer within 30 s: \(logTail(directory))")
    }

    private static func logTail(_ directory: URL) -> String {
        let text = (try? String(contentsOf: directory.appendingPathComponent("log"), encoding: .utf8)) ?? ""
        return String(text.suffix(400))
    }

    /// The cluster this test process shares: started on first use, stopped and
    /// deleted when the process exits. Nil (after one loud skip message) when
    /// PostgreSQL is not installed and peers are not required. Tests keep apart
    /// by using a schema (or database) of their own in it.
    public static func shared() async throws -> PostgresCluster? {
        try await SharedCluster.instance.cluster()
    }

    /// Stops the server at once, without awaiting (SIGINT, then SIGKILL after
    /// 10 s), and deletes the cluster: what the process's exit runs.
    func stopNow() {
        if !serverExit.hasExited {
            kill(server.processIdentifier, SIGINT)
            for _ in 0..<1000 where !serverExit.hasExited { usleep(10_000) }
            if !serverExit.hasExited { kill(server.processIdentifier, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `sql` with `psql` and returns what it printed (unaligned, tuples only).
    @discardableResult
    public func psql(_ sql: String, database: String = "syncml") async throws -> String {
        try await Self.run(tools.psql, ["-h", "127.0.0.1", "-p", "\(port)", "-U", "syncml", "-d", database,
                                        "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], in: directory, asPostgres: false)
    }

    /// Stops the server (SIGINT: fast shutdown; SIGKILL after 30 s) and deletes the cluster.
    public func stop() async {
        if !serverExit.hasExited {
            kill(server.processIdentifier, SIGINT)
            if await !serverExit.wait(atMost: .seconds(30)) {
                kill(server.processIdentifier, SIGKILL)
                await serverExit.wait()
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Debian keeps the server's programs in /usr/lib/postgresql/VERSION/bin, not on PATH.
    static func findTools() -> Tools? {
        var directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        directories += versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        func find(_ name: String) -> String? {
            directories.lazy.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        }
        guard let initdb = find("initdb"), let postgres = find("postgres"), let psql = find("psql") else { return nil }
        return Tools(initdb: initdb, postgres: postgres, psql: psql)
    }

    /// `tool` with `arguments`; as root, exec'd as the `postgres` user.
    private static func process(_ tool: String, _ arguments: [String], in directory: URL, asPostgres: Bool = true) -> Process {
        let process = Process()
        if asPostgres, getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", tool] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        return process
    }

    /// Runs a PostgreSQL program to its end without holding a thread; returns what it printed.
    @discardableResult
    private static func run(_ tool: String, _ arguments: [String], in directory: URL, asPostgres: Bool = true) async throws -> String {
        let output = try OutputFile()
        let process = process(tool, arguments, in: directory, asPostgres: asPostgres)
        process.standardOutput = output.handle
        process.standardError = output.handle
        let exit = try process.start()
        await exit.wait()
        let text = output.text
        guard process.terminationStatus == 0 else {
            throw Peers.Failure(description: "\((tool as NSString).lastPathComponent) failed (\(process.terminationStatus)): \(text.suffix(400))")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The one cluster of a test process, started once by whichever test asks first.
private actor SharedCluster {
    static let instance = SharedCluster()
    private var starting: Task<PostgresCluster?, any Error>?

    func cluster() async throws -> PostgresCluster? {
        if let starting { return try await starting.value }
        let task = Task { () throws -> PostgresCluster? in
            guard let cluster = try await PostgresCluster.start() else { return nil }
            SharedClusterExit.register(cluster)
            return cluster
        }
        starting = task
        return try await task.value
    }
}

/// Stops the shared cluster when the process exits (`atexit` takes no context, hence the global).
private enum SharedClusterExit {
    nonisolated(unsafe) static var cluster: PostgresCluster?

    static func register(_ cluster: PostgresCluster) {
        Self.cluster = cluster
        atexit { SharedClusterExit.cluster?.stopNow() }
    }
}
