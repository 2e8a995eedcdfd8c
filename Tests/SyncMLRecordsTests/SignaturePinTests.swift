import Foundation
@testable import SyncMLRecords
import SyncMLSampleData
import Testing

/// Stores keep fingerprints and match-key digests: whatever makes the records
/// layer faster must give every record the same canonical bytes, fingerprint,
/// match key and index-key digests, bit for bit. The values below were computed
/// with the code before the records work of issue #16's seventh increment; a
/// failure is a change of what stores hold (a new `Fingerprint.version` and a
/// migration of the keys), never a reason for a new pin.
@Suite("Signatures pinned: canonical form, fingerprint and match keys")
struct SignaturePinTests {
    /// Records that take the rarer paths: vCard 2.1 bare types, charsets and
    /// quoted-printable soft breaks, folding, groups, 4.0 data URIs, `ADR;LABEL=`,
    /// `PREF=`, genders, no `FN`, vendor components, odd white space; vCalendar
    /// and iCalendar events and tasks with zones, rules and alarms.
    static let odd: [(name: String, bytes: [UInt8])] = [
        ("21 latin1 qp folded", latin1("""
            BEGIN:VCARD\r
            VERSION:2.1\r
            N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=F6rg;;Prof. Dr.;=\r
            \r
            TEL;WORK;VOICE;PREF:+49 (30) 1234-567\r
            TEL;CELL:0170 7654321\r
            TEL;HOME:12345\r
            EMAIL;INTERNET;HOME:Joerg.Mueller@Example.DE\r
            EMAIL;INTERNET: joerg@example.org \r
            item1.ADR;HOME;CHARSET=WINDOWS-1252:;;Stra\u{DF}e 1\u{80};K\u{F6}ln;;50667;Deutschland\r
            item1.X-ABLabel:_$!<Home>!$_\r
            NOTE;ENCODING=QUOTED-PRINTABLE:First=09line=0D=0A=0D=0A  second=C2=A0=C2=A0line=\r
             continues\r
            URL;VALUE=URL:http://example.com/~j\r
            BDAY:1970-01-02\r
            X-EVOLUTION-FILE-AS;CHARSET=ISO-8859-1:M\u{FC}ller, J\u{F6}rg\r
            X-IRMC-LUID:0042\r
            END:VCARD\r

            """)),
        ("30 folded groups", utf8("""
            BEGIN:VCARD
            VERSION:3.0
            PRODID:-//Example//EN
            UID:abc-123
            REV:20240101T000000Z
            N:van der Berg;Anna Maria;;;
            FN:  Anna   Maria van der Berg
            ORG:Berg \\, Söhne;R&D;
            TITLE:Chief\\nOfficer
            TEL;TYPE=work,voice;TYPE=pref:+31 20 555 0100
            TEL;TYPE="cell,VOICE":06-12345678
            EMAIL;TYPE=internet,work:ANNA@BERG.NL
            EMAIL;TYPE=INTERNET:anna@berg.nl
            item2.EMAIL:a.berg@example.com
            item2.X-ABLabel:other
            NOTE:Long  text\u{A0}\u{A0} folded across lines, with commas\\, semicolons\\; and a \\
             backslash\\\\ and trailing spaces   
            CATEGORIES:Work,,Friends,Work
            NICKNAME:Ann,Annie
            GEO:52.37;4.89
            X-GENDER:Male
            X-SYNCEVOLUTION-EXDATE-DETACHED:1
            X-EVOLUTION-SPOUSE:Jan
            X-CUSTOM;X-PARAM=b,a,b:value
            PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSk ZJRgAB
             AQAAAQABAAD/2wBD
            END:VCARD
            """)),
        ("30 no fn, vendor component", utf8("""
            BEGIN:VCARD
            VERSION:3.0
            N:O'Brien;Seán;;;
            TEL:555-0102
            TEL;TYPE=FAX:+1 555 0102
            ORG:Acme
            BEGIN:X-VENDOR
            X-THING:1
            END:X-VENDOR
            END:VCARD
            """)),
        ("40 data uris and labels", utf8("""
            BEGIN:VCARD
            VERSION:4.0
            FN:Łukasz Żółć
            N:Żółć;Łukasz;;;
            KIND:individual
            GENDER:F
            TEL;VALUE=uri;TYPE="voice,work";PREF=2:tel:+48-22-555-0100
            TEL;VALUE=uri:tel:555-0101
            EMAIL;PREF=1:lukasz@example.pl
            PHOTO:data:image/jpeg;base64,/9j/4AAQ
            SOUND:data:audio/ogg;base64,T2dnUw==
            KEY:http://example.pl/key.asc
            ADR;TYPE=home;LABEL="ul. Długa 1^n00-001 Warszawa^^^'":;;ul. Długa 1;Warszawa;;00-001;PL
            ANNIVERSARY:2010-06-15
            CLIENTPIDMAP:1;urn:uuid:x
            END:VCARD
            """)),
        ("21 fn only, base64 folded", utf8("""
            BEGIN:VCARD
            VERSION:2.1
            FN:Madonna
            PHOTO;BASE64;GIF:
              R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7

            END:VCARD
            """)),
        ("30 org only", utf8("""
            BEGIN:VCARD
            VERSION:3.0
            FN:
            ORG:  The  Company ;Dept
            TEL;TYPE=WORK:+44 20 7946 0000
            EMAIL:info@company.example
            EMAIL:sales@company.example
            END:VCARD
            """)),
        ("30 combining marks, scripts", utf8("""
            BEGIN:VCARD
            VERSION:3.0
            N:Zoe\u{308}llner;Zoë;;;
            FN:Zoë Zoe\u{308}llner
            NOTE:Café
            NOTE:Cafe\u{301}
            NOTE:Ἀθῆναι
            TITLE:Инженер
            ORG:株式会社;開発
            EMAIL:ZOË@EXAMPLE.COM
            EMAIL:Σοφία@example.gr
            ADR;TYPE=home:;;Straße 1;Zürich;;8000;Schweiz
            END:VCARD
            """)),
        ("ical event zoned rrule alarm", utf8("""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//Example//EN
            METHOD:PUBLISH
            BEGIN:VTIMEZONE
            TZID:Europe/Berlin
            BEGIN:STANDARD
            DTSTART:19701025T030000
            RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
            TZOFFSETFROM:+0200
            TZOFFSETTO:+0100
            END:STANDARD
            BEGIN:DAYLIGHT
            DTSTART:19700329T020000
            RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
            TZOFFSETFROM:+0100
            TZOFFSETTO:+0200
            END:DAYLIGHT
            END:VTIMEZONE
            BEGIN:VEVENT
            UID:ev-1
            DTSTAMP:20240101T000000Z
            SUMMARY:Team  meeting\\, weekly
            DESCRIPTION:Agenda:\\n- one\\n- two
            LOCATION:Room 1
            DTSTART;TZID=Europe/Berlin:20240704T100000
            DTEND;TZID=Europe/Berlin:20240704T110000
            RRULE:WKST=MO;INTERVAL=1;BYDAY=TH,MO;FREQ=WEEKLY;UNTIL=20241231T235959Z
            EXDATE;TZID=Europe/Berlin:20240711T100000
            CATEGORIES:Business,Meeting
            CLASS:public
            TRANSP:OPAQUE
            STATUS:confirmed
            PRIORITY:3
            ATTENDEE;CN="Doe, John";PARTSTAT=ACCEPTED:mailto:john@example.com
            BEGIN:VALARM
            ACTION:DISPLAY
            TRIGGER:-PT15M
            DESCRIPTION:Reminder
            END:VALARM
            END:VEVENT
            END:VCALENDAR
            """)),
        ("ical series with exception", utf8("""
            BEGIN:VCALENDAR
            VERSION:2.0
            BEGIN:VEVENT
            UID:s-1
            SUMMARY:Standup
            DTSTART:20240701T090000Z
            DTEND:20240701T091500Z
            RRULE:FREQ=DAILY;COUNT=10
            END:VEVENT
            BEGIN:VEVENT
            UID:s-1
            RECURRENCE-ID:20240703T090000Z
            SUMMARY:Standup (moved)
            DTSTART:20240703T100000Z
            DTEND:20240703T101500Z
            END:VEVENT
            END:VCALENDAR
            """)),
        ("ical all-day floating", utf8("""
            BEGIN:VCALENDAR
            VERSION:2.0
            BEGIN:VEVENT
            SUMMARY:Holiday
            DTSTART;VALUE=DATE:20241225
            DTEND;VALUE=DATE:20241226
            TRANSP:TRANSPARENT
            END:VEVENT
            END:VCALENDAR
            """)),
        ("ical task", utf8("""
            BEGIN:VCALENDAR
            VERSION:2.0
            BEGIN:VTODO
            SUMMARY:File taxes
            DUE;TZID=Unknown/Zone:20250415T170000
            PRIORITY:7
            STATUS:NEEDS-ACTION
            PERCENT-COMPLETE:20
            END:VTODO
            END:VCALENDAR
            """)),
        ("vcal event legacy zone", latin1("""
            BEGIN:VCALENDAR\r
            VERSION:1.0\r
            TZ:+01\r
            DAYLIGHT:TRUE;+02;20240331T010000Z;20241027T010000Z;CET;CEST\r
            BEGIN:VEVENT\r
            SUMMARY;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Geb=E4ude=20B\r
            DTSTART:20240704T100000\r
            DTEND:20240704T110000\r
            RRULE:W1 MO TH #10\r
            AALARM:20240704T094500;;0;\r
            CATEGORIES:MEETING;PERSONAL\r
            CLASS:PUBLIC\r
            TRANSP:0\r
            END:VEVENT\r
            END:VCALENDAR\r

            """)),
        ("vcal task", utf8("""
            BEGIN:VCALENDAR
            VERSION:1.0
            BEGIN:VTODO
            SUMMARY:Call back
            DUE:20240705T120000Z
            PRIORITY:2
            STATUS:NEEDS ACTION
            END:VTODO
            END:VCALENDAR
            """)),
    ]

