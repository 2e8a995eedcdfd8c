import Foundation
@testable import SyncMLCodec
@testable import SyncMLRecords
import TestSupport
import Testing
/// Normalized forms, fingerprints, match keys, matching and merging.
@Suite("Records: canonical form and fingerprints")
struct RecordsCanonicalTests {
    static func signature(_ text: String) throws -> RecordSignature {
        try RecordSignature(parsing: Array(text.utf8))
    }

    /// Every record in a `client-data-before/` folder next to what SyncEvolution
    /// sent for it (found by its file name, the item's LocURI, in the session's
    /// client messages).
    static func recordedPairs() throws -> [(name: String, file: [UInt8], sent: [UInt8])] {
        var pairs: [(String, [UInt8], [UInt8])] = []
        let manager = FileManager.default
        for directory in try manager.contentsOfDirectory(atPath: Fixtures.syncEvolution.path).sorted() {
            let before = Fixtures.syncEvolution.appendingPathComponent(directory).appendingPathComponent("client-data-before")
            guard let stores = try? manager.contentsOfDirectory(atPath: before.path) else { continue }
            var files: [String: [UInt8]] = [:]
            for store in stores {
                for file in (try? manager.contentsOfDirectory(atPath: before.appendingPathComponent(store).path)) ?? [] {
                    files[file] = try Fixtures.bytes(before.appendingPathComponent(store).appendingPathComponent(file))
                }
            }
            for url in Fixtures.messages() where url.path.contains("/\(directory)/") && url.lastPathComponent.contains("c2s") {
                let message = try SyncMLMessage(decoding: try Fixtures.bytes(url))
                for case .sync(let sync) in message.commands {
                    for command in sync.commands {
                        guard case .add(let change) = command, let item = change.items.first,
                              !item.moreData, let luid = item.source?.locURI, let file = files[luid],
                              case .bytes(let sent)? = item.data else { continue }
                        pairs.append(("\(directory)/\(luid)", file, Array(sent)))
                    }
                }
            }
        }
        return pairs
    }

