@testable import SyncMLRecords
import SyncMLSampleData
import Testing

/// A contact as vCard 3.0 text, from its parts.
private func card(_ name: (family: String, given: String)?, fn: String? = nil, tel: [String] = [], email: [String] = [],
                  extra: [String] = []) -> String {
    var lines = ["BEGIN:VCARD", "VERSION:3.0"]
    if let name {
        lines.append("N:\(name.family);\(name.given);;;")
        lines.append("FN:" + (fn ?? "\(name.given) \(name.family)"))
    } else if let fn {
        lines.append("FN:" + fn)
    }
    lines += tel.map { "TEL;TYPE=WORK:" + $0 } + email.map { "EMAIL:" + $0 } + extra
    lines.append("END:VCARD")
    return lines.joined(separator: "\r\n") + "\r\n"
}

private func records(_ texts: [(id: String, text: String)]) throws -> [DuplicateRecord] {
    try texts.map { id, text in
        let parsed = try #require(try RecordPayload.parse(Array(text.utf8))?.first)
        return DuplicateRecord(id: id, record: parsed.record, encoding: parsed.encoding)
    }
}

private func groups(_ texts: [(id: String, text: String)]) throws -> [[String]] {
    DuplicateFinder.find(try records(texts).map(\.candidate)).groups.map(\.members)
}

@Suite("Duplicate finder: grouping one book's records")
struct DuplicateFinderTests {
    @Test("Copies of one person written by other devices (2.1, 4.0, SIF, phone formats, e-mail case) are one group, with the keys that agreed")
    func copiesAreOneGroup() throws {
        let original = card(("Schmidt", "Anna"), tel: ["+49 30 1234567"], email: ["anna.schmidt@example.de"], extra: ["NOTE:Met at the fair"])
        let version21 = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Schmidt;Anna\r\nTEL;WORK:030/1234567\r\nEMAIL;INTERNET:Anna.Schmidt@EXAMPLE.DE\r\nEND:VCARD\r\n"
        let version40 = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Anna Schmidt\r\nN:Schmidt;Anna;;;\r\nTEL;VALUE=uri;TYPE=work:tel:+49-30-1234567\r\nEMAIL:anna.schmidt@example.de\r\nEND:VCARD\r\n"
        let sif = "<?xml version=\"1.0\"?><contact><FirstName>Anna</FirstName><LastName>Schmidt</LastName><BusinessTelephoneNumber>0049301234567</BusinessTelephoneNumber><Email1Address>anna.schmidt@example.de</Email1Address></contact>"
        let other = card(("Schmidt", "Bernd"), tel: ["+49 89 7654321"], email: ["bernd@example.de"])
        let found = DuplicateFinder.find(try records([("a", original), ("b", version21), ("c", version40), ("d", sif), ("e", other)]).map(\.candidate))
        #expect(found.groups.map(\.members) == [["a", "b", "c", "d"]])
        let group = try #require(found.groups.first)
        #expect(group.kind == .contact)
        #expect(group.agreedKeys.contains("name"))
        #expect(group.agreedKeys.contains("email:anna.schmidt@example.de"))
        #expect(group.agreedKeys.contains("phone:1234567"))
        #expect(group.links.count == 3, "each member but the first is reached by one link")
    }

    @Test("Transitive evidence: A and B share an e-mail, B and C a phone; the three are one person")
    func transitiveEvidence() throws {
        let a = card(("Meyer", "Jonas"), email: ["jonas@example.de"])
        let b = card(("Meyer", "Jonas"), tel: ["+49 171 5550100"], email: ["jonas@example.de"])
        let c = card(("Meyer", "Jonas"), tel: ["0171 5550100"])
        #expect(try groups([("a", a), ("b", b), ("c", c)]) == [["a", "b", "c"]])
    }

    @Test("No chaining through a shared company number: two colleagues stay apart, each with their own duplicate")
    func switchboardDoesNotChain() throws {
        let board = "+49 30 9999000"
        let texts = [
            ("alice", card(("Kramer", "Alice"), tel: [board, "+49 171 1111111"], email: ["alice@acme.example"])),
            ("alice-copy", card(("Kramer", "Alice"), tel: ["030 9999000"], email: ["ALICE@acme.example"])),
            ("bob", card(("Novak", "Bob"), tel: [board, "+49 171 2222222"], email: ["bob@acme.example"])),
            ("bob-copy", card(("Novak", "Bob"), tel: [board], email: ["bob@acme.example"])),
            ("reception", card(nil, fn: "Acme reception", tel: [board], email: ["info@acme.example"])),
        ]
        #expect(try groups(texts) == [["alice", "alice-copy"], ["bob", "bob-copy"]])
    }

