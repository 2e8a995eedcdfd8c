import Testing
@testable import SyncMLRecords
/// Helpers shared by the Records tests.
enum RecordsSupport {
    static func parse(_ text: String) throws(RecordError) -> [VComponent] {
        try VObjectParser.parse(Array(text.utf8))
    }

    static func one(_ text: String) throws -> VComponent {
        let components = try parse(text)
        try #require(components.count == 1)
        return components[0]
    }

    /// The error `text` (or `bytes`) is rejected with, if any.
    static func error(_ bytes: [UInt8], limits: VObjectParser.Limits = .init()) -> RecordError? {
        do {
            _ = try VObjectParser.parse(bytes, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    static func error(_ text: String, limits: VObjectParser.Limits = .init()) -> RecordError? {
        error(Array(text.utf8), limits: limits)
    }
}

/// The parser, syntax feature by syntax feature, on small hand-written records.
@Suite("Records: parser specification")
struct RecordsParserTests {
    typealias S = RecordsSupport

    @Test("A vCard 3.0: names uppercased, properties in order, values as written")
    func simpleVCard() throws {
        let card = try S.one("BEGIN:VCARD\r\nVERSION:3.0\r\nn:Doe;John;;;\r\nFN:John Doe\r\nNOTE:a\\, b\\; c\\nd\\\\\r\nEND:VCARD\r\n")
        #expect(card.name == "VCARD")
        #expect(card.properties.map(\.name) == ["VERSION", "N", "FN", "NOTE"])
        #expect(card.first("n")?.value == "Doe;John;;;")
        #expect(card.first("NOTE")?.value == "a\\, b\\; c\\nd\\\\")
        #expect(card.first("NOTE")?.text == "a, b; c\nd\\")
        #expect(card.first("N")?.components == [["Doe"], ["John"], [""], [""], [""]])
        #expect(card.format == .vCard30)
        #expect(card.components.isEmpty)
    }

    @Test("CRLF, LF and lone CR line ends give the same record; no final line end is fine")
    func lineEnds() throws {
        let lines = ["BEGIN:VCARD", "VERSION:3.0", "FN:A", "END:VCARD"]
        let crlf = try S.parse(lines.joined(separator: "\r\n") + "\r\n")
        #expect(try S.parse(lines.joined(separator: "\n")) == crlf)
        #expect(try S.parse(lines.joined(separator: "\r")) == crlf)
        #expect(try S.parse(lines.joined(separator: "\r\n")) == crlf)
        #expect(try S.parse("BEGIN:VCARD\nVERSION:3.0\r\nFN:A\rEND:VCARD") == crlf)
    }

    @Test("Folding: the line break and one space or tab are removed, also inside parameters")
    func folding() throws {
        let card = try S.one("BEGIN:VCARD\r\nNOTE:abc\r\n def\r\n\t ghi\r\nTEL;TY\r\n PE=HO\r\n ME:1\r\nEND:VCARD\r\n")
        #expect(card.first("NOTE")?.value == "abcdef ghi")
        #expect(card.first("TEL")?.parameters == [VParameter("TYPE", "HOME")])
        #expect(card.first("TEL")?.value == "1")
        // LF-only folding, and a fold splitting a UTF-8 sequence.
        let bytes: [UInt8] = Array("BEGIN:VCARD\nFN:M".utf8) + [0xC3, 0x0A, 0x20, 0xBC] + Array("ller\nEND:VCARD\n".utf8)
        let split = try VObjectParser.parse(bytes)
        #expect(split.first?.first("FN")?.value == "Müller")
    }

    @Test("A UTF-8 BOM is skipped; blank lines, and whitespace-only lines after them, are ignored")
    func bomAndBlankLines() throws {
        let components = try VObjectParser.parse([0xEF, 0xBB, 0xBF] + Array("BEGIN:VCARD\r\n\r\nFN:A\r\n\r\n   \r\nEND:VCARD\r\n\r\n".utf8))
        #expect(components == [VComponent(name: "VCARD", properties: [VProperty(name: "FN", value: "A")])])
        // Right after a property, a whitespace-only line is a fold (RFC 6350 §3.2): its rest is content.
        #expect(try RecordsSupport.one("BEGIN:VCARD\r\nFN:A\r\n   \r\nEND:VCARD\r\n").first("FN")?.value == "A  ")
    }

    @Test("Groups, X- properties and unknown parameters are kept")
    func groupsAndUnknowns() throws {
        let card = try S.one("BEGIN:VCARD\r\nitem1.EMAIL;type=INTERNET;X-Foo=bar:a@b.c\r\nitem1.X-ABLabel:_$!<Other>!$_\r\nX-EVOLUTION-FILE-AS:Doe\\, John\r\nEND:VCARD\r\n")
        let email = try #require(card.first("EMAIL"))
        #expect(email.group == "item1")
        #expect(email.parameters == [VParameter("TYPE", "INTERNET"), VParameter("X-FOO", "bar")])
        #expect(card.first("X-ABLABEL")?.group == "item1")
        #expect(card.first("X-ABLABEL")?.value == "_$!<Other>!$_")
        #expect(card.first("X-EVOLUTION-FILE-AS")?.text == "Doe, John")
    }

    @Test("Parameters: names case-insensitive, comma lists, quoted values with : ; ,")
    func parameters() throws {
        let event = try S.one("BEGIN:VEVENT\r\nATTENDEE;Cn=\"Doe, John; Jr.\";ROLE=REQ-PARTICIPANT;DELEGATED-TO=\"mailto:a@x\",\"mailto:b@x\":mailto:j@x\r\nTEL;TYPE=work,voice;type=pref:1\r\nX-EMPTY;X-P=:v\r\nEND:VEVENT\r\n")
        let attendee = try #require(event.first("ATTENDEE"))
        #expect(attendee.parameters == [
            VParameter("CN", "Doe, John; Jr."), VParameter("ROLE", "REQ-PARTICIPANT"),
            VParameter("DELEGATED-TO", "mailto:a@x", "mailto:b@x"),
        ])
        #expect(attendee.value == "mailto:j@x")
        let tel = try #require(event.first("TEL"))
        #expect(tel.parameters == [VParameter("TYPE", "work", "voice"), VParameter("TYPE", "pref")])
        #expect(tel.parameterValues("type") == ["work", "voice", "pref"])
        #expect(event.first("X-EMPTY")?.parameters == [VParameter("X-P", "")])
    }

    @Test("vCard 2.1 bare parameters: one TYPE per word; bare BASE64 is ENCODING, URL is VALUE")
    func bareParameters() throws {
        let card = try S.one("BEGIN:VCARD\r\nVERSION:2.1\r\nTEL;WORK;VOICE:1\r\nTEL;TYPE=WORK;VOICE:2\r\nURL;URL:http://x\r\nEND:VCARD\r\n")
        #expect(card.format == .vCard21)
        let tels = card.properties(named: "TEL")
        #expect(tels[0].parameters == [VParameter("TYPE", "WORK"), VParameter("TYPE", "VOICE")])
        #expect(tels[1].parameters == tels[0].parameters)
        #expect(card.first("URL")?.parameters == [VParameter("VALUE", "URL")])
    }

    @Test("Quoted-printable: =XX escapes, soft breaks continue on lines without whitespace")
    func quotedPrintable() throws {
        let card = try S.one("""
            BEGIN:VCARD\r
            VERSION:2.1\r
            NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Line one=0D=0ALine tw=\r
            o =3D M=C3=BCller=\r
             and=c3=a9\r
            ADR;HOME;QUOTED-PRINTABLE:;;Main St=\r
            reet 1;Town\r
            END:VCARD\r

            """)
        let note = try #require(card.first("NOTE"))
        #expect(note.value == "Line one\r\nLine two = Müller andé")
        #expect(note.parameters.isEmpty)  // ENCODING and CHARSET described the transport
        let adr = try #require(card.first("ADR"))
        #expect(adr.parameters == [VParameter("TYPE", "HOME")])
        #expect(adr.components == [[""], [""], ["Main Street 1"], ["Town"]])
    }

    @Test("CHARSET=ISO-8859-1 and Windows-1252 bytes become the right Unicode")
    func legacyCharsets() throws {
        var bytes = Array("BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1:M".utf8) + [0xFC] + Array("ller;J".utf8) + [0xF6] + Array("rg\r\n".utf8)
        bytes += Array("NOTE;CHARSET=Windows-1252:".utf8) + [0x80, 0x20, 0x93, 0x71, 0x94, 0x20, 0x96, 0x20, 0x9F, 0x20, 0xE9, 0x20, 0x81] + [0x0D, 0x0A]
        bytes += Array("FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:J=F6rg M=\r\n=FCller\r\n".utf8)
        bytes += Array("TITLE;CHARSET=cp1252;QUOTED-PRINTABLE:=80=99\r\nORG;CHARSET=US-ASCII:ACME\r\nEND:VCARD\r\n".utf8)
        let card = try #require(try VObjectParser.parse(bytes).first)
        #expect(card.first("N")?.components == [["Müller"], ["Jörg"]])
        #expect(card.first("NOTE")?.value == "€ “q” – Ÿ é \u{81}")
        #expect(card.first("FN")?.value == "Jörg Müller")
        #expect(card.first("TITLE")?.value == "€™")
        #expect(card.first("ORG")?.value == "ACME")
        #expect(card.properties.allSatisfy { $0.parameters.isEmpty })
    }

    @Test("Base64: folding whitespace removed, not decoded, ENCODING kept (3.0 and 2.1 styles)")
    func base64() throws {
        let card = try S.one("""
            BEGIN:VCARD\r
            VERSION:3.0\r
            PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ\r
             SkZJRg==\r
            LOGO;BASE64;GIF:\r
                R0lG\r
                ODlh\r
            \r
            END:VCARD\r

            """)
        #expect(card.first("PHOTO")?.value == "/9j/4AAQSkZJRg==")
        #expect(card.first("PHOTO")?.parameters == [VParameter("ENCODING", "b"), VParameter("TYPE", "JPEG")])
        #expect(card.first("LOGO")?.value == "R0lGODlh")
        #expect(card.first("LOGO")?.parameters == [VParameter("ENCODING", "BASE64"), VParameter("TYPE", "GIF")])
    }

    @Test("Several vCards in one file")
    func manyCards() throws {
        let cards = try S.parse("BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\nBEGIN:vcard\r\nFN:B\r\nEND:VCARD\r\n")
        #expect(cards.map { $0.first("FN")?.value } == ["A", "B"])
        #expect(cards.allSatisfy { $0.name == "VCARD" })
    }

    @Test("An iCalendar with VTIMEZONE/STANDARD/DAYLIGHT, VEVENT with VALARM, and a VTODO")
    func nestedCalendar() throws {
        let calendar = try S.one("""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//test//EN
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
            TZOFFSETTO:+0200
            END:DAYLIGHT
            END:VTIMEZONE
            BEGIN:VEVENT
            UID:1
            DTSTART;TZID=Europe/Berlin:20240603T090000
            RRULE:FREQ=WEEKLY;COUNT=5
            BEGIN:VALARM
            ACTION:DISPLAY
            TRIGGER:-PT15M
            END:VALARM
            END:VEVENT
            BEGIN:VTODO
            UID:2
            END:VTODO
            END:VCALENDAR
            """)
        #expect(calendar.format == .iCalendar20)
        #expect(calendar.components.map(\.name) == ["VTIMEZONE", "VEVENT", "VTODO"])
        #expect(calendar.components[0].components.map(\.name) == ["STANDARD", "DAYLIGHT"])
        let event = calendar.components[1]
        #expect(event.first("DTSTART")?.parameters == [VParameter("TZID", "Europe/Berlin")])
        #expect(event.first("RRULE")?.components == [["FREQ=WEEKLY"], ["COUNT=5"]])
        #expect(event.components.first?.first("TRIGGER")?.value == "-PT15M")
    }

    @Test("vCalendar 1.0 with TZ and DAYLIGHT")
    func vCalendar10() throws {
        let calendar = try S.one("BEGIN:VCALENDAR\r\nVERSION:1.0\r\nTZ:+01:00\r\nDAYLIGHT:TRUE;+02;20240331T010000Z;20241027T010000Z;CET;CEST\r\nBEGIN:VEVENT\r\nSUMMARY;ENCODING=QUOTED-PRINTABLE:Tr=C3=A4ff\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        #expect(calendar.format == .vCalendar10)
        #expect(calendar.first("TZ")?.value == "+01:00")
        #expect(calendar.first("DAYLIGHT")?.components.count == 6)
        #expect(calendar.components.first?.first("SUMMARY")?.value == "Träff")
    }

    @Test("Format detection from VERSION")
    func formats() throws {
        let pairs: [(String, VFormat?)] = [
            ("BEGIN:VCARD\nVERSION:2.1\nEND:VCARD", .vCard21), ("BEGIN:VCARD\nVERSION:3.0\nEND:VCARD", .vCard30),
            ("BEGIN:VCARD\nVERSION:4.0\nEND:VCARD", .vCard40), ("BEGIN:VCALENDAR\nVERSION:1.0\nEND:VCALENDAR", .vCalendar10),
            ("BEGIN:VCALENDAR\nVERSION: 2.0\nEND:VCALENDAR", .iCalendar20), ("BEGIN:VCARD\nEND:VCARD", nil),
            ("BEGIN:VEVENT\nVERSION:2.0\nEND:VEVENT", nil),
        ]
        for (text, format) in pairs {
            #expect(try S.one(text).format == format, "\(text)")
        }
    }

    @Test("components/text helpers: split on unescaped ; and , and build back")
    func helpers() {
        var property = VProperty(name: "ADR", value: "")
        property.components = [["PO 1"], [""], ["Main St\\; 2", "Back, yard"], ["Town;x"], ["line\nbreak"]]
        #expect(property.value == "PO 1;;Main St\\\\\\; 2,Back\\, yard;Town\\;x;line\\nbreak")
        #expect(property.components == [["PO 1"], [""], ["Main St\\; 2", "Back, yard"], ["Town;x"], ["line\nbreak"]])
        property.text = "a,b;c\\d\r\ne"
        #expect(property.value == "a\\,b\\;c\\\\d\\ne")
        #expect(property.text == "a,b;c\\d\ne")
        #expect(VProperty(name: "X", value: "keep \\x and \\N").text == "keep \\x and \n")
        #expect(VProperty(name: "X", value: "").components == [[""]])
    }
}
