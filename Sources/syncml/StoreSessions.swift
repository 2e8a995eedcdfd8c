import ArgumentParser
import Foundation
import SyncMLStore

/// `syncml sessions`: sync, import and undo sessions with their change counts.
struct ListSessions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List sessions (syncs, imports, undos) with their state and change counts."
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "Only this user's sessions.")
    var user: String?

    @OptionGroup var output: JSONFlag

    func run() throws {
        let (store, user, json) = (self.store, self.user, output.json)
        try Self.runningStore {
            let sessions = try await store.openExisting().sessions(user: user).map(SessionReport.init)
            if json { return try JSONOutput.write(SessionsReport(sessions: sessions)) }
            var rows = [["SESSION", "KIND", "STATE", "STARTED", "ENDED", "USER", "DEVICE", "ADDS", "REPLACES", "DELETES", "UNDOES"]]
            for session in sessions {
                rows.append(["\(session.id)", session.kind, session.state, StoreText.time(session.started), StoreText.time(session.ended),
                             session.user ?? "-", session.device ?? "-", "\(session.adds)", "\(session.replaces)", "\(session.deletes)",
                             session.undoes.map { "\($0)" } ?? "-"])
            }
            print(StoreText.table(rows))
        }
    }
}

/// `syncml sessions --json`.
struct SessionsReport: Encodable {
    var sessions: [SessionReport]
}

struct SessionReport: Encodable {
    var id: Int64
    var kind: String
    var state: String
    var started: Date
    var ended: Date?
    var user: String?
    var device: String?
    var adds: Int
    var replaces: Int
    var deletes: Int
    var undoes: Int64?

    init(_ session: SessionSummary) {
        (id, kind, state, started, ended, user, device) =
            (session.id.rawValue, session.kind, session.state.rawValue, session.started, session.ended, session.user, session.devID)
        (adds, replaces, deletes, undoes) = (session.adds, session.replaces, session.deletes, session.undoes?.rawValue)
    }

    private enum CodingKeys: CodingKey { case id, kind, state, started, ended, user, device, adds, replaces, deletes, undoes }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(state, forKey: .state)
        try container.encode(started, forKey: .started)
        try container.encode(ended, forKey: .ended)
        try container.encode(user, forKey: .user)
        try container.encode(device, forKey: .device)
        try container.encode(adds, forKey: .adds)
        try container.encode(replaces, forKey: .replaces)
        try container.encode(deletes, forKey: .deletes)
        try container.encode(undoes, forKey: .undoes)
    }
}
