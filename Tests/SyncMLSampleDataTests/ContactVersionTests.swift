import SyncMLCodec
import SyncMLRecords
import SyncMLSampleData
import Testing

@Suite("Contacts in every vCard version")
struct ContactVersionTests {
    /// The bytes of `count` contacts of `seed` in `format`, one array per contact.
    static func cards(_ count: Int, seed: UInt64 = 1, format: VFormat) -> [[UInt8]] {
        var book = ContactBook(seed: seed, format: format)
        return (0..<count).map { _ in book.next() }
    }

    /// Unfolded logical lines (QP soft breaks joined too), without CRLF.
    static func logicalLines(_ card: [UInt8]) -> [String] {
        let text = String(decoding: card, as: UTF8.self)
        var lines: [String] = []
        for physical in text.split(separator: "\r\n", omittingEmptySubsequences: false) {
            if physical.hasPrefix(" "), !lines.isEmpty {
                lines[lines.count - 1] += physical.dropFirst()
            } else if let last = lines.last, last.hasSuffix("="), last.contains("QUOTED-PRINTABLE") {
                lines[lines.count - 1] = String(last.dropLast()) + physical
            } else {
                lines.append(String(physical))
            }
        }
        return lines.filter { !$0.isEmpty }
    }

    /// FNV-1a, 64 bit: a digest that depends on nothing but the bytes.
    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    @Test("vCard 3.0 is the generator's bytes, unchanged since they were first published")
    func version30IsTheGenerator() {
        var generator = ContactGenerator(seed: 1)
        var all: [UInt8] = []
        for card in Self.cards(1_000, format: .vCard30) {
            #expect(card == generator.next())
            all += card
        }
        // Benchmarks and load tests compare runs on these bytes: seed 1's first
        // 1,000 contacts must never change.
        #expect(all.count == 730_417)
        #expect(Self.fnv1a(all) == 0xC2C4_0079_0690_996B)
    }

    @Test("The same seed gives the same bytes in every version; another seed, others",
          arguments: [VFormat.vCard21, .vCard30, .vCard40])
    func deterministic(format: VFormat) {
        let first = Self.cards(300, seed: 7, format: format)
        #expect(first == Self.cards(300, seed: 7, format: format))
        #expect(zip(first, Self.cards(300, seed: 8, format: format)).allSatisfy { $0 != $1 })
    }

    @Test("Every version holds the same people: one fingerprint per contact across 2.1, 3.0 and 4.0")
    func samePeople() throws {
        let versions = [VFormat.vCard21, .vCard30, .vCard40].map { Self.cards(2_000, seed: 3, format: $0) }
        var differing: [Int] = []
        for index in 0..<2_000 {
            let prints = try versions.map { try RecordSignature(parsing: $0[index]).fingerprint }
            if Set(prints).count != 1 { differing.append(index + 1) }
        }
        #expect(differing.isEmpty, "contacts whose fingerprint changes with the version: \(differing.prefix(20))")
    }

