import SyncMLProtocol
import SyncMLRecords
import Testing

@Suite("A received item's identity: one fingerprint rule for both roles")
struct ReceivedRecordTests {
    static func crlf(_ lines: String...) -> [UInt8] { Array((lines.joined(separator: "\r\n") + "\r\n").utf8) }

    static let vCard21 = crlf("BEGIN:VCARD", "VERSION:2.1", "N:Meier;Anna", "FN:Anna Meier", "TEL;CELL:+41 79 123 45 67", "END:VCARD")
    static let vCard30 = crlf("BEGIN:VCARD", "VERSION:3.0", "N:Meier;Anna;;;", "FN:Anna Meier", "EMAIL;TYPE=INTERNET:anna@example.org", "END:VCARD")
    static let vCard40 = crlf("BEGIN:VCARD", "VERSION:4.0", "N:Meier;Anna;;;", "FN:Anna Meier", "TEL;TYPE=cell:+41791234567", "END:VCARD")
    static let iCalendar = crlf("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", "UID:e1", "DTSTART:20250314T090000Z",
                                "DTEND:20250314T100000Z", "SUMMARY:Review", "END:VEVENT", "END:VCALENDAR")
    static let vCalendar = crlf("BEGIN:VCALENDAR", "VERSION:1.0", "BEGIN:VEVENT", "DTSTART:20250314T090000Z", "DTEND:20250314T100000Z",
                                "SUMMARY:Review", "END:VEVENT", "END:VCALENDAR")
    static let sifContact = Array(#"<?xml version="1.0" encoding="UTF-8"?><contact><SIFVersion>1.1</SIFVersion><FirstName>Anna</FirstName><LastName>Meier</LastName><Email1Address>anna@example.org</Email1Address></contact>"#.utf8)

    /// (name, MIME type, payload as the host stores it). The server receives SIF in base64 (Meta Format b64).
    static let samples: [(String, String, [UInt8])] = [
        ("vCard 2.1", "text/x-vcard", vCard21),
        ("vCard 3.0", "text/vcard", vCard30),
        ("vCard 4.0", "text/vcard", vCard40),
        ("iCalendar 2.0", "text/calendar", iCalendar),
        ("vCalendar 1.0", "text/x-vcalendar", vCalendar),
        ("SIF contact", "text/x-s4j-sifc", sifContact),
        ("plain text", "text/plain", Array("Buy milk\r\n".utf8)),
        ("plain text that reads like a vCard", "text/plain", vCard30),
        ("garbage declared a vCard", "text/vcard", [0xFF, 0x00, 0x42, 0x0A]),
        ("garbage declared SIF", "text/x-s4j-sifc", Array("no xml".utf8)),
        ("a vCard without a type", "", vCard30),
    ]

    @Test("The server (as sent, SIF in base64, with match keys) and the client (as stored, fingerprint only) agree in every format")
    func rolesAgree() {
        for (name, type, payload) in Self.samples {
            let isSIF = SIFKind(mimeType: type) != nil
            let server = ReceivedRecord(type: type, format: isSIF ? "b64" : nil, data: isSIF ? SIF.encodeBase64(payload) : payload)
            let client = ReceivedRecord.fingerprint(type: type, payload: payload)
            #expect(server.fingerprint == client, "\(name)")
            #expect(server.payload == payload, "\(name): SIF unwrapped from base64")
        }
    }

    @Test("Records parse to their canonical form, with match keys only when asked for")
    func detail() throws {
        let full = ReceivedRecord(type: "text/vcard", payload: Self.vCard30)
        let lean = ReceivedRecord(type: "text/vcard", payload: Self.vCard30, detail: .fingerprint)
        #expect(full.isParsed && lean.isParsed)
        #expect(full.signature != nil && lean.signature == nil)
        #expect(full.fingerprint == CanonicalRecord(try VObjectParser.parse(Self.vCard30)[0]).fingerprint)
        #expect(full.fingerprint != Fingerprint(of: Self.vCard30))
    }

    @Test("A plain vCard, signed from its bytes, and one left to the model sign as the parsed model does, in both details")
    func scanAgreesWithModel() throws {
        let quotedPrintable = Self.crlf("BEGIN:VCARD", "VERSION:2.1", "N;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;Anna",
                                        "FN:Anna M=C3=BCller", "END:VCARD")
        let withoutFN = Self.crlf("BEGIN:VCARD", "VERSION:3.0", "N:Meier;Anna;;;", "END:VCARD")
        for payload in [Self.vCard21, Self.vCard30, Self.vCard40, quotedPrintable, withoutFN] {
            let modelled = RecordSignature(try VObjectParser.parse(payload)[0])
            let full = ReceivedRecord(type: "text/vcard", payload: payload)
            let lean = ReceivedRecord(type: "text/x-vcard", payload: payload, detail: .fingerprint)
            #expect(full.isParsed && lean.isParsed)
            #expect(full.signature == modelled)
            #expect(full.fingerprint == modelled.fingerprint && lean.fingerprint == modelled.fingerprint)
        }
        #expect(RecordSignature.scanningContact(Self.vCard30) != nil, "a plain vCard takes the byte scan")
        #expect(RecordSignature.scanningContact(quotedPrintable) == nil && RecordSignature.scanningContact(withoutFN) == nil)
    }

    @Test("Plain text is compared by its bytes, even when it reads like a vCard")
    func plainTextIsBytes() {
        let note = ReceivedRecord(type: "text/plain", payload: Self.vCard30)
        #expect(!note.isParsed && note.fingerprint == Fingerprint(of: Self.vCard30))
    }

    @Test("A missing type is sniffed from the payload")
    func sniffing() {
        #expect(ReceivedRecord(type: nil, format: nil, data: Self.vCard30).type == "text/vcard")
        #expect(ReceivedRecord(type: nil, format: nil, data: Self.iCalendar).type == "text/calendar")
        #expect(ReceivedRecord(type: "", format: nil, data: Array("hello".utf8)).type == "text/plain")
        #expect(ReceivedRecord(type: "TEXT/VCARD", format: nil, data: Self.vCard30).type == "text/vcard")
    }

    @Test("Declared a vCard, calendar or SIF document but not beginning like one: not a record; one that parses only in part is")
    func notARecord() {
        #expect(ReceivedRecord(type: "text/vcard", payload: Array("hello".utf8)).isNotARecord)
        #expect(ReceivedRecord(type: "text/x-s4j-sifc", payload: Array("hello".utf8)).isNotARecord)
        #expect(!ReceivedRecord(type: "text/vcard", payload: Array("\u{FEFF}BEGIN:VCARD\r\nN:x\r\n".utf8)).isNotARecord)
        #expect(!ReceivedRecord(type: "text/plain", payload: Array("hello".utf8)).isNotARecord)
        #expect(!ReceivedRecord(type: "text/vcard", payload: Self.vCard30).isNotARecord)
    }
}