    @Test("A card without a name that shares two points with two colleagues joins one of them, never both")
    func namelessBridgeJoinsOne() throws {
        let board = "+49 30 9999000", team = "team@acme.example"
        let texts = [
            ("alice", card(("Kramer", "Alice"), tel: [board], email: [team, "alice@acme.example"])),
            ("bob", card(("Novak", "Bob"), tel: [board], email: [team, "bob@acme.example"])),
            ("nameless", card(nil, tel: [board], email: [team])),
        ]
        let found = try groups(texts)
        #expect(found.count == 1)
        #expect(!found.contains { $0.contains("alice") && $0.contains("bob") })
        #expect(found.first?.contains("nameless") == true)
    }

    @Test("Namesakes whose phone numbers end in the same seven digits are two people when their e-mails differ")
    func namesakesWithSimilarNumbers() throws {
        let texts = [
            ("london", card(("Smith", "John"), tel: ["+44 20 5550123"], email: ["john.smith@example.co.uk"])),
            ("boston", card(("Smith", "John"), tel: ["+1 617 555 0123"], email: ["jsmith@example.com"])),
        ]
        #expect(try groups(texts).isEmpty)
        // The same two with two numbers in common are one (a copy whose e-mail was replaced).
        let moved = [
            ("old", card(("Smith", "John"), tel: ["+44 20 5550123", "+44 7700 900123"], email: ["john.smith@example.co.uk"])),
            ("new", card(("Smith", "John"), tel: ["020 5550123", "07700 900123"], email: ["john@newjob.example"])),
        ]
        #expect(try groups(moved) == [["new", "old"]])
    }

    @Test("Different birthdays are different people, whatever else they share")
    func birthdaysDisagree() throws {
        let texts = [
            ("senior", card(("Weber", "Karl"), tel: ["+49 30 1234567"], email: ["weber@example.de"], extra: ["BDAY:1950-03-01"])),
            ("junior", card(("Weber", "Karl"), tel: ["+49 30 1234567"], email: ["weber@example.de"], extra: ["BDAY:1980-07-12"])),
            ("copy", card(("Weber", "Karl"), tel: ["030 1234567"], email: ["weber@example.de"], extra: ["BDAY:19800712"])),
        ]
        #expect(try groups(texts) == [["copy", "junior"]])
    }

    @Test("Relatives sharing a landline and a family address are two people; an initial is the same person")
    func givenNames() throws {
        let home = "+49 89 3334445", family = "familie.schmidt@example.de"
        let texts = [
            ("anna", card(("Schmidt", "Anna"), tel: [home], email: [family, "anna@example.de"])),
            ("bernd", card(("Schmidt", "Bernd"), tel: [home], email: [family, "bernd@example.de"])),
        ]
        #expect(try groups(texts).isEmpty)
        let initial = [
            ("anna", card(("Schmidt", "Anna"), tel: [home], email: [family, "anna@example.de"])),
            ("a", card(("Schmidt", "A."), fn: "A. Schmidt", tel: [home], email: ["anna@example.de"])),
        ]
        #expect(try groups(initial) == [["a", "anna"]])
    }

    @Test("A name alone joins the one person of that name, and is left out, reported, when it fits several")
    func bareNames() throws {
        let one = [
            ("full", card(("Lefèvre", "Hélène"), tel: ["+33 1 23 45 67 89"], email: ["helene@example.fr"])),
            ("bare", card(("Lefevre", "Helene"))),
        ]
        #expect(try groups(one) == [["bare", "full"]], "folded names agree: Lefèvre = LEFEVRE")
        let two = one + [("other", card(("Lefèvre", "Hélène"), tel: ["+33 4 11 22 33 44"], email: ["h.lefevre@example.org"]))]
        let found = DuplicateFinder.find(try records(two).map(\.candidate))
        #expect(found.groups.isEmpty)
        #expect(found.ambiguous.map(\.id) == ["bare"])
        #expect(found.ambiguous.first?.reason.contains("2 different people") == true)
        let bareOnly = [("x", card(("Ito", "Ken"))), ("y", card(("Ito", "Ken"), extra: ["NOTE:copy"]))]
        #expect(try groups(bareOnly) == [["x", "y"]])
    }

