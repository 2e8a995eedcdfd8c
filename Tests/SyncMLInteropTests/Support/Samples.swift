import Foundation

/// Items a user could have written, as the client's file backend stores them
/// (vCard 3.0, iCalendar 2.0, CRLF).
enum Samples {
    /// A vCard 3.0 with FN and N (from FN's last word) and the given extra lines.
    static func contact(_ name: String, _ properties: String...) -> String {
        let words = name.split(separator: " ")
        let family = words.last.map(String.init) ?? name
        let given = words.dropLast().joined(separator: " ")
        return (["BEGIN:VCARD", "VERSION:3.0", "FN:\(name)", "N:\(family);\(given);;;"] + properties + ["END:VCARD"])
            .joined(separator: "\r\n") + "\r\n"
    }

    static func event(_ summary: String, uid: String, start: String, end: String, _ properties: String...) -> String {
        calendar(["BEGIN:VEVENT", "UID:\(uid)", "DTSTAMP:20250101T000000Z", "DTSTART:\(start)", "DTEND:\(end)", "SUMMARY:\(summary)"]
                 + properties + ["END:VEVENT"])
    }

    static func task(_ summary: String, uid: String, _ properties: String...) -> String {
        calendar(["BEGIN:VTODO", "UID:\(uid)", "DTSTAMP:20250101T000000Z", "SUMMARY:\(summary)"] + properties + ["END:VTODO"])
    }

    private static func calendar(_ component: [String]) -> String {
        (["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//swift-syncml//interop tests//EN"] + component + ["END:VCALENDAR"])
            .joined(separator: "\r\n") + "\r\n"
    }

    // MARK: A small address book and diary

    /// Three contacts (one with non-ASCII text), two events (one recurring), one task.
    static let book: [(Datastore, String, String)] = [
        (.addressbook, "ada.vcf", contact("Ada Lovelace", "TEL;TYPE=CELL:+44 20 7946 0001", "EMAIL;TYPE=INTERNET:ada@example.org")),
        (.addressbook, "grace.vcf", contact("Grace Hopper", "EMAIL;TYPE=INTERNET:grace@example.org", "NOTE:COBOL")),
        (.addressbook, "emilie.vcf", contact("Émilie du Châtelet", "ORG:Académie", "ADR;TYPE=HOME:;;Rue de Paris 1;Paris;;75001;France")),
        (.calendar, "kickoff.ics", event("Project kickoff", uid: "kickoff@interop.test", start: "20250310T090000Z", end: "20250310T100000Z")),
        (.calendar, "review.ics", event("Weekly review", uid: "review@interop.test", start: "20250314T150000Z", end: "20250314T153000Z",
                                        "RRULE:FREQ=WEEKLY;COUNT=4")),
        (.todo, "report.ics", task("Write the report", uid: "report@interop.test", "DUE:20250320T170000Z", "STATUS:NEEDS-ACTION")),
    ]

    /// Writes `book` into a client's (or a server's) item directories.
    static func fill(_ folders: some ItemFolders) throws {
        for (datastore, file, text) in book { try folders.write(text, as: file, in: datastore) }
    }

    /// The sorted titles of `book` in one datastore.
    static func titles(_ datastore: Datastore) -> [String] {
        book.filter { $0.0 == datastore }.compactMap { ItemText.value(of: "FN", in: $0.2) ?? ItemText.value(of: "SUMMARY", in: $0.2) }.sorted()
    }

    // MARK: Large objects

    /// `count` bytes that look like a JPEG (SOI marker, then deterministic noise), base64-encoded.
    static func photo(bytes count: Int) -> String {
        var state: UInt32 = 2_463_534_242
        var bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0]
        while bytes.count < count {
            // xorshift32: incompressible and the same on every run
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            bytes.append(UInt8(truncatingIfNeeded: state))
        }
        return Data(bytes).base64EncodedString()
    }

    /// A contact carrying `photo` as a vCard 3.0 inline PHOTO (one long unfolded line).
    static func contact(_ name: String, photo: String) -> String {
        contact(name, "EMAIL;TYPE=INTERNET:photo@example.org", "PHOTO;ENCODING=b;TYPE=JPEG:\(photo)")
    }
}
