import ArgumentParser
import SyncMLCodec
import SyncMLRecords
import SyncMLSampleData

/// `syncml generate`: deterministic sample data for benchmarks and load tests.
/// Everything is written as it is generated: a million records need no more
/// memory than one (except a WBXML message, see `contacts`).
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate deterministic sample data: contacts, events, tasks, slow-sync messages.",
        subcommands: [Contacts.self, VCards.self, Events.self, Tasks.self]
    )

    /// `--version` of the contact commands.
    enum VCardVersion: String, ExpressibleByArgument, CaseIterable {
        case v21 = "2.1", v30 = "3.0", v40 = "4.0"

        var format: VFormat {
            switch self {
            case .v21: .vCard21
            case .v30: .vCard30
            case .v40: .vCard40
            }
        }
    }

    /// `syncml generate contacts`: one slow-sync message.
    struct Contacts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a client's slow-sync message (message 2) with N contacts, one Add each.",
            discussion: "The message is written as it is generated, so memory stays small for XML; WBXML is held whole until written (its string table comes first). The same --count, --seed and --version always give the same bytes."
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case wbxml, xml
        }

        @Option(help: "Number of contacts.")
        var count: Int

        @Option(help: "Seed of the generator.")
        var seed: UInt64 = 1

        @Option(help: "Output format: wbxml or xml.")
        var format: Format = .wbxml

        @Option(help: "vCard version of the contacts: 2.1 (quoted-printable, text/x-vcard), 3.0 or 4.0.")
        var version: VCardVersion = .v30

        @Option(name: .shortAndLong, help: "Output file, or - for standard output.")
        var output: String = "-"

        func validate() throws {
            guard count >= 0 else { throw ValidationError("--count must not be negative") }
        }

        func run() throws {
            try Self.reportingFailures {
                let sink = try ByteSink(path: output)
                var encoder = SyncMLEncoder(encoding: format == .wbxml ? .wbxml : .xml, version: .v1_2)
                var pending = 0
                for event in SampleMessages.slowSyncEvents(contacts: count, seed: seed, format: version.format) {
                    encoder.encode(event)
                    pending += 1
                    if format == .xml, pending == 1_000 {
                        try sink.write(encoder.takeOutput())
                        pending = 0
                    }
                }
                try sink.write(encoder.takeOutput())
                try sink.close()
            }
        }
    }

    /// `syncml generate vcards`: one `.vcf` file per contact.
    struct VCards: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vcards",
            abstract: "Write N contacts as DIR/1.vcf ... DIR/N.vcf (the same contacts as 'generate contacts').",
            discussion: """
                Book b is the other side of the duplicate scenario: with --overlap P, P % of its contacts \
                (evenly spread) are people of book a of the same seed, written differently (another \
                UID/REV/PRODID; some with reformatted phone numbers, e-mail case, property order, default \
                types or a missing optional field); the rest are new people. b/i.vcf is then the same person \
                as a/i.vcf; --twins FILE lists those file names. Write the books in different --version \
                for a version difference too.
                """
        )

        enum Book: String, ExpressibleByArgument, CaseIterable {
            case a, b
        }

        @Option(help: "Number of contacts.")
        var count: Int

        @Option(help: "Seed of the generator (book b: the seed of the book a it overlaps).")
        var seed: UInt64 = 1

        @Option(help: "Directory to write into (created if missing).")
        var directory: String

        @Option(help: "vCard version: 2.1 (quoted-printable, as phones write it), 3.0 or 4.0.")
        var version: VCardVersion = .v30

        @Option(help: "a: the generator's contacts; b: a book overlapping a (needs --overlap).")
        var book: Book = .a

        @Option(help: "Book b: percentage (0-100) of its contacts that are book a's people, written differently.")
        var overlap: Int?

        @Option(help: "Book b: write the file names of the contacts that are book a's people to this file.")
        var twins: String?

        func validate() throws {
            guard count >= 0 else { throw ValidationError("--count must not be negative") }
            switch book {
            case .a:
                guard overlap == nil, twins == nil else { throw ValidationError("--overlap and --twins are for --book b") }
            case .b:
                guard let overlap else { throw ValidationError("--book b needs --overlap P") }
                guard (0...100).contains(overlap) else { throw ValidationError("--overlap is a percentage, 0 to 100") }
            }
        }

        func run() throws {
            try Self.reportingFailures {
                try makeDirectory(directory)
                switch book {
                case .a:
                    var contacts = ContactBook(seed: seed, format: version.format)
                    try writeFiles(count: count, directory: directory, fileExtension: "vcf") { _ in contacts.next() }
                case .b:
                    var contacts = OverlappingContactBook(seed: seed, percent: overlap ?? 0, format: version.format)
                    var twinNames: [UInt8] = []
                    try writeFiles(count: count, directory: directory, fileExtension: "vcf") { _ in
                        let record = contacts.next()
                        if let twin = record.twin { twinNames += Array("\(twin).vcf\n".utf8) }
                        return record.bytes
                    }
                    if let twins {
                        let sink = try ByteSink(path: twins)
                        try sink.write(twinNames)
                        try sink.close()
                    }
                }
            }
        }
    }

    /// `--format` of the calendar commands.
    enum CalendarFormat: String, ExpressibleByArgument, CaseIterable {
        case ical, vcal

        var format: VFormat { self == .ical ? .iCalendar20 : .vCalendar10 }
    }

    /// What `generate events` and `generate tasks` take: how many, the seed, where, which format.
    struct CalendarOptions: ParsableArguments {
        @Option(help: "Number of records.")
        var count: Int

        @Option(help: "Seed of the generator.")
        var seed: UInt64 = 1

        @Option(help: "Directory to write into (created if missing).")
        var directory: String

        @Option(help: "ical (iCalendar 2.0, .ics) or vcal (vCalendar 1.0, quoted-printable, .vcs).")
        var format: CalendarFormat = .ical

        func validate() throws {
            guard count >= 0 else { throw ValidationError("--count must not be negative") }
        }

        /// Writes `count` records made by `next` in the chosen format.
        func write(_ next: (VFormat) -> [UInt8]) throws {
            try makeDirectory(directory)
            let target = format.format
            try writeFiles(count: count, directory: directory, fileExtension: SampleRecordWriter.fileExtension(for: target)) { _ in
                next(target)
            }
        }
    }

    /// `syncml generate events`: one `.ics` / `.vcs` file per appointment.
    struct Events: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write N appointments as DIR/1.ics ... (iCalendar 2.0) or DIR/1.vcs ... (vCalendar 1.0).",
            discussion: "Some all-day, some in a named time zone, some recurring, some with an alarm. The same --count and --seed give the same events in both formats."
        )

        @OptionGroup var options: CalendarOptions

        func run() throws {
            try Self.reportingFailures {
                var events = EventGenerator(seed: options.seed)
                try options.write { events.next(as: $0) }
            }
        }
    }

    /// `syncml generate tasks`: one `.ics` / `.vcs` file per to-do.
    struct Tasks: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write N tasks as DIR/1.ics ... (iCalendar 2.0) or DIR/1.vcs ... (vCalendar 1.0).",
            discussion: "With due dates, priorities and a status; some completed. The same --count and --seed give the same tasks in both formats."
        )

        @OptionGroup var options: CalendarOptions

        func run() throws {
            try Self.reportingFailures {
                var tasks = TaskGenerator(seed: options.seed)
                try options.write { tasks.next(as: $0) }
            }
        }
    }
}

/// Writes `DIR/1.ext` … `DIR/count.ext`, each record generated just before it is written.
private func writeFiles(
    count: Int, directory: String, fileExtension: String, next: (Int) throws(CommandFailure) -> [UInt8]
) throws(CommandFailure) {
    guard count > 0 else { return }
    for index in 1...count {
        let sink = try ByteSink(path: "\(directory)/\(index).\(fileExtension)")
        try sink.write(try next(index))
        try sink.close()
    }
}
