import Foundation
import SyncMLRecords
import Testing
@testable import SyncMLStore

/// A deterministic generator (SplitMix64), so test data and measured ratios repeat.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generated address books: vCard 3.0 contacts of ~350–700 bytes with the
/// fields phones and Evolution write.
enum AddressBook {
    static let given = ["Anna", "Bernd", "Clara", "David", "Emma", "Felix", "Greta", "Hannes", "Ida", "Jonas", "Karla", "Lukas",
                        "Marie", "Noah", "Olga", "Paul", "Quirin", "Rosa", "Simon", "Tina", "Ulrich", "Vera", "Walter", "Yvonne", "Zoe",
                        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "José", "Zoë", "Jörg"]
    static let family = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
                         "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
                         "Nguyen", "Kowalski", "Rossi", "Dubois", "Andersson", "Novak", "Ivanova", "Tanaka", "O'Brien", "van Dijk"]
    static let companies = ["Example GmbH", "Acme Corp.", "Globex", "Initech", "Umbrella AG", "Stark Industries", "Wayne Enterprises",
                            "Hooli", "Vandelay Industries", "Soylent Ltd."]
    static let titles = ["Manager", "Engineer", "Sales Representative", "Director", "Consultant", "Developer", "Accountant"]
    static let streets = ["Hauptstraße", "Bahnhofstraße", "Gartenweg", "Main Street", "Oak Avenue", "Schillerplatz", "Elm Road"]
    static let cities = [("Berlin", "10115", "Germany"), ("München", "80331", "Germany"), ("Hamburg", "20095", "Germany"),
                         ("Springfield", "62701", "USA"), ("Boston", "02108", "USA"), ("Wien", "1010", "Austria"), ("Zürich", "8001", "Switzerland")]
    static let domains = ["example.com", "gmail.com", "web.de", "gmx.de", "yahoo.com", "posteo.de", "mail.org"]
    static let notes = ["Met at the conference.", "Call back on Monday.", "Prefers e-mail.", "Birthday party every June.",
                        "Old friend from university.", "Customer since 2015, contract renewal in spring."]

    static func contact(_ index: Int, using rng: inout SeededGenerator) -> [UInt8] {
        let first = given.randomElement(using: &rng)!, last = family.randomElement(using: &rng)!
        let mail = first.lowercased().filter(\.isASCII) + "." + last.lowercased().filter { $0.isLetter && $0.isASCII }
        var lines = ["BEGIN:VCARD", "VERSION:3.0", "PRODID:-//Ximian//NONSGML Evolution Contacts//EN",
                     "UID:pas-id-\(String(rng.next() & 0xFFFF_FFFF_FFFF, radix: 16, uppercase: true))",
                     "N:\(last);\(first);;;", "FN:\(first) \(last)", "X-EVOLUTION-FILE-AS:\(last)\\, \(first)"]
        if Bool.random(using: &rng) {
            lines.append("ORG:\(companies.randomElement(using: &rng)!);Sales")
            lines.append("TITLE:\(titles.randomElement(using: &rng)!)")
        }
        lines.append("TEL;TYPE=CELL:+49 1\(Int.random(in: 50...79, using: &rng)) \(Int.random(in: 1_000_000...9_999_999, using: &rng))")
        if Bool.random(using: &rng) { lines.append("TEL;TYPE=HOME,VOICE:+49 30 \(Int.random(in: 1_000_000...9_999_999, using: &rng))") }
        if Int.random(in: 0..<3, using: &rng) == 0 { lines.append("TEL;TYPE=WORK,VOICE:+1 555 \(Int.random(in: 1000...9999, using: &rng))") }
        lines.append("EMAIL;TYPE=INTERNET,HOME:\(mail)@\(domains.randomElement(using: &rng)!)")
        if Bool.random(using: &rng) { lines.append("EMAIL;TYPE=INTERNET,WORK:\(mail)@example.com") }
        let city = cities.randomElement(using: &rng)!
        lines.append("ADR;TYPE=HOME:;;\(streets.randomElement(using: &rng)!) \(Int.random(in: 1...200, using: &rng));\(city.0);;\(city.1);\(city.2)")
        if Bool.random(using: &rng) {
            lines.append("BDAY:\(Int.random(in: 1940...2005, using: &rng))-0\(Int.random(in: 1...9, using: &rng))-1\(Int.random(in: 0...9, using: &rng))")
        }
        if Int.random(in: 0..<3, using: &rng) == 0 { lines.append("NOTE:\(notes.randomElement(using: &rng)!)") }
        if Int.random(in: 0..<4, using: &rng) == 0 { lines.append("URL;TYPE=HOME:http://www.\(mail).example.org/") }
        lines.append("REV:2024-0\(Int.random(in: 1...9, using: &rng))-1\(Int.random(in: 0...9, using: &rng))T12:00:00Z")
        lines.append("END:VCARD")
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    static func contacts(_ count: Int, seed: UInt64 = 42) -> [[UInt8]] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { contact($0, using: &rng) }
    }
}

