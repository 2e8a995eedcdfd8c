import Foundation
import SyncMLClient
import SyncMLCodec
import SyncMLProtocol
/// `syncml sync --json`: the report of one sync.
struct SyncJSONReport: Encodable {
    struct Counts: Encodable {
        var added: Int
        var updated: Int
        var deleted: Int

        init(_ counts: SyncReport.Counts) {
            (added, updated, deleted) = (counts.added, counts.updated, counts.deleted)
        }
    }

    struct Datastore: Encodable {
        var name: String
        var requestedMode: String
        var performedMode: String
        var resumed: Bool
        /// Changes applied to the folder.
        var local: Counts
        /// Changes sent and accepted by the server.
        var remote: Counts
        /// How many items ended in each kind of conflict.
        var conflicts: [String: Int]
        var rejected: Int
        var heldDeletes: Int
        /// The server's status when it refused the datastore, else null.
        var refusedWithStatus: Int?

        init(_ store: SyncReport.Datastore) {
            (name, requestedMode, performedMode, resumed) = (store.name, store.requested.rawValue, store.performed.rawValue, store.resumed)
            (local, remote, conflicts) = (Counts(store.local), Counts(store.remote), store.conflicts)
            (rejected, heldDeletes, refusedWithStatus) = (store.rejected, store.heldDeletes, store.refusedWithStatus)
        }

        private enum CodingKeys: CodingKey {
            case name, requestedMode, performedMode, resumed, local, remote, conflicts, rejected, heldDeletes, refusedWithStatus
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(requestedMode, forKey: .requestedMode)
            try container.encode(performedMode, forKey: .performedMode)
            try container.encode(resumed, forKey: .resumed)
            try container.encode(local, forKey: .local)
            try container.encode(remote, forKey: .remote)
            try container.encode(conflicts, forKey: .conflicts)
            try container.encode(rejected, forKey: .rejected)
            try container.encode(heldDeletes, forKey: .heldDeletes)
            try container.encode(refusedWithStatus, forKey: .refusedWithStatus)
        }
    }

    var datastores: [Datastore]
    var durationSeconds: Double
    var suspended: Bool
    /// Every datastore synced, nothing refused or rejected.
    var complete: Bool

    init(_ report: SyncReport) {
        datastores = report.datastores.map(Datastore.init)
        durationSeconds = ReadableDuration.seconds(report.duration)
        (suspended, complete) = (report.suspended, report.isComplete)
    }
}

/// `syncml sync --dry-run --json`: what the next sync would send.
struct DryRunJSONReport: Encodable {
    struct Datastore: Encodable {
        var name: String
        var firstSync: Bool
        /// Record file names.
        var added: [String]
        var changed: [String]
        var deleted: [String]
        var deletesHeld: Bool
    }

    var dryRun = true
    var datastores: [Datastore]

    init(_ pending: [PendingChanges]) {
        datastores = pending.map {
            Datastore(name: $0.datastore, firstSync: $0.firstSync, added: $0.added, changed: $0.changed, deleted: $0.deleted, deletesHeld: $0.deletesHeld)
        }
    }
}

/// Why a sync failed, in one line. A server that cannot be reached says so
/// (`cannot reach sync.example.org:8080: unknown host`) whatever the transport
/// reported it as; anything else is `sync failed: ` and the client's message.
enum SyncFailure {
    static func line(_ error: any Error, url: String) -> String {
        let message = oneLine((error as? SyncClientError)?.message ?? "\(error)")
        let isTransport = (error as? SyncClientError).map { $0.kind == .transport } ?? true
        if isTransport, let reason = unreachable(message) {
            return "cannot reach \(authority(url)): \(reason)"
        }
        return "sync failed: \(message)"
    }

    /// What kept the connection from being made, if that is what `message` says.
    static func unreachable(_ message: String) -> String? {
        let text = message.lowercased()
        let causes: [(String, [String])] = [
            ("unknown host", ["unknown host", "unknownhost", "name or service not known", "nodename nor servname", "no address associated",
                              "could not resolve", "dnsaerror", "dns lookup"]),
            ("connection refused", ["connection refused", "econnrefused"]),
            ("no route to host", ["no route to host", "ehostunreach"]),
            ("network is unreachable", ["network is unreachable", "enetunreach"]),
            ("no connection within the timeout", ["no connection within", "connecttimeout", "connect timeout"]),
        ]
        return causes.first { _, needles in needles.contains { text.contains($0) } }?.0
    }

    /// `host:port` of the server URL (the scheme's default port when none is given).
    static func authority(_ url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else { return url }
        let port = components.port ?? (components.scheme?.lowercased() == "https" ? 443 : 80)
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Line breaks and runs of white space as single spaces.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
