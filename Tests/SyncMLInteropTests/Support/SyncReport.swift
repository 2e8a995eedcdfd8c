import Foundation

/// A SyncEvolution session report: the `status.ini` the client writes into the
/// session's log directory (`status = 200`, then `source-NAME-…` lines per datastore).
struct SyncReport: Sendable {
    /// `key = value` lines as written.
    var values: [String: String]

    init?(contentsOf file: URL) {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            values[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        self.values = values
    }

    /// The session's overall status: 200 on success, else a SyncEvolution or SyncML code.
    var status: Int? { values["status"].flatMap { Int($0) } }

    subscript(datastore: Datastore) -> DatastoreReport { DatastoreReport(name: datastore.rawValue, values: values) }
}

/// One datastore's part of a `SyncReport`.
struct DatastoreReport: Sendable {
    enum Side: String, Sendable {
        /// The client's own files.
        case local
        /// The server.
        case remote
    }

    enum Change: String, Sendable {
        case added, updated, removed
    }

    var name: String
    var values: [String: String]

    /// The mode the session really ran (`slow` after a server-forced slow sync), or `disabled`.
    var mode: String? { values["source-\(name)-mode"] }

    /// True if the session ran `mode`. The report names one-way and refresh modes
    /// from the client's side (`one-way-from-local` = from the client), the command
    /// line from the role (`one-way-from-client`); both spellings count.
    func ran(_ mode: SyncMode) -> Bool {
        let synonyms: [SyncMode: String] = [
            .oneWayFromClient: "one-way-from-local", .oneWayFromServer: "one-way-from-remote",
            .refreshFromClient: "refresh-from-local", .refreshFromServer: "refresh-from-remote",
        ]
        return self.mode == mode.rawValue || self.mode == synonyms[mode]
    }

    /// 0 on success, else the SyncEvolution status (e.g. 20017 aborted, 22000 slow sync refused).
    var status: Int? { values["source-\(name)-status"].flatMap { Int($0) } }

    /// Items `change`d on `side` in this session, e.g. `count(.local, .added)` = items the client received.
    func count(_ side: Side, _ change: Change) -> Int {
        values["source-\(name)-stat-\(side.rawValue)-\(change.rawValue)-total"].flatMap { Int($0) } ?? 0
    }

    /// Items rejected on `side` (the server's or the client's error status for them).
    func rejected(_ side: Side) -> Int {
        [Change.added, .updated, .removed].reduce(0) { sum, change in
            sum + (values["source-\(name)-stat-\(side.rawValue)-\(change.rawValue)-reject"].flatMap { Int($0) } ?? 0)
        }
    }
}