/// A temporary directory removed when the value is released.
final class TemporaryDirectory {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-store-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// A change carrying a payload and its fingerprint, as the records layer would make it.
func change(_ op: ChangeOperation, luid: String? = nil, guid: String? = nil, _ text: String, keys: [String] = []) -> ItemChange {
    let bytes = Array(text.utf8)
    return ItemChange(op, luid: luid, guid: guid, payload: bytes, fingerprint: op == .delete ? nil : Fingerprint(of: bytes), matchKeys: indexKeys(keys))
}

/// Index keys from the stored forms a test writes; one that does not read back fails the test.
func indexKeys(_ stored: [String]) -> [MatchKey.IndexKey] {
    stored.compactMap { text in
        let key = MatchKey.IndexKey(storedForm: text)
        if key == nil { Issue.record("'\(text)' is not a stored match key") }
        return key
    }
}

func card(_ name: String, _ extra: String = "") -> String {
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:\(name);;;;\r\nFN:\(name)\r\n\(extra)END:VCARD\r\n"
}

extension SyncStore {
    /// SQLite's plan for `sql` (`EXPLAIN QUERY PLAN`), its details joined by "; ":
    /// what a test reads to see which index a statement uses.
    func queryPlan(_ sql: String) throws -> String {
        try withDatabase { db throws(StoreError) in
            var details: [String] = []
            try db.forEach("EXPLAIN QUERY PLAN " + sql) { row in details.append(row.text(3)) }
            return details.joined(separator: "; ")
        }
    }
}

/// Every byte of `frame` flipped three ways decodes to `record` exactly or throws a typed
/// error (`corruptFrame`, `unknownDictionary`); every truncation and an appended byte throw.
/// `between` runs after each flip (another frame read by the same codec, say). Returns how
/// many flips decoded (to the original: a flip in deflate's padding bits, say).
@discardableResult
func expectDamageCaught(in frame: [UInt8], of record: [UInt8], codec: PayloadCodec, between: () throws -> Void = {}) throws -> Int {
    var silent = 0
    for index in frame.indices {
        for mask: UInt8 in [0x01, 0x80, 0xFF] {
            var damaged = frame
            damaged[index] ^= mask
            do {
                #expect(try codec.decode(damaged) == record, "byte \(index) ^ \(mask) decoded to different data")
                silent += 1
            } catch {
                #expect(error.kind == .corruptFrame || error.kind == .unknownDictionary)
            }
            try between()
        }
    }
    for length in 0..<frame.count {
        #expect(throws: StoreError.self) { try codec.decode(Array(frame[..<length])) }
    }
    #expect(throws: StoreError.self) { try codec.decode(frame + [0]) }
    #expect(try codec.decode(frame) == record)
    return silent
}
