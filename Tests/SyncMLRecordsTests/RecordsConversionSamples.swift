import Foundation
@testable import SyncMLRecords
import TestSupport
import Testing

// The hand-written records and recurrence rules the conversion tests convert.

extension RecordsConversionTests {
    // MARK: - Hand-written records

    static let contacts: [String: String] = [
        "full30": """
            BEGIN:VCARD
            VERSION:3.0
            N:Doe;Jane;;Dr.;
            FN:Dr. Jane Doe
            TEL;TYPE=WORK,VOICE,PREF:+1 (555) 010-2030
            TEL;TYPE=CELL:+1 555 0199
            TEL;TYPE=FAX:+1 555 0198
            EMAIL;TYPE=INTERNET,PREF:jane@example.com
            ADR;TYPE=HOME:;;1 Main St;Springfield;;12345;USA
            ADR;TYPE=WORK:;;2 Work Rd;Shelbyville;;54321;USA
            LABEL;TYPE=HOME:1 Main St\\nSpringfield 12345\\nUSA
            NOTE:Line one\\nLine two\\, with comma
            X-GENDER:Female
            PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD
            ORG:Example\\, Inc.;Sales
            BDAY:1970-01-02
            X-CUSTOM:kept
            END:VCARD
            """,
        "qp21": """
            BEGIN:VCARD
            VERSION:2.1
            N;CHARSET=ISO-8859-1:M\u{FC}ller;J\u{F6}rg
            TEL;WORK;VOICE:+49 30 1234567
            TEL;CELL:+49 170 7654321
            TEL;HOME;FAX:+49 30 7654321
            ADR;HOME:;;Hauptstr. 1;Berlin;;10115;Germany
            NOTE;ENCODING=QUOTED-PRINTABLE:First line=0D=0A=
            second line, with comma
            PHOTO;ENCODING=BASE64;TYPE=GIF:
             R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7

            X-IRMC-LUID:0001
            END:VCARD
            """,
        "card40": """
            BEGIN:VCARD
            VERSION:4.0
            FN:Sam Smith
            N:Smith;Sam;;;
            TEL;VALUE=uri;TYPE=cell;PREF=1:tel:+1-555-0100
            EMAIL;TYPE=work:sam@example.com
            GENDER:O;nonbinary
            PHOTO:data:image/png;base64,iVBORw0KGgo=
            LOGO:http://example.com/logo.png
            ADR;TYPE=work;LABEL="5 Office Park^nSuite 2":;;5 Office Park;Town;;;
            ADR;TYPE=home;LABEL="PO Box 9":;;;;;;
            ANNIVERSARY:20100615
            KIND:individual
            END:VCARD
            """,
        "fnOnly21": """
            BEGIN:VCARD
            VERSION:2.1
            FN:Only A Formatted Name
            EMAIL;INTERNET:only@example.com
            END:VCARD
            """,
        "nOnly21": """
            BEGIN:VCARD
            VERSION:2.1
            N:Adams;Alice
            TEL;PREF;CELL:555-0101
            END:VCARD
            """,
    ]

    static let calendars: [String: String] = [
        "allDay20": """
            BEGIN:VCALENDAR
            VERSION:2.0
            BEGIN:VEVENT
            UID:a1
            SUMMARY:Holiday
            DTSTART;VALUE=DATE:20240610
            DTEND;VALUE=DATE:20240612
            TRANSP:TRANSPARENT
            END:VEVENT
            END:VCALENDAR
            """,
        "allDayNoEnd20": """
            BEGIN:VCALENDAR
            VERSION:2.0
            BEGIN:VEVENT
            SUMMARY:Birthday
            DTSTART;VALUE=DATE:20240610
            RRULE:FREQ=YEARLY;BYMONTH=6
            END:VEVENT
            END:VCALENDAR
            """,
        "alarms20": """
            BEGIN:VCALENDAR
            VERSION:2.0
            BEGIN:VTIMEZONE
            TZID:Europe/Berlin
            BEGIN:DAYLIGHT
            DTSTART:19700329T020000
            TZOFFSETFROM:+0100
            TZOFFSETTO:+0200
            RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
            END:DAYLIGHT
            BEGIN:STANDARD
            DTSTART:19701025T030000
            TZOFFSETFROM:+0200
            TZOFFSETTO:+0100
            RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
            END:STANDARD
            END:VTIMEZONE
            BEGIN:VEVENT
            UID:x1
            SUMMARY:Standup, daily
            DESCRIPTION:Two\\nlines
            DTSTART;TZID=Europe/Berlin:20240603T090000
            DTEND;TZID=Europe/Berlin:20240603T093000
            EXDATE;TZID=Europe/Berlin:20240610T090000,20240617T090000
            RRULE:FREQ=WEEKLY;COUNT=10
            CATEGORIES:Work,Meeting
            BEGIN:VALARM
            ACTION:DISPLAY
            TRIGGER:-PT15M
            DESCRIPTION:Standup soon
            END:VALARM
            BEGIN:VALARM
            ACTION:AUDIO
            TRIGGER;RELATED=END:PT0S
            REPEAT:2
            DURATION:PT5M
            END:VALARM
            BEGIN:VALARM
            ACTION:EMAIL
            TRIGGER:-P1D
            SUMMARY:Tomorrow
            DESCRIPTION:Standup tomorrow
            ATTENDEE:mailto:jane@example.com
            END:VALARM
            END:VEVENT
            END:VCALENDAR
            """,
        "task20": """
            BEGIN:VCALENDAR
            VERSION:2.0
            BEGIN:VTODO
            SUMMARY:Report
            DUE:20240610T170000Z
            COMPLETED:20240609T120000Z
            STATUS:COMPLETED
            PRIORITY:1
            CREATED:20240101T000000Z
            END:VTODO
            END:VCALENDAR
            """,
        "taskLow20": """
            BEGIN:VCALENDAR
            VERSION:2.0
            BEGIN:VTODO
            SUMMARY:Someday
            DUE;VALUE=DATE:20241231
            STATUS:NEEDS-ACTION
            PRIORITY:9
            END:VTODO
            END:VCALENDAR
            """,
        "legacy10": """
            BEGIN:VCALENDAR
            VERSION:1.0
            TZ:+01:00
            DAYLIGHT:TRUE;+02;20240331T010000Z;20241027T010000Z;CET;CEST
            BEGIN:VEVENT
            SUMMARY:Holiday
            DTSTART:20240610T000000
            DTEND:20240612T000000
            AALARM:20240609T230000;;0;
            END:VEVENT
            BEGIN:VEVENT
            SUMMARY:Yoga
            DTSTART:20240604T180000
            DTEND:20240604T190000
            RRULE:W1 TU TH 20240731T180000
            DALARM:20240604T174500;PT5M;2;Yoga!
            END:VEVENT
            END:VCALENDAR
            """,
        "legacyTask10": """
            BEGIN:VCALENDAR
            VERSION:1.0
            BEGIN:VTODO
            SUMMARY:Call back
            DUE:20240610T170000Z
            STATUS:NEEDS ACTION
            PRIORITY:2
            CATEGORIES:PHONE CALL;BUSINESS
            END:VTODO
            END:VCALENDAR
            """,
    ]

