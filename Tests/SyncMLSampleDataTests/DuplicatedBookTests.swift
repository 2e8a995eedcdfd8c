import SyncMLRecords
import SyncMLSampleData
import Testing

@Suite("A book that already holds duplicates (the dedupe benchmark's data)")
struct DuplicatedBookTests {
    static func records(_ count: Int, seed: UInt64 = 9) -> [DuplicatedContactBook.Record] {
        var book = DuplicatedContactBook(seed: seed, duplicatePercent: 30, switchboardPercent: 20, householdPercent: 10)
        return (0..<count).map { _ in book.next() }
    }

    static func card(_ record: DuplicatedContactBook.Record) throws -> VComponent {
        try #require(try RecordPayload.parse(record.bytes, type: record.type)?.first?.record)
    }

    @Test("The same seed gives the same book; copies follow their person's first record")
    func deterministic() {
        let first = Self.records(300), second = Self.records(300)
        #expect(first.map(\.bytes) == second.map(\.bytes))
        #expect(first.map(\.person) == second.map(\.person))
        for (index, record) in first.enumerated() where record.copy > 0 {
            #expect(first[index - 1].person == record.person && first[index - 1].copy == record.copy - 1)
        }
    }

    @Test("About the asked share of people have copies, written in other formats; each copy keeps the person's name, and e-mails and phone keys as far as SIF has room")
    func copies() throws {
        let records = Self.records(1_000)
        let people = Dictionary(grouping: records, by: \.person)
        let duplicated = people.values.filter { $0.count > 1 }.count
        #expect((20...40).contains(duplicated * 100 / people.count), "\(duplicated) of \(people.count)")
        let formats = Set(records.filter { $0.copy > 0 }.compactMap(\.variations.last))
        #expect(formats == ["vCard 2.1", "vCard 3.0", "vCard 4.0", "SIF"])
        for group in people.values where group.count > 1 {
            let keys = try group.map { try RecordSignature(Self.card($0)).matchKey }
            for (record, key) in zip(group, keys).dropFirst() {
                #expect(key.primary == keys[0].primary)
                if record.type == SIFKind.contact.mimeType {
                    // Outlook has three e-mail slots and one per kind of phone: some may not fit.
                    #expect(!keys[0].emails.isDisjoint(with: key.emails) || !keys[0].phones.isDisjoint(with: key.phones))
                } else {
                    #expect(keys[0].emails.isSubset(of: key.emails) && keys[0].phones.isSubset(of: key.phones))
                }
            }
        }
    }

    @Test("Different people are told apart by the truth: every e-mail address is one person's; colleagues share a switchboard, relatives a phone and a family address")
    func traps() throws {
        let records = Self.records(1_000)
        var owners: [String: Set<Int>] = [:]
        var boards: [String: Set<Int>] = [:]
        for record in records {
            let card = try Self.card(record)
            for email in card.properties(named: "EMAIL") { owners[email.value.lowercased(), default: []].insert(record.person) }
            for tel in card.properties(named: "TEL") where tel.value.hasPrefix("+1 800") { boards[tel.value, default: []].insert(record.person) }
        }
        let shared = owners.filter { $0.value.count > 1 }
        #expect(!shared.isEmpty && shared.keys.allSatisfy { $0.hasPrefix("family.") }, "only family addresses are shared: \(shared.keys.prefix(3))")
        #expect(boards.values.contains { $0.count > 1 }, "colleagues share a switchboard number")
    }
}
