/// The preset deflate dictionaries journal payloads are compressed with.
///
/// A ~500-byte vCard has too little text of its own for deflate to find
/// repeats in; priming the compressor with typical vCard and iCalendar text
/// lets the first `BEGIN:VCARD`, `TEL;TYPE=CELL:` or `END:VEVENT` already be a
/// back-reference. zlib prefers short distances, so the most common strings
/// come last.
///
/// **Versioning.** A frame records the id of the dictionary it was compressed
/// with; a dictionary's bytes must never change once frames exist that use it.
/// To change the text, add a new dictionary with the next id, make it
/// `current`, and keep the old ones here so old frames still decode. A test
/// pins each dictionary's CRC-32 so an edit without a new id fails.
/// See docs/STORE.md.
enum PayloadDictionary {
    /// The dictionary new frames are compressed with.
    static let current: UInt8 = 1

    /// The bytes of dictionary `id`, or nil for an id this build does not know.
    static func bytes(for id: UInt8) -> [UInt8]? {
        switch id {
        case 1: version1
        default: nil
        }
    }

    /// CRC-32 of each dictionary's bytes, pinned by a test.
    static let pinnedCRC: [UInt8: UInt32] = [1: 0x4916_6C23]

    /// Version 1: vCard 2.1/3.0 and iCalendar 2.0/vCalendar 1.0, < 4 KiB, lines ending CR LF.
    static let version1: [UInt8] = Array(version1Lines.joined(separator: "\r\n").utf8) + [13, 10]

    private static let version1Lines: [String] = [
        // Calendar: rarer properties first.
        "BEGIN:VCALENDAR",
        "PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN",
        "PRODID:-//Ximian//NONSGML Evolution Calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VTIMEZONE",
        "TZID:Europe/Berlin",
        "X-LIC-LOCATION:Europe/Berlin",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "TZNAME:CEST",
        "DTSTART:19700329T020000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "TZNAME:CET",
        "DTSTART:19701025T030000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "END:STANDARD",
        "END:VTIMEZONE",
        "BEGIN:VTODO",
        "DUE;VALUE=DATE:20240101",
        "PERCENT-COMPLETE:0",
        "STATUS:NEEDS-ACTION",
        "COMPLETED:20240101T120000Z",
        "END:VTODO",
        "VERSION:1.0",
        "BEGIN:VEVENT",
        "DCREATED:20240101T120000Z",
        "AALARM:20240101T120000Z",
        "CATEGORIES:MEETING",
        "ATTENDEE;CN=\"Team\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:",
        "ORGANIZER;CN=\"Organizer\":mailto:",
        "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR;UNTIL=20241231T235959Z",
        "EXDATE;TZID=Europe/Berlin:20240101T090000",
        "RECURRENCE-ID;TZID=Europe/Berlin:20240101T090000",
        "TRANSP:OPAQUE",
        "CLASS:PUBLIC",
        "PRIORITY:0",
        "SEQUENCE:0",
        "STATUS:CONFIRMED",
        "LOCATION:Conference Room",
        "DESCRIPTION:",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "TRIGGER;VALUE=DURATION;RELATED=START:-PT15M",
        "DESCRIPTION:Reminder",
        "END:VALARM",
        "DTSTAMP:20240101T120000Z",
        "CREATED:20240101T120000Z",
        "LAST-MODIFIED:20240101T120000Z",
        "UID:20240101T120000Z-1234@example.com",
        "SUMMARY:",
        "DTSTART;VALUE=DATE:20240101",
        "DTEND;VALUE=DATE:20240102",
        "DTSTART;TZID=Europe/Berlin:20240101T090000",
        "DTEND;TZID=Europe/Berlin:20240101T100000",
        "DTSTART:20240101T090000Z",
        "DTEND:20240101T100000Z",
        "END:VEVENT",
        "VERSION:2.0",
        "END:VCALENDAR",
        // vCard 2.1 (phones, older address books).
        "BEGIN:VCARD",
        "VERSION:2.1",
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:",
        "FN;CHARSET=UTF-8:",
        "TEL;PREF;CELL;VOICE:+",
        "TEL;HOME;VOICE:+",
        "TEL;WORK;VOICE:+",
        "TEL;WORK;FAX:+",
        "EMAIL;PREF;INTERNET:",
        "ADR;HOME;CHARSET=UTF-8:;;",
        "ADR;WORK:;;",
        "X-IRMC-LUID:000000000001",
        "END:VCARD",
        // vCard 3.0 (Evolution, SyncEvolution, most servers); the most common last.
        "BEGIN:VCARD",
        "VERSION:3.0",
        "PRODID:-//Apple Inc.//iOS 17.0//EN",
        "PRODID:-//Ximian//NONSGML Evolution Contacts//EN",
        "X-EVOLUTION-FILE-AS:",
        "X-EVOLUTION-BLOG-URL:",
        "X-MOZILLA-HTML:FALSE",
        "X-AIM;TYPE=HOME:",
        "X-JABBER;TYPE=HOME:",
        "X-SKYPE:",
        "IMPP;X-SERVICE-TYPE=Skype;TYPE=HOME:skype:",
        "URL;TYPE=HOME:http://www.",
        "URL;TYPE=WORK:https://www.example.com/",
        "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/",
        "GEO:52.520008;13.404954",
        "CATEGORIES:Business,Family,Friends,VIP",
        "ROLE:",
        "TITLE:Manager",
        "ORG:Example GmbH;Sales",
        "NICKNAME:",
        "BDAY:1970-01-01",
        "ANNIVERSARY:2000-01-01",
        "NOTE:Met at the conference. Call back on Monday.",
        "LABEL;TYPE=WORK:",
        "ADR;TYPE=WORK:;;Hauptstraße 1;Berlin;;10115;Germany",
        "ADR;TYPE=HOME:;;1 Main Street;Springfield;IL;62701;USA",
        "TEL;TYPE=WORK,FAX:+49 30 1234567",
        "TEL;TYPE=WORK,VOICE:+49 30 1234567",
        "TEL;TYPE=HOME,VOICE:+1 555 0100",
        "TEL;TYPE=CELL:+49 170 1234567",
        "TEL;TYPE=CELL,VOICE,PREF:+1 555 0101",
        "EMAIL;TYPE=INTERNET,WORK:",
        "EMAIL;TYPE=INTERNET,HOME:",
        "EMAIL;TYPE=INTERNET,PREF:",
        "@example.com",
        "@gmail.com",
        "REV:2024-01-01T12:00:00Z",
        "UID:pas-id-",
        "N:;;;;",
        "FN:",
        "END:VCARD",
    ]
}