    /// One event per 1.0 rule case, floating times.
    static func recurring(_ rule: String, version: String = "1.0") -> String {
        """
        BEGIN:VCALENDAR
        VERSION:\(version)
        BEGIN:VEVENT
        SUMMARY:Series
        DTSTART:20240603T090000
        DTEND:20240603T100000
        RRULE:\(rule)
        END:VEVENT
        END:VCALENDAR
        """
    }

    static let rules: [(legacy: String, modern: String)] = [
        ("D1 #5", "FREQ=DAILY;COUNT=5"),
        ("W1 MO TU #0", "FREQ=WEEKLY;BYDAY=MO,TU"),
        ("W2 FR #10", "FREQ=WEEKLY;BYDAY=FR;INTERVAL=2;COUNT=10"),
        ("MD1 15 #0", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("MD1 1- #3", "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3"),
        ("MP1 1+ MO #0", "FREQ=MONTHLY;BYDAY=1MO"),
        ("MP2 1- FR 20241231T000000Z", "FREQ=MONTHLY;BYDAY=-1FR;INTERVAL=2;UNTIL=20241231T000000Z"),
        ("YM1 6 #0", "FREQ=YEARLY;BYMONTH=6"),
        ("YD1 #0", "FREQ=YEARLY"),
        ("YD1 100 #4", "FREQ=YEARLY;BYYEARDAY=100;COUNT=4"),
    ]

    static func handWritten() throws -> [(name: String, record: VComponent)] {
        var records: [(String, VComponent)] = []
        for (name, text) in contacts.sorted(by: { $0.key < $1.key }) {
            let bytes: [UInt8] = text.unicodeScalars.allSatisfy { $0.value < 0x100 } && name == "qp21"
                ? crlf(text).unicodeScalars.map { UInt8($0.value) } : Array(crlf(text).utf8)
            records.append((name, try VObjectParser.parse(bytes)[0]))
        }
        for (name, text) in calendars.sorted(by: { $0.key < $1.key }) { records.append((name, try parse(crlf(text)))) }
        for rule in rules {
            records.append(("rrule " + rule.legacy, try parse(crlf(recurring(rule.legacy)))))
            records.append(("rrule " + rule.modern, try parse(crlf(recurring(rule.modern, version: "2.0")))))
        }
        return records
    }

    static func fixtureRecords() throws -> [(name: String, record: VComponent)] {
        var records: [(String, VComponent)] = []
        let manager = FileManager.default
        for directory in try manager.contentsOfDirectory(atPath: Fixtures.syncEvolution.path).sorted() {
            let before = Fixtures.syncEvolution.appendingPathComponent(directory).appendingPathComponent("client-data-before")
            for store in ((try? manager.contentsOfDirectory(atPath: before.path)) ?? []).sorted() {
                let folder = before.appendingPathComponent(store)
                for file in ((try? manager.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() {
                    for record in try VObjectParser.parse(try Fixtures.bytes(folder.appendingPathComponent(file))) {
                        records.append(("\(directory)/\(store)/\(file)", record))
                    }
                }
            }
        }
        return records
    }
}
