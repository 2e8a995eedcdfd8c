import ArgumentParser
import SyncMLCore
import SyncMLSampleData

/// `syncml generate`: deterministic sample data for benchmarks and load tests.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate deterministic sample data (seeded vCard 3.0 contacts).",
        subcommands: [Contacts.self, VCards.self]
    )

    /// `syncml generate contacts`: one slow-sync message.
    struct Contacts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a client's slow-sync message (message 2) with N contacts, one Add each.",
            discussion: "The message is written as it is generated, so memory stays small for XML; WBXML is held whole until written (its string table comes first). The same --count and --seed always give the same bytes."
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
                for event in SampleMessages.slowSyncEvents(contacts: count, seed: seed) {
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
            abstract: "Write N contacts as DIR/1.vcf ... DIR/N.vcf (the same contacts as 'generate contacts')."
        )

        @Option(help: "Number of contacts.")
        var count: Int

        @Option(help: "Seed of the generator.")
        var seed: UInt64 = 1

        @Option(help: "Directory to write into (created if missing).")
        var directory: String

        func validate() throws {
            guard count >= 0 else { throw ValidationError("--count must not be negative") }
        }

        func run() throws {
            try Self.reportingFailures {
                try makeDirectory(directory)
                var generator = ContactGenerator(seed: seed)
                for index in 1...max(count, 1) where count > 0 {
                    let sink = try ByteSink(path: "\(directory)/\(index).vcf")
                    try sink.write(generator.next())
                    try sink.close()
                }
            }
        }
    }
}
