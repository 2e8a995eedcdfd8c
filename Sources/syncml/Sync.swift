import ArgumentParser
import Foundation
import Logging
import SyncMLClient
import SyncMLCodec
import SyncMLProtocol
import SyncMLHTTP
import SyncMLStore

#if canImport(Glibc)
import Glibc
#endif

/// `syncml sync`: the client role, one folder of record files per datastore.
struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync folders of record files with a SyncML server.",
        discussion: """
            Each folder holds one record per file: .vcf for --contacts, .ics for --calendar and --tasks, .txt for --notes. \
            The folders must exist. The password is read from --password-file or standard input. \
            Changes are found against what the folders held at the last sync, kept in the state file (--state): keep one state file per device ID. \
            Prints what the sync did on standard output and its progress on standard error.
            """
    )

    @Option(help: "The server's SyncML URL (http://HOST:PORT/sync or https://HOST:PORT/sync).")
    var url: String

    @Option(help: "The user name on the server.")
    var user: String

    @Option(help: ArgumentHelp("Read the password from this file instead of standard input.", valueName: "file"))
    var passwordFile: String?

    @Option(help: "This client's device ID: the server keeps its sync state per device.")
    var deviceId: String

    @OptionGroup var recordFolders: RecordFolders

    @Option(help: ArgumentHelp("The server's URI for the contacts.", valueName: "uri"))
    var remoteContacts = "contacts"
    @Option(help: ArgumentHelp("The server's URI for the calendar.", valueName: "uri"))
    var remoteCalendar = "calendar"
    @Option(help: ArgumentHelp("The server's URI for the tasks.", valueName: "uri"))
    var remoteTasks = "tasks"
    @Option(help: ArgumentHelp("The server's URI for the notes.", valueName: "uri"))
    var remoteNotes = "notes"

    @Option(help: "The sync mode: \(SyncMode.allCases.map(\.rawValue).joined(separator: ", ")).")
    var mode = SyncMode.twoWay.rawValue

    @Option(help: ArgumentHelp("The client's sync state (created on first use).", valueName: "path"))
    var state = "./syncml-client.sqlite"

    @Flag(help: "Send XML messages instead of WBXML.")
    var xml = false

    @Flag(help: "Authenticate with syncml:auth-basic (the password crosses the wire readable) instead of syncml:auth-md5. Without it, a server that asks for basic is refused.")
    var basicAuth = false

    @Flag(help: "Accept a slow sync the server demands (it lost its sync state) for a folder that holds records; refused by default, as it can bring back deleted records.")
    var allowSlowSync = false

    @Option(help: ArgumentHelp("Stop a session that takes more messages than this (default \(SessionLimits().maxMessages)).", valueName: "count"))
    var maxMessages = SessionLimits().maxMessages

    @Option(help: ArgumentHelp("Stop a session in which the server sends more than this many MiB (default \(SessionLimits().maxBytesReceived >> 20)).",
                               valueName: "MiB"))
    var maxReceived = SessionLimits().maxBytesReceived >> 20

    @Option(help: "Seconds to wait for a connection and for each answer.")
    var timeout = 60

    @Option(help: ArgumentHelp("PEM certificates to trust for https besides the system's (a private CA).", valueName: "file"))
    var caFile: String?

    @Option(help: ArgumentHelp(
        "An HTTP proxy for every message (http://[USER:PASSWORD@]HOST:PORT). Without it, https_proxy, http_proxy and no_proxy are used (never for loopback addresses).",
        valueName: "url"))
    var proxy: String?

    @Flag(help: "Print no progress on standard error.")
    var quiet = false

    @Option(help: "Log the client's session on standard error from this level up: \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")) (debug shows each message). No log without it or --log-format.")
    var logLevel: String?

    @Option(help: "Log format on standard error: text, or json (one object per line: time, level, label, message, metadata). Logs at info without --log-level.")
    var logFormat: LogFormat?

    @Flag(help: "Print what the sync would send (records added, changed, deleted per folder) and stop: no connection, nothing changed.")
    var dryRun = false

    @Flag(help: "Apply deletes even when they remove more than half of a folder's records: the folder's deletes are sent, the server's (and what a refresh from the server removes) are applied. The mass-delete guard holds them otherwise, here and on the server.")
    var forceDeletes = false

    @OptionGroup var output: JSONFlag

    /// The folders given, as (kind, folder, server URI).
    private var folders: [(kind: DatastoreKind, path: String, remote: String)] {
        let remotes: [DatastoreKind: String] = [.contacts: remoteContacts, .calendar: remoteCalendar, .tasks: remoteTasks, .notes: remoteNotes]
        return recordFolders.given.map { ($0.kind, $0.path, remotes[$0.kind] ?? $0.kind.rawValue) }
    }

    func validate() throws {
        guard !folders.isEmpty else {
            throw ValidationError("give at least one folder: --contacts, --calendar, --tasks or --notes")
        }
        guard SyncMode(rawValue: mode) != nil else {
            throw ValidationError("unknown mode '\(mode)': use one of \(SyncMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard maxMessages > 0 else { throw ValidationError("--max-messages must be positive") }
        guard maxReceived > 0, maxReceived <= Int.max >> 20 else { throw ValidationError("--max-received must be a positive number of MiB") }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("'\(logLevel)' is not a level: use one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// The client's logger: on standard error in the asked format when --log-level or --log-format is given
    /// (standard output keeps only the report, so `--json` stays parseable), else one that drops everything.
    func makeLogger() -> Logger {
        guard logLevel != nil || logFormat != nil else {
            return Logger(label: "syncml.client", factory: { _ in SwiftLogNoOpLogHandler() })
        }
        (logFormat ?? .text).bootstrap(level: logLevel.flatMap(Logger.Level.init(rawValue:)) ?? .info)
        return Logger(label: "syncml.client")
    }

    func run() throws {
        var password = ""
        var madeTransport: HTTPClientTransport?
        try Self.reportingFailures {
            for folder in folders {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw CommandFailure("sync failed: no folder at \(folder.path)")
                }
            }
            madeTransport = try makeTransport()
            if dryRun { return }
            if passwordFile == nil, isatty(0) != 0 {
                StandardOutput.write(Array("syncml: reading the password from standard input (end it with Ctrl-D)\n".utf8), to: 2)
            }
            password = try UserAdd.readPassword(passwordFile ?? "-")
        }

        var settings = ClientConfiguration(serverURL: url, user: user, password: password, deviceID: deviceId)
        settings.authentication = basicAuth ? .basic : .md5
        settings.wbxml = !xml
        settings.allowServerSlowSync = allowSlowSync
        settings.sessionLimits.maxMessages = maxMessages
        settings.sessionLimits.maxBytesReceived = maxReceived << 20
        let datastores = folders.map { folder in
            ClientDatastore(name: folder.kind.rawValue, remoteURI: folder.remote, kind: folder.kind,
                            source: FolderDataSource(directory: URL(fileURLWithPath: folder.path), kind: folder.kind))
        }
        guard let transport = madeTransport else { return }
        let (configuration, statePath, syncMode, force, json) = (settings, state, SyncMode(rawValue: mode) ?? .twoWay, forceDeletes, output.json)
        var progress: (@Sendable (SyncProgress) -> Void)?
        if !quiet {
            let printer = SyncProgressPrinter()
            progress = { printer.show($0) }
        }
        let onProgress = progress
        let logger = makeLogger()

        try Self.runningStore {
            let state: ClientState
            do throws(SyncClientError) {
                state = try ClientState(path: statePath)
            } catch {
                throw CommandFailure("sync failed: cannot open state \(statePath): \(error.message)")
            }
            let client = SyncClient(configuration: configuration, datastores: datastores, transport: transport, state: state, logger: logger)
            if dryRun {
                do {
                    let pending = try await client.pendingChanges()
                    if json { return try JSONOutput.write(DryRunJSONReport(pending)) }
                    print(Self.describe(pending))
                } catch let failure as CommandFailure {
                    throw failure
                } catch {
                    throw CommandFailure("dry run failed: \((error as? SyncClientError)?.message ?? "\(error)")")
                }
                return
            }
            // Ctrl-C once suspends at the next message (the next run resumes); twice stops at once.
            let signals = TerminationSignals()
            let interrupts = Task {
                await signals.next()
                guard !Task.isCancelled else { return }
                StandardOutput.write(Array("syncml: suspending at the next message (Ctrl-C again to stop now)\n".utf8), to: 2)
                await client.suspend()
                await signals.next()
                guard !Task.isCancelled else { return }
                Glibc.exit(130)
            }
            defer { interrupts.cancel() }
            do {
                let report = try await client.sync(mode: syncMode, forceDeletes: force, progress: onProgress)
                await transport.shutdown()
                if json { try JSONOutput.write(SyncJSONReport(report)) } else { print(report.description) }
                if report.suspended { throw CommandFailure("sync suspended: run the same command again to resume it") }
                if let refused = report.datastores.first(where: { $0.refusal != nil }) {
                    throw CommandFailure("sync incomplete: \(refused.name) not synced: \(refused.refusal!)")
                }
                if let refused = report.datastores.first(where: { $0.refusedWithStatus != nil }) {
                    throw CommandFailure("sync incomplete: the server refused \(refused.name) (status \(refused.refusedWithStatus!))")
                }
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                await transport.shutdown()
                throw CommandFailure(SyncFailure.line(error, url: configuration.serverURL))
            }
        }
    }
}

extension SyncCommand {
    /// The HTTP(S) transport the options ask for: `--ca-file`, `--proxy` (else the
    /// environment's proxy), `--timeout` for connecting and for each answer.
    func makeTransport() throws(CommandFailure) -> HTTPClientTransport {
        let wait = Duration.seconds(timeout)
        do {
            let proxyChoice = try proxy.map { url throws(SyncClientError) in ProxyChoice.server(try HTTPProxy(parsing: url)) } ?? .environment
            return try HTTPClientTransport(configuration: .init(connectTimeout: wait, requestTimeout: wait, caFile: caFile, proxy: proxyChoice))
        } catch {
            throw CommandFailure("sync failed: \(error.message)")
        }
    }
}

/// Progress on standard error: a line when the phase or datastore changes,
/// and one every 1000 items within a phase, so long runs show they are alive.
final class SyncProgressPrinter: @unchecked Sendable {
    private let lock = NSLock()
    private var phase: SyncProgress.Phase?
    private var datastore: String?
    private var lastCount = 0

    func show(_ progress: SyncProgress) {
        let line: String? = lock.withLock {
            if progress.phase != phase || progress.datastore != datastore {
                (phase, datastore, lastCount) = (progress.phase, progress.datastore, progress.done)
                return Self.describe(progress, counting: progress.done > 0)
            }
            guard progress.done >= lastCount + 1000 else { return nil }
            lastCount = progress.done - progress.done % 1000
            return Self.describe(progress, counting: true)
        }
        if let line { StandardOutput.write(Array("syncml: \(line)\n".utf8), to: 2) }
    }

    /// `contacts: sending 3000/10000`.
    private static func describe(_ progress: SyncProgress, counting: Bool) -> String {
        var line = progress.datastore.map { "\($0): " } ?? ""
        line += progress.phase.rawValue
        if counting { line += progress.expected > 0 ? " \(progress.done)/\(progress.expected)" : " \(progress.done)" }
        return line
    }
}

extension SyncCommand {
    /// The dry run's listing: a line per folder, then the files, then that nothing changed.
    static func describe(_ pending: [PendingChanges]) -> String {
        var lines: [String] = []
        for datastore in pending {
            if datastore.firstSync {
                lines.append("\(datastore.datastore): first sync (slow): would send all \(datastore.added.count) records")
                continue
            }
            lines.append("\(datastore.datastore): would send +\(datastore.added.count) ~\(datastore.changed.count) -\(datastore.deleted.count)")
            for (sign, ids) in [("+", datastore.added), ("~", datastore.changed), ("-", datastore.deleted)] {
                lines += ids.map { "  \(sign) \($0)" }
            }
            if datastore.deletesHeld {
                lines.append("  the deletes would be held back (more than half of the records): --force-deletes sends them")
            }
        }
        lines.append("(dry run: nothing was sent or changed)")
        return lines.joined(separator: "\n")
    }
}

/// `--contacts DIR --calendar DIR --tasks DIR --notes DIR`: folders of record files, one record per file.
struct RecordFolders: ParsableArguments {
    @Option(help: ArgumentHelp("A folder of contacts (.vcf files).", valueName: "dir"))
    var contacts: String?
    @Option(help: ArgumentHelp("A folder of events (.ics files).", valueName: "dir"))
    var calendar: String?
    @Option(help: ArgumentHelp("A folder of tasks (.ics files).", valueName: "dir"))
    var tasks: String?
    @Option(help: ArgumentHelp("A folder of notes (.txt files).", valueName: "dir"))
    var notes: String?

    /// The folders given, in datastore order.
    var given: [(kind: DatastoreKind, path: String)] {
        [(.contacts, contacts), (.calendar, calendar), (.tasks, tasks), (.notes, notes)].compactMap { kind, path in path.map { (kind, $0) } }
    }
}
