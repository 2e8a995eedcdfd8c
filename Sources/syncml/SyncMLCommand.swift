import ArgumentParser

@main
struct SyncMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "syncml", abstract: "SyncML sync engine")
}
