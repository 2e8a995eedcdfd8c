import Foundation
public import SyncMLClient
import SyncMLSampleData

/// A host's address book of `count` generated contacts (ids `c0`…), read
/// back from the seeded generator whenever it is listed, so the book costs no
/// memory however large it is. With `overlap`, it is book B of the duplicate
/// scenario: that share of its contacts are book A's people (the same seed)
/// written differently, the rest are other people. Edits, and what the server sends, are kept
/// in memory. The book tracks its own changes (`changes(since:)`), as a CRM
/// with a modification log does: a sync after a few edits reads only those.
public actor GeneratedBook: SyncDataSource {
    public let count: Int
    let seed: UInt64
    let overlap: Int?
    /// Records that differ from the generated ones: edited here or written by the server.
    private var overlay: [String: HostRecord] = [:]
    private var deleted: Set<String> = []
    /// The change log: the version at which each id last changed.
    private var changedAt: [String: Int] = [:]
    private var version = 0
    private var added = 0

    public init(count: Int, seed: UInt64 = 1, overlap: Int? = nil) {
        self.count = count
        self.seed = seed
        self.overlap = overlap
    }

    /// The book's contacts in order, as generated.
    nonisolated func generated() -> Generated {
        Generated(overlap.map { .bookB(OverlappingContactBook(seed: seed, percent: $0)) } ?? .bookA(ContactGenerator(seed: seed)))
    }

    /// Adds a NOTE to each of the first `edits` contacts: a real edit each.
    public func edit(_ edits: Int, round: Int) {
        var generator = generated()
        version += 1
        for index in 0..<min(edits, count) {
            let generated = generator.next()
            let id = "c\(index)"
            guard !deleted.contains(id) else { continue }
            let text = String(decoding: overlay[id]?.payload ?? generated, as: UTF8.self)
                .replacingOccurrences(of: "END:VCARD", with: "NOTE:edit \(round)\r\nEND:VCARD")
            overlay[id] = HostRecord(id: id, payload: Array(text.utf8), type: "text/vcard")
            changedAt[id] = version
        }
    }

    public nonisolated func records(batchSize: Int) -> AsyncThrowingStream<[HostRecord], any Error> {
        let listing = Listing(book: self, batchSize: max(1, batchSize))
        return AsyncThrowingStream { try await listing.next() }
    }

    public func allRecords() async throws -> [HostRecord] {
        var all: [HostRecord] = []
        for try await batch in records(batchSize: 1_000) { all += batch }
        return all
    }

    public func changeToken() async throws -> String? { String(version) }

    public func changes(since token: String) async throws -> HostChanges? {
        guard let since = Int(token), since <= version else { return nil }
        var changed: [HostRecord] = [], gone: [String] = []
        for (id, at) in changedAt where at > since {
            if let record = overlay[id] { changed.append(record) } else if deleted.contains(id) { gone.append(id) }
        }
        return HostChanges(changed: changed, deleted: gone, token: String(version))
    }

    public func add(payload: [UInt8], type: String) async throws -> String {
        added += 1
        let id = "s\(added)"
        overlay[id] = HostRecord(id: id, payload: payload, type: type)
        return id
    }

    public func update(id: String, payload: [UInt8], type: String) async throws {
        overlay[id] = HostRecord(id: id, payload: payload, type: type)
    }

    public func delete(id: String) async throws {
        overlay[id] = nil
        deleted.insert(id)
    }

    /// `generated` as the host holds it now (edited, deleted), plus, with the last batch, the records the server added.
    fileprivate func current(_ generated: [HostRecord], last: Bool) -> [HostRecord] {
        var batch = generated.compactMap { deleted.contains($0.id) ? nil : overlay[$0.id] ?? $0 }
        if last { batch += overlay.values.filter { $0.id.hasPrefix("s") } }
        return batch
    }
}

/// One pass over a `GeneratedBook`, a batch at a time.
private actor Listing {
    let book: GeneratedBook
    let batchSize: Int
    private var generator: Generated
    private var next = 0
    private var finished = false

    init(book: GeneratedBook, batchSize: Int) {
        self.book = book
        self.batchSize = batchSize
        generator = book.generated()
    }

    func next() async throws -> [HostRecord]? {
        while !finished {
            let end = min(next + batchSize, book.count)
            let generated = (next..<end).map { HostRecord(id: "c\($0)", payload: generator.next(), type: "text/vcard") }
            next = end
            finished = end == book.count
            let records = await book.current(generated, last: finished)
            if !records.isEmpty { return records }
        }
        return nil
    }
}

/// Either book's generator.
struct Generated {
    enum Source {
        case bookA(ContactGenerator)
        case bookB(OverlappingContactBook)
    }

    var source: Source

    init(_ source: Source) {
        self.source = source
    }

    mutating func next() -> [UInt8] {
        switch source {
        case .bookA(var generator):
            defer { source = .bookA(generator) }
            return generator.next()
        case .bookB(var book):
            defer { source = .bookB(book) }
            return book.next().bytes
        }
    }
}
