import Foundation

/// Records kept as one file per item, in a directory per datastore: a
/// SyncEvolution client's or server's file backend, or our client's folders.
/// What a test reads and changes there, by title.
protocol ItemFolders {
    /// Who holds the folders, for failure messages.
    var name: String { get }
    func directory(of datastore: Datastore) -> URL
}

extension ItemFolders {
    /// Writes an item file as a user's application would (the holder picks it up as
    /// new or changed; our client needs the datastore's extension to see a record).
    func write(_ text: String, as fileName: String, in datastore: Datastore) throws {
        try Data(text.utf8).write(to: directory(of: datastore).appendingPathComponent(fileName))
    }

    /// The datastore's item files, by name.
    func items(in datastore: Datastore) throws -> [ItemFile] {
        try ItemFile.all(in: directory(of: datastore))
    }

    /// The sorted titles (FN or SUMMARY) of the datastore's items: a duplicate shows up twice.
    func titles(in datastore: Datastore) throws -> [String] {
        try items(in: datastore).map { $0.title ?? "<no title in \($0.name)>" }.sorted()
    }

    /// The item whose title is `title`, if exactly one has it.
    func item(titled title: String, in datastore: Datastore) throws -> ItemFile? {
        let matching = try items(in: datastore).filter { $0.title == title }
        return matching.count == 1 ? matching[0] : nil
    }

    /// The file name of the one item titled `title`.
    func fileName(titled title: String, in datastore: Datastore) throws -> String {
        guard let item = try item(titled: title, in: datastore) else {
            throw Subprocess.Failure(description: "\(name) has not exactly one \(datastore.rawValue) item titled \(title): \(try items(in: datastore))")
        }
        return item.name
    }

    /// Replaces the one item titled `title` with `text`, keeping its file name (an edit).
    func replace(titled title: String, in datastore: Datastore, with text: String) throws {
        try write(text, as: fileName(titled: title, in: datastore), in: datastore)
    }

    func delete(titled title: String, in datastore: Datastore) throws {
        try FileManager.default.removeItem(at: directory(of: datastore).appendingPathComponent(fileName(titled: title, in: datastore)))
    }
}

extension CRMClient: ItemFolders {}
extension SyncEvolutionClient: ItemFolders {}
extension SyncEvolutionServer: ItemFolders {}