    @Test("What SyncEvolution sent for a record has the record's fingerprint")
    func syncEvolutionRewritesKeepFingerprints() throws {
        let pairs = try Self.recordedPairs()
        #expect(pairs.count >= 14, "\(pairs.map(\.name))")
        // Known gap: SyncEvolution rewrote this RRULE's COUNT=5 as an UNTIL in a
        // time zone it defined with offset 0; the rule is not re-expanded yet.
        let knownDifferent: Set<String> = ["08-syncml11-xml/weekly.ics"]
        for pair in pairs {
            let file = try RecordSignature(parsing: pair.file)
            let sent = try RecordSignature(parsing: pair.sent)
            if knownDifferent.contains(pair.name) {
                #expect(file.fingerprint != sent.fingerprint, "\(pair.name) now matches: remove it from knownDifferent")
                #expect(file.matchKey.primary.hasPrefix("weekly standup|"))
            } else {
                #expect(file.fingerprint == sent.fingerprint,
                        "\(pair.name): \(RecordMatcher.differences(file.canonical, sent.canonical))")
                #expect(file.matchKey == sent.matchKey, "\(pair.name)")
            }
        }
    }

    static let card30 = """
        BEGIN:VCARD\r
        VERSION:3.0\r
        UID:abc-1\r
        N:Müller;Jörg;;;\r
        FN:Jörg Müller\r
        ORG:Example GmbH;Sales\r
        TEL;TYPE=WORK,VOICE:+49 (30) 1234-567\r
        TEL;TYPE=CELL:+49 170 7654321\r
        EMAIL;TYPE=INTERNET:Joerg@Example.COM\r
        ADR;TYPE=HOME:;;Hauptstraße 1;Berlin;;10115;Germany\r
        NOTE:Line one\\nLine two\r
        BDAY:1970-01-02\r
        END:VCARD\r

        """

    @Test("Two encodings of one contact have one fingerprint")
    func encodingsAgree() throws {
        let reference = try Self.signature(Self.card30)
        let variants = [
            // vCard 2.1: bare types, quoted-printable with a soft break, Latin-1, no UID, no FN.
            "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1:M\u{FC}ller;J\u{F6}rg\r\nORG:Example GmbH;Sales\r\n"
                + "TEL;WORK;VOICE:+49301234567\r\nTEL;CELL:+491707654321\r\nEMAIL;INTERNET:joerg@example.com\r\n"
                + "ADR;HOME;CHARSET=ISO-8859-1:;;Hauptstra\u{DF}e 1;Berlin;;10115;Germany\r\n"
                + "NOTE;ENCODING=QUOTED-PRINTABLE:Line one=0D=0A=\r\nLine two\r\nBDAY:19700102\r\nEND:VCARD\r\n",
            // SyncEvolution's rewrite: PRODID and REV added, UID dropped, order changed, folded.
            "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Synthesis AG//NONSGML SyncML Engine V3.4.0.47//EN\r\n"
                + "REV:20100328T103410Z\r\nEMAIL;TYPE=INTERNET:joerg@example.com\r\nN:Müller;Jörg;;;\r\nFN:Jörg Müller\r\n"
                + "NOTE:Line one\\nLine \r\n two\r\nTEL;TYPE=CELL:+49-170-7654321\r\nTEL;TYPE=VOICE,WORK:+49 30 1234567\r\n"
                + "ORG:Example GmbH;Sales\r\nADR;TYPE=home:;;Hauptstraße 1;Berlin;;10115;Germany;\r\nBDAY:19700102\r\nEND:VCARD\r\n",
            // vCard 4.0: tel: URIs.
            "BEGIN:VCARD\r\nVERSION:4.0\r\nN:Müller;Jörg;;;\r\nFN:Jörg Müller\r\nORG:Example GmbH;Sales\r\n"
                + "TEL;VALUE=uri;TYPE=work,voice:tel:+49-30-1234567\r\nTEL;VALUE=uri;TYPE=cell:tel:+49-170-7654321\r\n"
                + "EMAIL:joerg@example.com\r\nADR;TYPE=home:;;Hauptstraße 1;Berlin;;10115;Germany\r\n"
                + "NOTE:Line one\\nLine two\r\nBDAY:19700102\r\nEND:VCARD\r\n",
        ]
        for (index, text) in variants.enumerated() {
            let bytes: [UInt8] = index == 0 ? text.unicodeScalars.map { UInt8($0.value) } : Array(text.utf8)
            let variant = try RecordSignature(parsing: bytes)
            #expect(variant.fingerprint == reference.fingerprint,
                    "variant \(index): \(RecordMatcher.differences(reference.canonical, variant.canonical))")
            #expect(variant.matchKey == reference.matchKey, "variant \(index)")
        }
    }

    @Test("Any real edit changes the fingerprint")
    func editsChangeFingerprint() throws {
        let reference = try Self.signature(Self.card30)
        let lines = Self.card30.components(separatedBy: "\r\n")
        var edited = 0
        for (index, line) in lines.enumerated() where line.contains(":") && !line.hasPrefix("BEGIN") && !line.hasPrefix("END")
            && !line.hasPrefix("VERSION") && !line.hasPrefix("UID") {
            var copy = lines
            copy[index] = line + "7"
            let variant = try Self.signature(copy.joined(separator: "\r\n"))
            #expect(variant.fingerprint != reference.fingerprint, "editing \(line)")
            edited += 1
            // Removing FN is no edit: 2.1 cards may omit it, and it is derived from N.
            guard !line.hasPrefix("FN:") else { continue }
            var removed = lines
            removed.remove(at: index)
            #expect(try Self.signature(removed.joined(separator: "\r\n")).fingerprint != reference.fingerprint, "removing \(line)")
        }
        #expect(edited == 9)
        // Case is content in names; a different TYPE is content too.
        #expect(try Self.signature(Self.card30.replacingOccurrences(of: "FN:Jörg", with: "FN:jörg")).fingerprint != reference.fingerprint)
        #expect(try Self.signature(Self.card30.replacingOccurrences(of: "TYPE=CELL", with: "TYPE=HOME")).fingerprint != reference.fingerprint)
    }

    @Test("Events: zones resolved to UTC, vCalendar 1.0 and iCalendar 2.0 agree")
    func events() throws {
        let berlin = """
            BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r
            TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r
            DTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
            END:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20240101T000000Z\r\nSUMMARY:Standup\r
            DTSTART;TZID=Europe/Berlin:20240603T090000\r\nDTEND;TZID=Europe/Berlin:20240603T093000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n
            """
        let utc = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Standup\r\nDTSTART:20240603T070000Z\r\nDTEND:20240603T073000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let vcal = "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nTZ:+01:00\r\nDAYLIGHT:TRUE;+02;20240331T010000Z;20241027T010000Z;CET;CEST\r\nBEGIN:VEVENT\r\nSUMMARY:Standup\r\nDTSTART:20240603T090000\r\nDTEND:20240603T093000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let winter = berlin.replacingOccurrences(of: "20240603", with: "20240115")
        let a = try Self.signature(berlin), b = try Self.signature(utc), c = try Self.signature(vcal)
        #expect(a.kind == .event)
        #expect(a.fingerprint == b.fingerprint, "\(RecordMatcher.differences(a.canonical, b.canonical))")
        #expect(c.fingerprint == b.fingerprint, "\(RecordMatcher.differences(c.canonical, b.canonical))")
        #expect(a.matchKey.primary == "standup|20240603T070000Z|20240603T073000Z")
        #expect(try Self.signature(winter).matchKey.primary == "standup|20240115T080000Z|20240115T083000Z")
    }

    @Test("Tasks: vCalendar 1.0 status spelling and iCalendar agree")
    func tasks() throws {
        let ical = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:t\r\nSUMMARY:Report\r\nDUE:20240610T170000Z\r\nSTATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
        let vcal = "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VTODO\r\nSUMMARY:Report\r\nDUE:20240610T170000Z\r\nSTATUS:NEEDS ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
        let a = try Self.signature(ical), b = try Self.signature(vcal)
        #expect(a.kind == .task)
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.matchKey.primary == "report|20240610T170000Z")
    }
}