    /// Per record: the fingerprint, then a hash of its canonical bytes and keys (`keyDigest`).
    static let pinned: [String: (fingerprint: String, keys: String)] = [
        "21 latin1 qp folded": ("0da61d1770d10230d219da66596f67b0", "9c45969ccbcc168a94bf83953bef5008"),
        "30 folded groups": ("86c411ebe3f19ca1a744109c998f27dd", "3ca9aea9bf78b805decf31d796623f01"),
        "30 no fn, vendor component": ("dbad01a6dde4f8c93c17b832188dde9d", "386b712df455af4a035af1100cccc061"),
        "40 data uris and labels": ("7197c5f2e250b381eff988e5a50070bb", "d59e89074b7dc2fc5155cc4172dbe08e"),
        "21 fn only, base64 folded": ("88a35ef2dfd55f9d7c333ef654e35d2e", "1a781563051f92b9147e21f673a1f8a2"),
        "30 org only": ("292dd3507fa730e1c6b7bd2ad0c0dd98", "2a3894894eb65366a2da0008b49cadb1"),
        "30 combining marks, scripts": ("20aa2e649284e27dd353e10612f4be60", "7acd9dc2ee5edbd3c77397f6228f9da7"),
        "ical event zoned rrule alarm": ("98405d683b9c10ce44c5763b0f9d68b1", "da9b86d429a677b3b584b1ce6c8c115f"),
        "ical series with exception": ("aab852411653a1b95f4150b4c058ba95", "15b872306b7c156590d4714aafef543f"),
        "ical all-day floating": ("d495a34c4655a088d84c0d5253218afe", "f0e691b4ed9119e9a5eaf7a1d2091bac"),
        "ical task": ("b2e0eef5f9e16d21524d236bcbc4b1be", "074580188eb1f72244fd00a4c77419b1"),
        "vcal event legacy zone": ("e37f7361b055503a2716ddb8aa080d59", "3c185dc496f7e9b2959cbddd0025153f"),
        "vcal task": ("31f46cac2fd9e49655f7f20a8d71fe8e", "5f522007b35ac33ca581a6c4601272d6"),
    ]

