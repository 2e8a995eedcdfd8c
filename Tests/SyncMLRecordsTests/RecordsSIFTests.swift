import Foundation
@testable import SyncMLCodec
@testable import SyncMLRecords
import TestSupport
import Testing
/// SIF (Funambol / Sync4j Outlook plug-in items) ↔ vCard / iCalendar.
@Suite("Records: SIF")
struct RecordsSIFTests {
    // The samples and their helpers are in RecordsSIFSamples.swift.

    // MARK: Parsing

    @Test func parsesTheFourKinds() throws {
        let contact = try SIF.parse(Self.bytes(Self.contact))
        #expect(contact.kind == .contact)
        #expect(contact["FirstName"] == "John")
        #expect(contact["Department"] == "R&D")
        #expect(contact["Body"] == "Met at the <SyncML> conference.\r\nLikes tea & cake.")
        #expect(contact["Spouse"] == nil)
        #expect(contact["Photo"] == "")
        #expect(contact.dictionary["SIFVersion"] == "1.1")

        let event = try SIF.parse(Self.bytes(Self.event))
        #expect(event.kind == .event)
        #expect(event.fields.first { $0.name == "Exceptions" }?.children == [SIFField("ExcludeDate", "2024-03-26")])

        #expect(try SIF.parse(Self.bytes(Self.task)).kind == .task)
        // Status is a SyncML element name too; it is read by its local name.
        #expect(try SIF.parse(Self.bytes(Self.task))["Status"] == "1")
        #expect(try SIF.parse(Self.bytes(Self.note))["Color"] == "1")
    }

    @Test func mimeTypes() {
        #expect(SIFKind.contact.mimeType == "text/x-s4j-sifc")
        #expect(SIFKind(mimeType: "TEXT/X-S4J-SIFE") == .event)
        #expect(SIFKind(mimeType: "text/x-s4j-sift") == .task)
        #expect(SIFKind(mimeType: "text/x-s4j-sifn") == .note)
        #expect(SIFKind(mimeType: "text/x-vcard") == nil)
    }