@Suite("Records: matching and merging")
struct RecordsMatchingTests {
    static func entry(_ id: String, _ text: String) throws -> RecordMatcher.Entry {
        RecordMatcher.Entry(id: id, signature: try RecordSignature(parsing: Array(text.utf8)))
    }

    static func card(_ n: String, fn: String, tel: String? = nil, email: String? = nil, note: String? = nil) -> String {
        var text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:\(n)\r\nFN:\(fn)\r\n"
        if let tel { text += "TEL:\(tel)\r\n" }
        if let email { text += "EMAIL:\(email)\r\n" }
        if let note { text += "NOTE:\(note)\r\n" }
        return text + "END:VCARD\r\n"
    }

    static func sides() throws -> ([RecordMatcher.Entry], [RecordMatcher.Entry]) {
        let server = [
            try entry("s1", card("Adams;Alice;;;", fn: "Alice Adams", tel: "+1 555 0101", email: "alice@example.com")),
            try entry("s2", card("Brown;Bob;;;", fn: "Bob Brown", tel: "+1 555 0102")),
            try entry("s3", card("Clark;Carol;;;", fn: "Carol Clark", email: "carol@example.com")),
            try entry("s4", card("Doe;Dan;;;", fn: "Dan Doe", email: "dan@example.com")),
            try entry("s5", card("Twin;Tom;;;", fn: "Tom Twin", tel: "+1 555 0199")),
            try entry("s6", card("Twin;Tom;;;", fn: "Tom Twin", tel: "+1 555 0199")),
        ]
        let client = [
            // Same record, written differently: fingerprint.
            try entry("c1", "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Adams;Alice\r\nTEL;VOICE:+15550101\r\nEMAIL;INTERNET:ALICE@example.com\r\nEND:VCARD\r\n"),
            // Edited on one side: name + phone agree.
            try entry("c2", card("Brown;Bob;;;", fn: "Bob Brown", tel: "555-0102", note: "met at fair")),
            // Renamed but two contact points agree.
            try entry("c3", card("Clark-Smith;Carol;;;", fn: "Carol Clark-Smith", tel: "+1 555 0103", email: "carol@example.com")),
            // Same name, nothing else in common: not the same person.
            try entry("c4", card("Doe;Dan;;;", fn: "Dan Doe", email: "dan.doe@other.example")),
            // Two identical twins on each side pair one to one.
            try entry("c5", card("Twin;Tom;;;", fn: "Tom Twin", tel: "+1 555 0199")),
            try entry("c6", card("Twin;Tom;;;", fn: "Tom Twin", tel: "+1 555 0199")),
            try entry("c7", card("New;Nina;;;", fn: "Nina New")),
        ]
        return (server, client)
    }

