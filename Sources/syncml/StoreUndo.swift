import ArgumentParser
import SyncMLStore

/// `syncml undo SESSION`: reverts every change of a session.
struct UndoSession: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo",
        abstract: "Revert the changes of a session (a sync, an import, or an undo).",
        discussion: "Each item the session changed goes back to its state before the session, as new changes in a new session (which can itself be undone). Items changed again after the session are skipped unless --force; see docs/STORE.md."
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "The session number (see `syncml sessions`).")
    var session: Int64

    @Flag(help: "Also revert items changed again after the session.")
    var force = false

    func run() throws {
        let (store, session, force) = (self.store, self.session, self.force)
        try Self.runningStore {
            let result = try await store.openExisting().undo(session: SessionID(rawValue: session), force: force)
            for entry in result.reverted {
                print("reverted \(entry.guid): \(entry.operation) (version \(entry.sequence))")
            }
            for (guid, reason) in result.skipped.sorted(by: { $0.key < $1.key }) {
                print("skipped \(guid): \(reason)")
            }
            print("session \(session) undone by session \(result.session.rawValue): \(result.reverted.count) reverted, \(result.skipped.count) skipped")
        }
    }
}