    @Test func contactAsVCard() throws {
        let card = try SIF.toVComponent(Self.bytes(Self.contact))
        #expect(card.name == "VCARD")
        #expect(card.first("VERSION")?.value == "3.0")
        #expect(card.first("N")?.value == "Doe;John;;Dr.;Jr.")
        #expect(card.first("FN")?.value == "John Doe")
        #expect(card.first("ORG")?.value == "Example GmbH;R&D")
        #expect(card.properties(named: "TEL").map { $0.parameterValues("TYPE") } ==
            [["WORK", "VOICE"], ["HOME", "VOICE"], ["CELL", "VOICE"], ["FAX", "WORK"]])
        #expect(card.first("NOTE")?.text == "Met at the <SyncML> conference.\nLikes tea & cake.")
        #expect(card.first("CATEGORIES")?.value == "Business,VIP")
        // Defaults (Importance 1, Sensitivity 0, Gender 0, SMTP) and empty fields leave nothing.
        #expect(!card.properties.contains { $0.name.hasPrefix("X-SIF-") })
        // The vCard writer's output parses back to the same record.
        let written = VObjectWriter.write(card, as: .vCard30)
        #expect(try VObjectParser.parse(written) == [card])
    }

    // MARK: Fingerprints: SIF and the same record written by hand agree

    @Test func contactFingerprintEqualsVCard30And21() throws {
        let sif = try SIF.toVComponent(Self.bytes(Self.contact))
        #expect(Self.canonical(sif) == (try Self.canonical(Self.contactVCard30)))
        #expect(Self.canonical(sif) == (try Self.canonical(Self.contactVCard21)))
        #expect(try Self.fingerprint(ofSIF: Self.contact) == (try Self.fingerprint(of: Self.contactVCard30)))
        #expect(try Self.fingerprint(ofSIF: Self.contact) == (try Self.fingerprint(of: Self.contactVCard21)))
        // And an edit is seen.
        let edited = Self.contact.replacingOccurrences(of: "<JobTitle>Engineer", with: "<JobTitle>Manager")
        #expect(try Self.fingerprint(ofSIF: edited) != (try Self.fingerprint(of: Self.contactVCard30)))
    }

    @Test func eventFingerprintEqualsICalendar() throws {
        let sif = try SIF.toVComponent(Self.bytes(Self.event))
        #expect(Self.canonical(sif) == (try Self.canonical(Self.eventICal)))
        #expect(try Self.fingerprint(ofSIF: Self.event) == (try Self.fingerprint(of: Self.eventICal)))
        #expect(try Self.fingerprint(ofSIF: Self.event) == (try Self.fingerprint(of: Self.eventICalZoned)))
        #expect(try Self.fingerprint(ofSIF: Self.allDayEvent) == (try Self.fingerprint(of: Self.allDayICal)))
        let signature = RecordSignature(sif)
        #expect(signature.kind == .event)
        #expect(signature.matchKey == (try RecordSignature(parsing: Self.bytes(Self.eventICal))).matchKey)
    }

    @Test func taskFingerprintEqualsVTodo() throws {
        let sif = try SIF.toVComponent(Self.bytes(Self.task))
        #expect(Self.canonical(sif) == (try Self.canonical(Self.taskICal)))
        #expect(try Self.fingerprint(ofSIF: Self.task) == (try Self.fingerprint(of: Self.taskICal)))
        #expect(RecordSignature(sif).kind == .task)
    }

    // MARK: Round trips: SIF → vCard/iCalendar text → SIF keeps every field

    /// Non-empty fields by name; groups by their children.
    static func fields(_ item: SIFItem) -> [String: String] {
        var result: [String: String] = [:]
        for field in item.fields {
            if field.children.isEmpty {
                if !field.value.isEmpty { result[field.name] = field.value }
            } else {
                result[field.name] = field.children.map { "\($0.name)=\($0.value)" }.joined(separator: ";")
            }
        }
        return result
    }

    static func roundTrip(_ text: String, format: VFormat, unknown: [String: String] = [:],
                          dropped: Set<String> = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
        var original = try SIF.parse(bytes(text))
        for (name, value) in unknown { original[name] = value }
        let record = SIF.toVComponent(original)
        let reparsed = try VObjectParser.parse(VObjectWriter.write(record, as: format))
        #expect(reparsed.count == 1, sourceLocation: sourceLocation)
        let sif = try SIF.fromVComponent(reparsed[0], as: original.kind)
        let back = try SIF.parse(sif)
        var expected = fields(original)
        for name in dropped { expected[name] = nil }
        #expect(fields(back) == expected, sourceLocation: sourceLocation)
        // Converting again gives the same record.
        #expect(SIF.toVComponent(back) == record, sourceLocation: sourceLocation)
    }

    @Test func contactRoundTrip() throws {
        try Self.roundTrip(Self.contact, format: .vCard30,
                           unknown: ["Spouse": "Jane", "Hobby": "Chess; go, shogi", "X-CustomField": "a\\b",
                                     "Email3Address": "third@example.org", "Email3AddressType": "SMTP",
                                     "PagerNumber": "123",
                                     "CompanyMainTelephoneNumber": "+49 30 100", "PrimaryTelephoneNumber": "+49 30 200",
                                     "OtherAddressStreet": "Line 1\r\nLine 2", "OtherAddressCity": "Hamburg",
                                     "Photo": "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//"],
                           dropped: [])
        try Self.roundTrip(Self.contact, format: .vCard21)
    }

    @Test func eventRoundTrip() throws {
        // Occurrences wins over PatternEndDate; MeetingStatus/NoAging 0 are Outlook defaults.
        try Self.roundTrip(Self.event, format: .iCalendar20,
                           unknown: ["ReminderSoundFile": "C:\\reminder.wav", "Timezone": ""],
                           dropped: ["PatternEndDate", "MeetingStatus", "NoAging", "MonthOfYear", "DayOfMonth", "Instance", "Timezone"])
        try Self.roundTrip(Self.allDayEvent, format: .iCalendar20)
    }

    @Test func eventGroupsAndPatterns() throws {
        // An unknown group (SIF 1.2 time zone) survives as X-SIF-… with its XML.
        let zoned = Self.allDayEvent.replacingOccurrences(
            of: "</appointment>", with: "<Timezone><BiasMinutes>-60</BiasMinutes><DayLight><DSTOffset>-60</DSTOffset></DayLight></Timezone></appointment>")
        let record = try SIF.toVComponent(Self.bytes(zoned))
        let back = try SIF.parse(try SIF.fromVComponent(try VObjectParser.parse(VObjectWriter.write(record, as: .iCalendar20))[0], as: .event))
        #expect(back.fields.first { $0.name == "Timezone" } == SIFField("Timezone", "", children: [
            SIFField("BiasMinutes", "-60"), SIFField("DayLight", "", children: [SIFField("DSTOffset", "-60")]),
        ]))

        // Each pattern type to RRULE and back.
        let patterns: [(fields: String, rule: String)] = [
            ("<RecurrenceType>0</RecurrenceType><Interval>2</Interval>", "FREQ=DAILY;INTERVAL=2"),
            ("<RecurrenceType>1</RecurrenceType><Interval>1</Interval><DayOfWeekMask>62</DayOfWeekMask>", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
            ("<RecurrenceType>2</RecurrenceType><Interval>1</Interval><DayOfMonth>15</DayOfMonth>", "FREQ=MONTHLY;BYMONTHDAY=15"),
            ("<RecurrenceType>3</RecurrenceType><Interval>1</Interval><DayOfWeekMask>32</DayOfWeekMask><Instance>5</Instance>", "FREQ=MONTHLY;BYDAY=-1FR"),
            ("<RecurrenceType>3</RecurrenceType><Interval>3</Interval><DayOfWeekMask>62</DayOfWeekMask><Instance>1</Instance>", "FREQ=MONTHLY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1"),
            ("<RecurrenceType>5</RecurrenceType><Interval>1</Interval><DayOfMonth>15</DayOfMonth><MonthOfYear>7</MonthOfYear>", "FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=15"),
            ("<RecurrenceType>6</RecurrenceType><Interval>2</Interval><DayOfWeekMask>2</DayOfWeekMask><Instance>2</Instance><MonthOfYear>7</MonthOfYear>", "FREQ=YEARLY;INTERVAL=2;BYMONTH=7;BYDAY=2MO"),
        ]
        for (fields, rule) in patterns {
            let text = Self.allDayEvent
                .replacingOccurrences(of: "<IsRecurring>0</IsRecurring>", with: "<IsRecurring>1</IsRecurring>" + fields +
                    "<PatternStartDate>2024-07-15</PatternStartDate><NoEndDate>0</NoEndDate><PatternEndDate>2025-07-15</PatternEndDate>")
            let record = try SIF.toVComponent(Self.bytes(text))
            #expect(record.components[0].first("RRULE")?.value == rule + ";UNTIL=20250715")
            try Self.roundTrip(text, format: .iCalendar20)
        }
    }

    @Test func taskAndNoteRoundTrip() throws {
        try Self.roundTrip(Self.task, format: .iCalendar20, dropped: ["ActualWork", "TeamTask", "TotalWork"])
        let done = Self.task
            .replacingOccurrences(of: "<Complete>0</Complete>", with: "<Complete>1</Complete>")
            .replacingOccurrences(of: "<DateCompleted/>", with: "<DateCompleted>2024-03-14</DateCompleted>")
            .replacingOccurrences(of: "<Status>1</Status>", with: "<Status>2</Status>")
            .replacingOccurrences(of: "<PercentComplete>25</PercentComplete>", with: "<PercentComplete>100</PercentComplete>")
        try Self.roundTrip(done, format: .iCalendar20, dropped: ["ActualWork", "TeamTask", "TotalWork"])
        let waiting = Self.task.replacingOccurrences(of: "<Status>1</Status>", with: "<Status>3</Status>")
        try Self.roundTrip(waiting, format: .iCalendar20, dropped: ["ActualWork", "TeamTask", "TotalWork"])

        let note = try SIF.toVComponent(Self.bytes(Self.note))
        #expect(note.components.map(\.name) == ["VJOURNAL"])
        #expect(note.components[0].first("X-SIF-COLOR")?.value == "1")
        #expect(RecordSignature(note).kind == .other)
        try Self.roundTrip(Self.note, format: .iCalendar20)
    }

    // MARK: From other clients' records

    @Test func phoneVCardToSIF() throws {
        let card = try VObjectParser.parse(Self.bytes("""
        BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Jörg;;;\r\nFN:Jörg M.\r\nTEL;TYPE=CELL:0171 1\r\nTEL;TYPE=CELL:0171 2\r\n\
        TEL;TYPE=HOME,FAX:030 9\r\nEMAIL;TYPE=WORK:a@b.c\r\nADR;TYPE=WORK,POSTAL:;Building 2;Main St 1;Town;;12345;\r\n\
        NOTE:a\\nb\r\nX-SIF-SPOUSE:Anna\r\nEND:VCARD\r\n
        """))[0]
        let item = try SIF.parse(try SIF.fromVComponent(card, as: .contact))
        #expect(item["FileAs"] == "Jörg M.")
        #expect(item["LastName"] == "Müller")
        #expect(item["MobileTelephoneNumber"] == "0171 1")
        #expect(item["OtherTelephoneNumber"] == "0171 2")
        #expect(item["HomeFaxNumber"] == "030 9")
        #expect(item["Email1Address"] == "a@b.c")
        #expect(item["BusinessAddressStreet"] == "Building 2\r\nMain St 1")
        #expect(item["Body"] == "a\r\nb")
        #expect(item["Spouse"] == "Anna")
        // The FN that is not the composed name survives the way back.
        #expect(SIF.toVComponent(item).first("FN")?.text == "Jörg M.")

        // Writing escapes markup; the writer's output starts as the plug-ins expect.
        var hostile = card
        hostile.properties.append(VProperty(name: "TITLE", value: "<b>&amp;</b>\u{1}"))
        let xml = try SIF.fromVComponent(hostile, as: .contact)
        #expect(String(decoding: xml, as: UTF8.self).hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?><contact><SIFVersion>1.1</SIFVersion>"))
        #expect(try SIF.parse(xml)["JobTitle"] == "<b>&amp;</b>")
        #expect(throws: RecordError.self) { try SIF.fromVComponent(card, as: .event) }
    }

    @Test func eventFromZonedICalendar() throws {
        let record = try VObjectParser.parse(Self.bytes(Self.eventICalZoned))[0]
        let item = try SIF.parse(try SIF.fromVComponent(record, as: .event))
        #expect(item["Start"] == "20240312T093000Z")
        #expect(item["End"] == "20240312T103000Z")
        #expect(item["RecurrenceType"] == "1")
        #expect(item["DayOfWeekMask"] == "4")
        #expect(item["Occurrences"] == "13")
        #expect(item["ReminderMinutesBeforeStart"] == "15")
        #expect(item.fields.first { $0.name == "Exceptions" }?.children == [SIFField("ExcludeDate", "2024-03-26")])
        #expect(try Self.fingerprint(ofSIF: String(decoding: SIF.write(item), as: UTF8.self)) == (try Self.fingerprint(of: Self.eventICal)))
    }

    // MARK: Base64

    @Test func base64() throws {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(SIF.encodeBase64(Self.bytes(plain)) == Self.bytes(encoded))
            #expect(try SIF.decodeBase64(Self.bytes(encoded)) == Self.bytes(plain))
        }
        #expect(try SIF.decodeBase64(Self.bytes("Zm9v\r\nYmE")) == Self.bytes("fooba"))

        var wrapped: [UInt8] = []
        for (index, byte) in SIF.encodeBase64(Self.bytes(Self.contact)).enumerated() {
            if index > 0, index % 76 == 0 { wrapped += [0x0D, 0x0A] }
            wrapped.append(byte)
        }
        #expect(try SIF.toVComponent(wrapped, base64: true) == (try SIF.toVComponent(Self.bytes(Self.contact))))
        let card = try SIF.toVComponent(Self.bytes(Self.contact))
        #expect(try SIF.toVComponent(try SIF.fromVComponent(card, as: .contact, base64: true), base64: true) == card)

        for bad in ["Zm9v!", "Zm9=v", "Zm9vY", "Z===", "Zg=====", "\u{FF}"] {
            #expect(throws: RecordError.self) { try SIF.decodeBase64(Self.bytes(bad)) }
        }
        let error = try #require(throws: RecordError.self) { try SIF.toVComponent(Self.bytes("not base64!"), base64: true) }
        #expect(error.kind == .badBase64)
    }

    // MARK: Malformed input

    @Test func malformedGivesErrors() throws {
        let cases: [(String, RecordError.Kind)] = [
            ("", .missingEnd),
            ("BEGIN:VCARD\r\nEND:VCARD\r\n", .malformedLine),
            ("<vcard><FirstName>x</FirstName></vcard>", .malformedLine),
            ("<contact><FirstName>x</contact>", .malformedLine),
            ("<contact><FirstName>x</FirstName>", .missingEnd),
            ("<contact><FirstName>&bogus;</FirstName></contact>", .malformedLine),
            ("<contact><a><b><c><d>deep</d></c></b></a></contact>", .limitExceeded),
        ]
        for (text, kind) in cases {
            let error = try #require(throws: RecordError.self) { try SIF.parse(Self.bytes(text)) }
            #expect(error.kind == kind, "\(text)")
        }
        let invalid = try #require(throws: RecordError.self) { try SIF.parse([0x3C, 0x6E, 0x6F, 0x74, 0x65, 0x3E, 0x3C, 0x42, 0x3E, 0xFF, 0x3C, 0x2F, 0x42, 0x3E, 0x3C, 0x2F, 0x6E, 0x6F, 0x74, 0x65, 0x3E]) }
        #expect(invalid.kind == .invalidUTF8)

        // Every truncation of a sample is an error, never a crash.
        let sample = Self.bytes(Self.event)
        for length in 0..<sample.count where length % 7 == 0 || length > sample.count - 20 {
            #expect(throws: RecordError.self) { try SIF.parse(sample.prefix(length)) }
        }
    }

    /// A seeded byte-flip loop: any variant is converted or rejected with a RecordError.
    @Test func byteFlipsNeverCrash() throws {
        var generator = SeededGenerator(seed: 0x5349_4643)
        let samples = [Self.contact, Self.event, Self.task, Self.note, Self.allDayEvent].map(Self.bytes)
        var accepted = 0, rejected = 0
        for round in 0..<4000 {
            var bytes = samples[round % samples.count]
            let base64 = round % 5 == 4
            if base64 { bytes = SIF.encodeBase64(bytes) }
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let index = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[index] ^= UInt8(truncatingIfNeeded: 1 << (generator.next() % 8))
                case 1: bytes[index] = UInt8(truncatingIfNeeded: generator.next())
                default: bytes.removeSubrange(index...)
                }
                if bytes.isEmpty { break }
            }
            do {
                let record = try SIF.toVComponent(bytes, base64: base64)
                let kind: SIFKind = record.name == "VCARD" ? .contact
                    : record.components.first?.name == "VEVENT" ? .event : record.components.first?.name == "VTODO" ? .task : .note
                _ = try SIF.fromVComponent(record, as: kind)
                _ = RecordSignature(record)
                accepted += 1
            } catch {
                rejected += 1
            }
        }
        #expect(accepted > 100)
        #expect(rejected > 100)
    }
}