    @Test("Pairs by fingerprint first, then by keys, and explains each pair")
    func pairs() throws {
        let (server, client) = try Self.sides()
        let result = RecordMatcher.match(server, client)
        let byLeft = Dictionary(uniqueKeysWithValues: result.pairs.map { ($0.left, $0) })
        #expect(byLeft["s1"]?.right == "c1")
        #expect(byLeft["s1"]?.reason.sameFingerprint == true)
        #expect(byLeft["s2"]?.right == "c2")
        #expect(byLeft["s2"]?.reason.agreedKeys == ["name", "phone:5550102"])
        #expect(byLeft["s2"]?.reason.differingProperties == ["NOTE", "TEL"])
        #expect(byLeft["s3"]?.right == nil, "one shared e-mail and a different name is not enough")
        #expect(byLeft["s4"] == nil)
        #expect(Set([byLeft["s5"]?.right, byLeft["s6"]?.right]) == Set(["c5", "c6"]))
        #expect(Set(result.unmatchedLeft) == ["s3", "s4"])
        #expect(Set(result.unmatchedRight) == ["c3", "c4", "c7"])
    }

    @Test("Two shared points pair a nickname, not two colleagues whose family names differ (a merge would lose one of them)")
    func twoPointsNeedAgreeingFamilies() throws {
        let server = [
            try Self.entry("robert", Self.card("Baker;Robert;;;", fn: "Robert Baker", tel: "+1 555 0150", email: "rb@example.com")),
            try Self.entry("linda", Self.card("Taylor;Linda;;;", fn: "Linda Taylor", tel: "+49 30 1234567", email: "office@example.com")),
        ]
        let client = [
            try Self.entry("bob", Self.card("Baker;Bob;;;", fn: "Bob Baker", tel: "555-0150", email: "RB@example.com")),
            // The same switchboard and e-mail, another person.
            try Self.entry("mary", Self.card("Anderson;Mary;;;", fn: "Mary Anderson", tel: "+49 30 1234567", email: "office@example.com")),
        ]
        let result = RecordMatcher.match(server, client)
        #expect(result.pairs.map { "\($0.left)=\($0.right)" } == ["robert=bob"])
        #expect(result.unmatchedRight == ["mary"])
    }

    @Test("The pairs do not depend on input order")
    func deterministic() throws {
        let (server, client) = try Self.sides()
        let reference = RecordMatcher.match(server, client)
        var random = SeededGenerator(seed: 42)
        for _ in 0..<20 {
            let shuffled = RecordMatcher.match(server.shuffled(using: &random), client.shuffled(using: &random))
            #expect(Set(shuffled.pairs) == Set(reference.pairs))
            #expect(Set(shuffled.unmatchedLeft) == Set(reference.unmatchedLeft))
        }
    }

