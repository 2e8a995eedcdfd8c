import Foundation
@testable import SyncMLRecords
import TestSupport
import Testing
/// vCard 2.1 ↔ 3.0 ↔ 4.0 and vCalendar 1.0 ↔ iCalendar 2.0 conversion (docs/RECORDS.md,
/// "Conversion"): tables both ways, and the contract that converting keeps fingerprints.
@Suite("Records: conversion between versions")
struct RecordsConversionTests {
    // The hand-written records and rules are in RecordsConversionSamples.swift.

    static func parse(_ text: String) throws -> VComponent {
        try VObjectParser.parse(Array(text.utf8))[0]
    }

    static func crlf(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// `text` converted to `format` and written.
    static func converted(_ text: String, to format: VFormat) throws -> String {
        String(decoding: VObjectWriter.write(try RecordConverter.convert(try parse(text), to: format), as: format), as: UTF8.self)
    }

    static func families(_ record: VComponent) -> [VFormat] {
        record.name == "VCARD" ? [.vCard21, .vCard30, .vCard40] : [.vCalendar10, .iCalendar20]
    }

    // MARK: - The contract

    @Test("Converting keeps the fingerprint, both ways, and what is written parses back")
    func fingerprintsSurvive() throws {
        let records = try Self.fixtureRecords() + Self.handWritten()
        #expect(records.count > 40)
        var conversions = 0
        for (name, record) in records {
            let original = RecordSignature(record)
            let source = record.format!
            for format in Self.families(record) {
                let converted = try RecordConverter.convert(record, to: format)
                #expect(converted.format == format, "\(name) → \(format.displayName)")
                #expect(RecordSignature(converted).fingerprint == original.fingerprint,
                        "\(name) → \(format.displayName): \(RecordMatcher.differences(original.canonical, RecordSignature(converted).canonical))")
                let written = VObjectWriter.write(converted, as: format)
                let reparsed = try VObjectParser.parse(written)
                #expect(reparsed.count == 1, "\(name) → \(format.displayName)")
                if let reparsed = reparsed.first {
                    #expect(RecordSignature(reparsed).fingerprint == original.fingerprint,
                            "\(name) → \(format.displayName), written: \(String(decoding: written, as: UTF8.self))")
                    let back = try RecordConverter.convert(reparsed, to: source)
                    #expect(RecordSignature(back).fingerprint == original.fingerprint,
                            "\(name) → \(format.displayName) → back: \(RecordMatcher.differences(original.canonical, RecordSignature(back).canonical))")
                }
                conversions += 1
            }
        }
        #expect(conversions > 100)
    }

    @Test("A record converts only within its family")
    func familyMismatch() throws {
        let card = try Self.parse(Self.crlf(Self.contacts["nOnly21"]!))
        let calendar = try Self.parse(Self.crlf(Self.calendars["task20"]!))
        #expect(throws: RecordError.self) { try RecordConverter.convert(card, to: .iCalendar20) }
        #expect(throws: RecordError.self) { try RecordConverter.convert(calendar, to: .vCard30) }
        do {
            _ = try RecordConverter.convert(card, to: .vCalendar10)
        } catch {
            #expect(error.kind == .unsupportedConversion)
        }
    }

    // MARK: - What SyncEvolution sent (case 09)

    static let case09 = Fixtures.syncEvolution.appendingPathComponent("09-vcard21-vcal10-refresh-from-client-xml/client-data-before")

    @Test("Case 09: the 2.1/1.0 text SyncEvolution sent, from the 3.0/2.0 files", arguments: [
        ("contacts/jm.vcf", VFormat.vCard21,
         "BEGIN:VCARD\nVERSION:2.1\nREV:20100328T103410Z\nN;CHARSET=UTF-8:Müller;Jörg;;;\nFN;CHARSET=UTF-8:Jörg Müller\nTEL;HOME:+49 30 1234\nEND:VCARD\n",
         "BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=UTF-8:Müller;Jörg;;;\nFN;CHARSET=UTF-8:Jörg Müller\nTEL;HOME:+49 30 1234\nEND:VCARD\n"),
        ("calendar/termin.ics", VFormat.vCalendar10,
         "BEGIN:VCALENDAR\nVERSION:1.0\nTZ:+00:00\nDAYLIGHT:FALSE\nBEGIN:VEVENT\nUID:fx-e21\nSUMMARY:Termin\nDTSTART:20240601T090000Z\nDTEND:20240601T100000Z\nEND:VEVENT\nEND:VCALENDAR\n",
         "BEGIN:VCALENDAR\nVERSION:1.0\nPRODID:-//harness//fixtures//EN\nBEGIN:VEVENT\nUID:fx-e21\nDTSTART:20240601T090000Z\nDTEND:20240601T100000Z\nSUMMARY:Termin\nEND:VEVENT\nEND:VCALENDAR\n"),
        ("todo/aufgabe.ics", VFormat.vCalendar10,
         "BEGIN:VCALENDAR\nVERSION:1.0\nBEGIN:VTODO\nUID:fx-t21\nSUMMARY:Aufgabe\nDUE:20240610T170000Z\nSTATUS:NEEDS ACTION\nEND:VTODO\nEND:VCALENDAR\n",
         "BEGIN:VCALENDAR\nVERSION:1.0\nPRODID:-//harness//fixtures//EN\nBEGIN:VTODO\nUID:fx-t21\nSUMMARY:Aufgabe\nDUE:20240610T170000Z\nSTATUS:NEEDS ACTION\nEND:VTODO\nEND:VCALENDAR\n"),
    ])
    func syncEvolutionLegacy(file: String, format: VFormat, sent: String, expected: String) throws {
        let record = try VObjectParser.parse(try Fixtures.bytes(Self.case09.appendingPathComponent(file)))[0]
        let converted = try RecordConverter.convert(record, to: format)
        let written = String(decoding: VObjectWriter.write(converted, as: format), as: UTF8.self)
        #expect(written == Self.crlf(expected))
        let theirs = try RecordSignature(parsing: Array(sent.utf8))
        #expect(RecordSignature(converted).canonical == theirs.canonical)
        // And what they sent converts back to the file's fingerprint.
        let back = try RecordConverter.convert(try Self.parse(sent), to: record.format!)
        #expect(RecordSignature(back).fingerprint == RecordSignature(record).fingerprint)
    }

    // MARK: - Tables, both ways

    @Test("vCard 3.0 ↔ 4.0, byte for byte")
    func vCard30And40() throws {
        let card30 = Self.crlf("""
            BEGIN:VCARD
            VERSION:3.0
            N:Doe;Jane;;;
            FN:Jane Doe
            TEL;TYPE=WORK,PREF:+1 (555) 010-2030
            EMAIL;TYPE=INTERNET:jane@example.com
            ADR;TYPE=HOME:;;1 Main St;Springfield;;;
            LABEL;TYPE=HOME:1 Main St\\nSpringfield
            X-GENDER:Female
            PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ
            END:VCARD

            """)
        let card40 = Self.crlf("""
            BEGIN:VCARD
            VERSION:4.0
            N:Doe;Jane;;;
            FN:Jane Doe
            TEL;TYPE=work;VALUE=uri;PREF=1:tel:+1-555-010-2030
            EMAIL:jane@example.com
            ADR;TYPE=home;LABEL=1 Main St^nSpringfield:;;1 Main St;Springfield;;;
            GENDER:F
            PHOTO:data:image/jpeg;base64,/9j/4AAQ
            END:VCARD

            """)
        #expect(try Self.converted(card30, to: .vCard40) == card40)
        let back = try Self.converted(card40, to: .vCard30)
        #expect(back == Self.crlf("""
            BEGIN:VCARD
            VERSION:3.0
            N:Doe;Jane;;;
            FN:Jane Doe
            TEL;TYPE=WORK,PREF:+1-555-010-2030
            EMAIL:jane@example.com
            ADR;TYPE=HOME:;;1 Main St;Springfield;;;
            LABEL;TYPE=HOME:1 Main St\\nSpringfield
            X-GENDER:Female
            PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ
            END:VCARD

            """))
        #expect(try RecordSignature(parsing: Array(back.utf8)).fingerprint == RecordSignature(parsing: Array(card30.utf8)).fingerprint)
    }

    @Test("vCard 2.1 ↔ 3.0, byte for byte")
    func vCard21And30() throws {
        let card21 = Self.crlf("""
            BEGIN:VCARD
            VERSION:2.1
            N:Adams;Alice
            TEL;WORK;VOICE:555-0101
            NOTE;ENCODING=QUOTED-PRINTABLE:One=0D=0ATwo, three
            PHOTO;ENCODING=BASE64;TYPE=GIF:R0lGODlh

            END:VCARD

            """)
        let card30 = Self.crlf("""
            BEGIN:VCARD
            VERSION:3.0
            FN:Alice Adams
            N:Adams;Alice
            TEL;TYPE=WORK,VOICE:555-0101
            NOTE:One\\nTwo\\, three
            PHOTO;ENCODING=b;TYPE=GIF:R0lGODlh
            END:VCARD

            """)
        #expect(try Self.converted(card21, to: .vCard30) == card30)
        #expect(try Self.converted(card30, to: .vCard21) == Self.crlf("""
            BEGIN:VCARD
            VERSION:2.1
            FN:Alice Adams
            N:Adams;Alice
            TEL;WORK;VOICE:555-0101
            NOTE;ENCODING=QUOTED-PRINTABLE:One=0D=0ATwo, three
            PHOTO;ENCODING=BASE64;GIF:R0lGODlh

            END:VCARD

            """))
        // Neither N nor FN derivable: both written empty, which the canonical form ignores.
        #expect(try Self.converted("BEGIN:VCARD\r\nVERSION:2.1\r\nORG:Acme\r\nEND:VCARD\r\n", to: .vCard40)
            == "BEGIN:VCARD\r\nVERSION:4.0\r\nN:;;;;\r\nFN:\r\nORG:Acme\r\nEND:VCARD\r\n")
    }

    @Test("vCalendar 1.0 recurrence rules ↔ RFC 5545", arguments: rules)
    func recurrenceRules(rule: (legacy: String, modern: String)) throws {
        #expect(LegacyRecurrence.iCalendar(rule.legacy) == rule.modern)
        #expect(LegacyRecurrence.vCalendar(rule.modern) == rule.legacy)
        let legacy = try RecordSignature(parsing: Array(Self.crlf(Self.recurring(rule.legacy)).utf8))
        let modern = try RecordSignature(parsing: Array(Self.crlf(Self.recurring(rule.modern, version: "2.0")).utf8))
        #expect(legacy.fingerprint == modern.fingerprint, "\(RecordMatcher.differences(legacy.canonical, modern.canonical))")
    }

    @Test("Rules 1.0 cannot say stay in 2.0 syntax; no duration means #2")
    func recurrenceEdges() {
        #expect(LegacyRecurrence.vCalendar("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1") == nil)
        #expect(LegacyRecurrence.vCalendar("FREQ=HOURLY") == nil)
        #expect(LegacyRecurrence.vCalendar("FREQ=DAILY;INTERVAL=1;WKST=MO") == "D1 #0")
        #expect(LegacyRecurrence.iCalendar("W1 MO") == "FREQ=WEEKLY;BYDAY=MO;COUNT=2")
        #expect(LegacyRecurrence.iCalendar("MP1 1+ MO 3+ WE #0") == "FREQ=MONTHLY;BYDAY=1MO,3WE")
        #expect(LegacyRecurrence.vCalendar("FREQ=MONTHLY;BYDAY=1MO,3WE") == "MP1 1+ MO 3+ WE #0")
        #expect(LegacyRecurrence.iCalendar("X1 nonsense") == nil)
    }

    @Test("vCalendar 1.0 ↔ iCalendar 2.0: zones, all-day, alarms, tasks")
    func calendarTable() throws {
        let legacy = Self.crlf("""
            BEGIN:VCALENDAR
            VERSION:1.0
            TZ:+01:00
            DAYLIGHT:TRUE;+02;20240331T010000Z;20241027T010000Z;CET;CEST
            BEGIN:VEVENT
            SUMMARY:Yoga
            DTSTART:20240604T180000
            DTEND:20240604T190000
            RRULE:W1 TU TH 20240731T180000
            DALARM:20240604T174500;PT5M;2;Yoga!
            END:VEVENT
            BEGIN:VEVENT
            SUMMARY:Holiday
            DTSTART:20240610T000000
            DTEND:20240612T000000
            END:VEVENT
            END:VCALENDAR

            """)
        #expect(try Self.converted(legacy, to: .iCalendar20) == Self.crlf("""
            BEGIN:VCALENDAR
            VERSION:2.0
            BEGIN:VTIMEZONE
            TZID:CET/CEST
            BEGIN:STANDARD
            DTSTART:19700101T000000
            TZOFFSETFROM:+0100
            TZOFFSETTO:+0100
            END:STANDARD
            BEGIN:DAYLIGHT
            DTSTART:20240331T020000
            TZOFFSETFROM:+0100
            TZOFFSETTO:+0200
            END:DAYLIGHT
            BEGIN:STANDARD
            DTSTART:20241027T030000
            TZOFFSETFROM:+0200
            TZOFFSETTO:+0100
            END:STANDARD
            END:VTIMEZONE
            BEGIN:VEVENT
            SUMMARY:Yoga
            DTSTART;TZID=CET/CEST:20240604T180000
            DTEND;TZID=CET/CEST:20240604T190000
            RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20240731T160000Z
            BEGIN:VALARM
            ACTION:DISPLAY
            TRIGGER:-PT15M
            DURATION:PT5M
            REPEAT:2
            DESCRIPTION:Yoga!
            END:VALARM
            END:VEVENT
            BEGIN:VEVENT
            SUMMARY:Holiday
            DTSTART;VALUE=DATE:20240610
            DTEND;VALUE=DATE:20240612
            END:VEVENT
            END:VCALENDAR

            """))
        let modern = Self.crlf("""
            BEGIN:VCALENDAR
            VERSION:2.0
            BEGIN:VTODO
            SUMMARY:Report
            DUE:20240610T170000Z
            STATUS:NEEDS-ACTION
            PRIORITY:5
            CATEGORIES:A,B
            BEGIN:VALARM
            ACTION:AUDIO
            TRIGGER;VALUE=DATE-TIME:20240610T160000Z
            ATTACH:file:///beep.wav
            END:VALARM
            END:VTODO
            END:VCALENDAR

            """)
        let task10 = Self.crlf("""
            BEGIN:VCALENDAR
            VERSION:1.0
            BEGIN:VTODO
            SUMMARY:Report
            DUE:20240610T170000Z
            STATUS:NEEDS ACTION
            PRIORITY:2
            CATEGORIES:A;B
            AALARM:20240610T160000Z;;0;file:///beep.wav
            END:VTODO
            END:VCALENDAR

            """)
        #expect(try Self.converted(modern, to: .vCalendar10) == task10)
        #expect(try Self.converted(task10, to: .iCalendar20) == modern)
    }

    @Test("Priorities: 1.0 1/2/3 are 2.0 1/5/9; 2.0 1–4, 5, 6–9 are 1.0 1, 2, 3")
    func priorities() throws {
        func task(_ version: String, _ priority: Int) -> String {
            "BEGIN:VCALENDAR\r\nVERSION:\(version)\r\nBEGIN:VTODO\r\nSUMMARY:T\r\nPRIORITY:\(priority)\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
        }
        for (legacy, modern) in [(1, 1), (2, 5), (3, 9)] {
            #expect(try Self.converted(task("1.0", legacy), to: .iCalendar20) == task("2.0", modern))
            #expect(try Self.converted(task("2.0", modern), to: .vCalendar10) == task("1.0", legacy))
        }
        for (modern, legacy) in [(2, 1), (4, 1), (6, 3), (8, 3)] {
            #expect(try Self.converted(task("2.0", modern), to: .vCalendar10) == task("1.0", legacy))
        }
    }
}
