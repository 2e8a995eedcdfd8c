import ArgumentParser
import Foundation
import SyncMLStore

/// `syncml export`: a user's live records, as files or to standard output.
struct ExportRecords: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a user's records: one file per record into a directory, or all to standard output.",
        discussion: "With --output DIR each record is written to DIR/GUID.vcf or DIR/GUID.ics (DIR/DATASTORE/GUID.… when no --datastore is given). Without it, every record is written to standard output, one after the other."
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "The user whose records to export.")
    var user: String

    @Option(help: "Only this datastore (default: all of the user's).")
    var datastore: String?

    @Option(help: "A directory (created if needed) for one file per record.")
    var output: String?

    func run() throws {
        let (store, user, only, output) = (self.store, self.user, self.datastore, self.output)
        let progress = ProgressLine()
        try Self.runningStore {
            let opened = try store.openExisting()
            guard let userID = try await opened.existingUser(named: user) else { throw CommandFailure("no user \(user)") }
            var names: [String]
            if let only {
                names = [only]
            } else {
                names = try await opened.datastores().filter { $0.user == user }.map(\.name)
            }
            if let output { try makeDirectory(output) }
            var exported = 0
            for name in names {
                guard let datastore = try await opened.existingDatastore(named: name, user: userID) else {
                    throw CommandFailure("user \(user) has no datastore \(name)")
                }
                var directory = output
                if let output, only == nil {
                    directory = output + "/" + name
                    try makeDirectory(directory!)
                }
                let items = try await opened.liveItems(datastore: datastore)
                for (index, item) in items.enumerated() {
                    guard let payload = try await opened.payload(guid: item.guid, datastore: datastore) else { continue }
                    if let directory {
                        let file = item.guid.replacingOccurrences(of: "/", with: "_")
                        let sink = try ByteSink(path: "\(directory)/\(file).\(StoreText.fileExtension(type: item.type))")
                        try sink.write(payload)
                        try sink.close()
                    } else {
                        StandardOutput.write(payload)
                    }
                    exported += 1
                    progress.update("exporting \(name)", index + 1, of: items.count)
                }
                progress.finish()
            }
            if let output { print("exported \(exported) records to \(output)") }
        }
    }
}