    @Test("A merge keeps every value either side had")
    func mergeKeepsEverything() throws {
        var random = SeededGenerator(seed: 7)
        let phones = ["+1 555 0001", "+1 555 0002", "+1 555 0003", "+49 30 999"]
        let emails = ["a@example.com", "b@example.com", "c@example.com"]
        for _ in 0..<200 {
            func randomCard() -> VComponent {
                var text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Roe;Rita;;;\r\n"
                if Bool.random(using: &random) { text += "FN:Rita Roe\r\n" }
                for phone in phones where Bool.random(using: &random) { text += "TEL:\(phone)\r\n" }
                for email in emails where Bool.random(using: &random) { text += "EMAIL:\(email)\r\n" }
                if Bool.random(using: &random) { text += "NOTE:note \(Int.random(in: 0..<3, using: &random))\r\n" }
                if Bool.random(using: &random) { text += "X-CUSTOM:\(Int.random(in: 0..<3, using: &random))\r\n" }
                return try! VObjectParser.parse(Array((text + "END:VCARD\r\n").utf8))[0]
            }
            let a = randomCard(), b = randomCard()
            let merged = RecordMerger.merge(a, b, winner: .first)
            let mergedLines = Set(CanonicalRecord(merged).lines)
            for side in [a, b] {
                for line in CanonicalRecord(side).lines {
                    let name = String(line.prefix { $0 != ";" && $0 != ":" })
                    if RecordMerger.isMultiValued(name) {
                        #expect(mergedLines.contains(line), "\(line) lost")
                    } else {
                        #expect(mergedLines.contains { $0.hasPrefix(name + ":") || $0.hasPrefix(name + ";") }, "\(name) lost")
                    }
                }
            }
            // Single values come from the winner.
            if let note = a.first("NOTE") { #expect(merged.first("NOTE")?.value == note.value) }
            // No duplicates.
            #expect(CanonicalRecord(merged).lines.count == mergedLines.count)
        }
    }
}

@Suite("Records: defaults and equivalent spellings")
struct RecordsDefaultsTests {
    @Test("A merge drops empty placeholders: SyncEvolution's EMAIL: and NOTE: neither block nor outlive the other side's values")
    func mergeDropsEmptyPlaceholders() throws {
        let phone = try VObjectParser.parse(Array("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nEMAIL:\r\nNOTE:\r\nORG:;;\r\nTEL;TYPE=CELL:+1 555 0100\r\nEND:VCARD\r\n".utf8))[0]
        let crm = try VObjectParser.parse(Array("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nEMAIL;TYPE=INTERNET:jane@example.com\r\nNOTE:VIP\r\nEND:VCARD\r\n".utf8))[0]
        let merged = RecordMerger.merge(phone, crm, winner: .first)
        #expect(merged.properties(named: "EMAIL").map(\.value) == ["jane@example.com"])
        #expect(merged.properties(named: "NOTE").map(\.value) == ["VIP"])
        #expect(merged.properties(named: "ORG").isEmpty)
        #expect(merged.properties(named: "TEL").count == 1)
    }

    @Test("Default TRANSP/CLASS and equivalent alarm triggers do not change an event's fingerprint")
    func calendarDefaults() throws {
        func event(_ extra: String, trigger: String) throws -> Fingerprint {
            try RecordSignature(parsing: Array("""
                BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\nDTSTART:20240101T100000Z\r\n\(extra)\
                BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:\(trigger)\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n
                """.utf8)).fingerprint
        }
        let plain = try event("", trigger: "-PT1H")
        #expect(try event("TRANSP:OPAQUE\r\nCLASS:PUBLIC\r\n", trigger: "-PT60M") == plain)
        #expect(try event("TRANSP:TRANSPARENT\r\n", trigger: "-PT1H") != plain)
        #expect(try event("CLASS:PRIVATE\r\n", trigger: "-PT1H") != plain)
        #expect(try event("", trigger: "-PT2H") != plain)
    }
}