    @Test("vCard 2.1 as phones write it: every non-ASCII value quoted-printable with CHARSET=UTF-8, bare types, lines ≤ 76 octets")
    func version21() throws {
        var qpLines = 0, qpCards = 0, photos = 0
        for card in Self.cards(2_000, format: .vCard21) {
            let text = String(decoding: card, as: UTF8.self)
            #expect(text.hasPrefix("BEGIN:VCARD\r\nVERSION:2.1\r\n"))
            // Quoted-printable leaves no byte outside printable ASCII and CRLF.
            #expect(card.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0D || $0 == 0x0A })
            for physical in text.split(separator: "\r\n") { #expect(physical.utf8.count <= 76) }
            let lines = Self.logicalLines(card)
            let qp = lines.filter { $0.contains(";ENCODING=QUOTED-PRINTABLE:") }
            qpLines += qp.count
            if !qp.isEmpty { qpCards += 1 }
            for line in qp where line.contains("=C") || line.contains("=E") || line.contains("=F") {
                #expect(line.contains(";CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:"), "\(line)")
            }
            #expect(!lines.contains { $0.hasPrefix("TEL;TYPE=") }, "2.1 types are bare: TEL;CELL;VOICE")
            if lines.contains(where: { $0.hasPrefix("PHOTO;") }) {
                photos += 1
                #expect(lines.contains { $0.hasPrefix("PHOTO;ENCODING=BASE64;JPEG:/9j/") })
            }
            let parsed = try #require(try VObjectParser.parse(card).first)
            #expect(parsed.format == .vCard21)
        }
        print("vCard 2.1, seed 1, 2,000 contacts: \(qpLines) quoted-printable values in \(qpCards) contacts, \(photos) photos")
        // Only the English-speaking 30 % can have all-ASCII names; most of them
        // still have a note, an address or a title to encode.
        #expect((1_200...1_800).contains(qpCards), "\(qpCards)")
        #expect(qpLines > 2 * qpCards)
        #expect((65...135).contains(photos), "\(photos)")
    }

    @Test("vCard 4.0: VERSION right after BEGIN, tel: URIs, data: photos")
    func version40() throws {
        var telURIs = 0, dataPhotos = 0
        for card in Self.cards(2_000, format: .vCard40) {
            let lines = Self.logicalLines(card)
            #expect(Array(lines.prefix(2)) == ["BEGIN:VCARD", "VERSION:4.0"])
            telURIs += lines.filter { $0.hasPrefix("TEL;") && $0.contains(":tel:+") }.count
            dataPhotos += lines.filter { $0.hasPrefix("PHOTO:data:image/jpeg;base64,") }.count
            #expect(try VObjectParser.parse(card).first?.format == .vCard40)
        }
        #expect(telURIs > 2_000)
        #expect(dataPhotos > 50)
    }

    @Test("Multiplicity over 2,000 contacts: 1-3 TEL and 1-2 EMAIL all occur, 0-2 ADR, ~5 % photos, ~20 % notes")
    func multiplicity() throws {
        var tels = [Int: Int](), emails = [Int: Int](), addresses = [Int: Int]()
        var photos = 0, notes = 0
        for card in Self.cards(2_000, seed: 11, format: .vCard30) {
            let record = try #require(try VObjectParser.parse(card).first)
            tels[record.properties(named: "TEL").count, default: 0] += 1
            emails[record.properties(named: "EMAIL").count, default: 0] += 1
            addresses[record.properties(named: "ADR").count, default: 0] += 1
            if record.first("PHOTO") != nil { photos += 1 }
            if record.first("NOTE") != nil { notes += 1 }
        }
        #expect(Set(tels.keys) == [1, 2, 3] && tels.values.allSatisfy { $0 > 500 }, "\(tels)")
        #expect(Set(emails.keys) == [1, 2] && emails.values.allSatisfy { $0 > 800 }, "\(emails)")
        #expect(Set(addresses.keys) == [0, 1, 2] && addresses.values.allSatisfy { $0 > 300 }, "\(addresses)")
        #expect((65...135).contains(photos), "about 5 % of 2,000 with a photo, got \(photos)")
        #expect((340...460).contains(notes), "about 20 % with a note, got \(notes)")
    }

    @Test("The slow-sync message carries the book's version and its SyncML type")
    func message() throws {
        let message = SampleMessages.slowSync(contacts: 5, seed: 3, format: .vCard21)
        guard case .sync(let sync)? = message.commands.last else { Issue.record("no Sync"); return }
        var book = ContactBook(seed: 3, format: .vCard21)
        for command in sync.commands {
            guard case .add(let add) = command else { Issue.record("not an Add"); continue }
            #expect(add.meta?.type == "text/x-vcard")
            #expect(add.items.first?.data == .bytes(book.next()[...]))
        }
    }
}
