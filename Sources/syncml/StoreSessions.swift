import ArgumentParser
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

    func run() throws {
        let (store, user) = (self.store, self.user)
        try Self.runningStore {
            var rows = [["SESSION", "KIND", "STATE", "STARTED", "ENDED", "USER", "DEVICE", "ADDS", "REPLACES", "DELETES", "UNDOES"]]
            for session in try await store.open().sessions(user: user) {
                rows.append(["\(session.id.rawValue)", session.kind, session.state, StoreText.time(session.started), StoreText.time(session.ended),
                             session.user ?? "-", session.devID ?? "-", "\(session.adds)", "\(session.replaces)", "\(session.deletes)",
                             session.undoes.map { "\($0.rawValue)" } ?? "-"])
            }
            print(StoreText.table(rows))
        }
    }
}