    /// MurmurHash3 (seed 0) over `material` of every record of a set.
    static let generatedDigest = "8a7d6bc6743a01ef2691949e5b461730"
    static let fixtureDigest = "e46710d7a82b7e0845875e47bdaa2c67"
    static let handWrittenDigest = "49795da6819fac32a0a08699280d1f31"
    static let sifDigest = "8ce82a04acc61779a3dc620672826843"

    static func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }
    /// Each scalar as one byte: the text is written in a legacy charset.
    static func latin1(_ text: String) -> [UInt8] {
        text.unicodeScalars.map { $0.value == 0x80 ? 0x80 : UInt8(truncatingIfNeeded: $0.value) }
    }

    /// Everything a store keeps of a record: canonical bytes, fingerprint, the
    /// match key's parts, every index key with its digest, and the lookup keys.
    static func material(_ signature: RecordSignature) -> [UInt8] {
        var bytes = signature.canonical.bytes + [0] + signature.fingerprint.bytes
        bytes += Array(signature.kind.rawValue.utf8) + [0]
        bytes += Array(signature.matchKey.description.utf8) + [0]
        for key in signature.matchKey.indexKeys {
            bytes += Array(key.storedForm.utf8) + [0]
            bytes += withUnsafeBytes(of: key.digest.littleEndian) { Array($0) }
        }
        bytes += [1]
        for key in signature.matchKey.lookupKeys { bytes += Array(key.storedForm.utf8) + [0] }
        return bytes
    }

    static func keyDigest(_ signature: RecordSignature) -> String {
        Fingerprint.hash(material(signature), seed: 0).description
    }

    static func digest(_ records: [(name: String, record: VComponent)]) -> String {
        var bytes: [UInt8] = []
        for (name, record) in records { bytes += Array(name.utf8) + [0] + material(RecordSignature(record)) }
        return Fingerprint.hash(bytes, seed: 0).description
    }

    @Test("Odd records keep their fingerprints and keys, parsed from bytes or from the model")
    func oddRecords() throws {
        for (name, bytes) in Self.odd {
            let fromBytes = try RecordSignature(parsing: bytes)
            let fromModel = RecordSignature(try VObjectParser.parse(bytes)[0])
            #expect(fromBytes == fromModel, "\(name)")
            #expect(fromBytes.fingerprint.description == Self.pinned[name]?.fingerprint, "\(name)")
            #expect(Self.keyDigest(fromBytes) == Self.pinned[name]?.keys, "\(name)")
        }
    }

    @Test("A contact's canonical bytes are its String lines, sorted and joined")
    func bytesAgreeWithLines() throws {
        var generator = ContactGenerator(seed: 11)
        var cards = try (0..<200).map { _ in try VObjectParser.parse(generator.next())[0] }
        cards += try Self.odd.map { try VObjectParser.parse($0.bytes)[0] }.filter { $0.name == "VCARD" }
        for card in cards {
            let canonical = CanonicalRecord(card)
            let lines = ContactCanonicalizer.lines(card)
            #expect(canonical.lines == lines)
            #expect(canonical.bytes == Array(("KIND:contact\n" + lines.map { $0 + "\n" }.joined()).utf8))
        }
    }

    @Test("Setting a canonical form's lines or kind rewrites its bytes")
    func settingLines() throws {
        var canonical = CanonicalRecord(try VObjectParser.parse(Self.utf8("BEGIN:VCARD\nFN:A B\nEND:VCARD\n"))[0])
        #expect(canonical.bytes == Array("KIND:contact\nFN:A B\n".utf8))
        canonical.lines = ["FN:C", "NOTE:x"]
        canonical.kind = .other
        #expect(canonical.bytes == Array("KIND:other\nFN:C\nNOTE:x\n".utf8))
        #expect(canonical.lines == ["FN:C", "NOTE:x"])
        #expect(canonical.lineCount == 2)
    }

    @Test("1,000 generated contacts keep their signatures")
    func generated() throws {
        var generator = ContactGenerator(seed: 7)
        let records = try (0..<1000).map { index in ("g\(index)", try VObjectParser.parse(generator.next())[0]) }
        #expect(Self.digest(records) == Self.generatedDigest)
    }

    @Test("SyncEvolution's fixture records keep their signatures")
    func fixtures() throws {
        let records = try RecordsConversionTests.fixtureRecords()
        try #require(!records.isEmpty, "no fixtures under shared/fixtures/syncevolution")
        #expect(Self.digest(records) == Self.fixtureDigest)
    }

    @Test("The conversion tests' hand-written records keep their signatures")
    func handWritten() throws {
        let records = try RecordsConversionTests.handWritten()
        #expect(Self.digest(records) == Self.handWrittenDigest)
    }

    @Test("SIF items keep their signatures")
    func sif() throws {
        let items = [RecordsSIFTests.contact, RecordsSIFTests.event, RecordsSIFTests.allDayEvent, RecordsSIFTests.task,
                     RecordsSIFTests.note]
        let records = try items.enumerated().map { ("sif \($0.offset)", try SIF.toVComponent(Array($0.element.utf8))) }
        #expect(Self.digest(records) == Self.sifDigest)
    }
}