    @Test("Exact copies (equal fingerprints) are one group, however many")
    func exactCopies() throws {
        let text = card(("Novak", "Eva"), tel: ["+420 601 123456"], email: ["eva@example.cz"])
        let texts = (1...12).map { ("copy\($0)", text) }
        let found = DuplicateFinder.find(try records(texts).map(\.candidate))
        #expect(found.groups.map(\.members) == [(1...12).map { "copy\($0)" }], "ids in natural order")
        #expect(found.groups.first?.links.allSatisfy { $0.agreedKeys == ["fingerprint"] } == true)
    }

    @Test("Events with the same summary and times are one group; the same summary at another time is another event")
    func events() throws {
        func event(_ start: String, _ extra: String = "") -> String {
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:\(start)\(extra.count)\r\nSUMMARY:Team meeting\r\nDTSTART:\(start)\r\nDTEND:20250101T110000Z\r\n\(extra)END:VEVENT\r\nEND:VCALENDAR\r\n"
        }
        let legacy = "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nSUMMARY:Team meeting\r\nDTSTART:20250101T100000Z\r\nDTEND:20250101T110000Z\r\nLOCATION:Room 2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let texts = [("e1", event("20250101T100000Z")), ("e2", event("20250101T100000Z", "LOCATION:Room 2\r\n")), ("e3", legacy),
                     ("e4", event("20250101T090000Z"))]
        let found = DuplicateFinder.find(try records(texts).map(\.candidate))
        #expect(found.groups.map(\.members) == [["e1", "e2", "e3"]])
        #expect(found.groups.first?.kind == .event)
    }

    @Test("The groups do not depend on the order of the input")
    func orderIndependent() throws {
        var book = DuplicatedContactBook(seed: 11, duplicatePercent: 40)
        var texts: [(id: String, text: String)] = []
        for number in 1...150 {
            let record = book.next()
            texts.append(("r\(number)", String(decoding: record.bytes, as: UTF8.self)))
        }
        let candidates = try records(texts).map(\.candidate)
        var random = SplitMix64(seed: 3)
        var shuffled = candidates
        for index in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(index, random.below(index + 1)) }
        #expect(DuplicateFinder.find(candidates) == DuplicateFinder.find(shuffled))
    }

    @Test("A generated book with known duplicates: every group is one person, every duplicate is found, every link is a pair the matcher would make")
    func generatedBook() throws {
        var book = DuplicatedContactBook(seed: 5, duplicatePercent: 30, switchboardPercent: 30, householdPercent: 20)
        var person: [String: Int] = [:]
        var texts: [(id: String, text: String)] = []
        var types: [String: String] = [:]
        for number in 1...400 {
            let record = book.next()
            person["r\(number)"] = record.person
            types["r\(number)"] = record.type
            texts.append(("r\(number)", String(decoding: record.bytes, as: UTF8.self)))
        }
        let read = try records(texts)
        let found = DuplicateFinder.find(read.map(\.candidate))
        for group in found.groups {
            #expect(Set(group.members.map { person[$0]! }).count == 1, "one person: \(group.members)")
        }
        var expected: [Int: Set<String>] = [:]
        for (id, who) in person { expected[who, default: []].insert(id) }
        let duplicated = Set(expected.values.filter { $0.count > 1 })
        #expect(Set(found.groups.map { Set($0.members) }) == duplicated)
        let byID = Dictionary(uniqueKeysWithValues: read.map { ($0.id, RecordSignature($0.record)) })
        for link in found.groups.flatMap(\.links) where link.agreedKeys != ["fingerprint"] {
            #expect(RecordMatcher.judge(byID[link.first]!, byID[link.second]!) != nil, "\(link)")
        }
    }

    @Test("Ids sort as people read them")
    func naturalOrder() {
        let ids = ["r10", "r2", "a.vcf#10", "a.vcf#9", "b", "007", "7", "r1"]
        #expect(ids.sorted(by: DuplicateFinder.naturalOrder) == ["7", "007", "a.vcf#9", "a.vcf#10", "b", "r1", "r2", "r10"])
    }
}

