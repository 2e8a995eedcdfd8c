import ArgumentParser
import SyncMLProtocol
/// `syncml`: the command-line face of the engine.
@main
struct SyncMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syncml",
        abstract: "An OMA DS 1.2 (SyncML) sync engine.",
        version: "\(SwiftSyncML.name) \(SwiftSyncML.version)",
        subcommands: [
            Decode.self, Encode.self, FingerprintRecords.self, MatchRecords.self, ConvertRecords.self, Generate.self,
            Serve.self, SyncCommand.self, PreviewCommand.self, UserCommand.self, ImportRecords.self, ExportRecords.self, InspectStore.self, ItemHistory.self, ListSessions.self, UndoSession.self,
            DedupeCommand.self, CompactStore.self, MigrateStore.self,
        ]
    )
}