@Suite("Duplicate merger: what a group would become")
struct DuplicateMergerTests {
    @Test("The merge keeps every value once (one number in two formats once), the richest record's single values, and says what it drops")
    func mergeKeepsEverything() throws {
        let survivor = card(("Schmidt", "Anna"), tel: ["+49 30 1234567", "+49 171 5550101"], email: ["anna@example.de"],
                            extra: ["ORG:Acme GmbH", "ADR;TYPE=HOME:;;Hauptstr. 1;Berlin;;10115;Germany", "NOTE:Met at the fair"])
        let copy = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Schmidt;Anna\r\nTEL;CELL:0171/5550101\r\nEMAIL;INTERNET:ANNA@example.de\r\nTITLE:Buyer\r\nNOTE:Old note\r\nURL:https://anna.example\r\nEND:VCARD\r\n"
        let read = try records([("a", copy), ("b", survivor)])
        let group = try #require(DuplicateFinder.find(read.map(\.candidate)).groups.first)
        let proposal = try DuplicateMerger.propose(group, records: Dictionary(uniqueKeysWithValues: read.map { ($0.id, $0) }))
        #expect(proposal.survivor == "b", "the richer record stays")
        #expect(proposal.encoding == .vObject(.vCard30))
        let merged = proposal.merged
        #expect(merged.properties(named: "TEL").map(\.value) == ["+49 30 1234567", "+49 171 5550101"], "0171/5550101 is +49 171 5550101")
        #expect(merged.properties(named: "EMAIL").count == 1)
        #expect(merged.first("TITLE")?.value == "Buyer")
        #expect(merged.first("URL")?.value == "https://anna.example")
        #expect(merged.first("NOTE")?.value == "Met at the fair")
        #expect(proposal.droppedValues.map { "\($0.id) \($0.name) \($0.text)" } == ["a NOTE Old note"])
        let tel = try #require(proposal.fields.first { $0.name == "TEL" })
        #expect(tel.differs)
        #expect(tel.values[0].map(\.status) == [.equivalent], "the copy's number is the survivor's, written nationally")
        #expect(tel.values[1].map(\.status) == [.partial, .equivalent])
        #expect(proposal.fields.first { $0.name == "TITLE" }?.values[0].map(\.status) == [.partial])
        #expect(proposal.fields.first { $0.name == "FN" }?.differs == false)
        #expect(proposal.differingProperties.contains("NOTE"))
        // Written back as the survivor was, it reads back as the merge.
        let written = try #require(try RecordPayload.parse(try proposal.payload())?.first)
        #expect(RecordSignature(written.record).fingerprint == proposal.mergedSignature.fingerprint)
        #expect(proposal.fingerprints == ["a": RecordSignature(read[0].record).fingerprint, "b": RecordSignature(read[1].record).fingerprint])
    }

    @Test("A SIF survivor's merge is written back as SIF; a chosen survivor is honoured")
    func sifSurvivor() throws {
        let sif = "<?xml version=\"1.0\"?><contact><FirstName>Anna</FirstName><LastName>Schmidt</LastName><JobTitle>Buyer</JobTitle><BusinessTelephoneNumber>+49 30 1234567</BusinessTelephoneNumber><Email1Address>anna@example.de</Email1Address></contact>"
        let read = try records([("outlook", sif), ("phone", card(("Schmidt", "Anna"), tel: ["030 1234567"], email: ["anna@example.de"], extra: ["NOTE:x"]))])
        let group = try #require(DuplicateFinder.find(read.map(\.candidate)).groups.first)
        let proposal = try DuplicateMerger.propose(group, records: Dictionary(uniqueKeysWithValues: read.map { ($0.id, $0) }), survivor: "outlook")
        #expect(proposal.survivor == "outlook")
        #expect(proposal.encoding == .sif(.contact))
        let written = String(decoding: try proposal.payload(), as: UTF8.self)
        #expect(written.contains("<contact>"))
        #expect(written.contains("<Body>x</Body>"))
        #expect(written.contains("<JobTitle>Buyer</JobTitle>"))
    }

    @Test("Phone numbers are one when one is the other in national form")
    func phoneNumbers() {
        #expect(PhoneNumbers.same("+49 30 1234567", "030/1234567"))
        #expect(PhoneNumbers.same("+49 30 1234567", "0049 30 1234567"))
        #expect(PhoneNumbers.same("+1 415 555 0123", "(415) 555-0123"))
        #expect(!PhoneNumbers.same("+49 30 1234567", "+49 89 1234567"))
        #expect(!PhoneNumbers.same("+49 30 1234567", "4567"))
        #expect(!PhoneNumbers.same("", ""))
    }
}
