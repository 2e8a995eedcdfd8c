import ArgumentParser
import SyncMLRecords
/// `syncml convert`: records in another version of their format.
struct ConvertRecords: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert vCards and calendars to another version, keeping each record's fingerprint.",
        discussion: "Reads a .vcf/.ics file (a file may hold many records) or a SIF document and writes every record in the target format to standard output (one SIF document per record, each followed by a newline). Contacts convert only to vCard formats and SIF-C, events only to vCalendar/iCalendar and SIF-E, tasks to vCalendar/iCalendar and SIF-T, notes to SIF-N; see docs/RECORDS.md, \"Conversion\" and \"SIF\"."
    )

    /// The formats `--to` accepts.
    enum Target: String, ExpressibleByArgument, CaseIterable {
        case vcard21, vcard30, vcard40, vcal10, ical20, sifc, sife, sift, sifn

        /// A vCard/iCalendar version, or nil for SIF.
        var format: VFormat? {
            switch self {
            case .vcard21: .vCard21
            case .vcard30: .vCard30
            case .vcard40: .vCard40
            case .vcal10: .vCalendar10
            case .ical20: .iCalendar20
            case .sifc, .sife, .sift, .sifn: nil
            }
        }

        var sifKind: SIFKind? {
            switch self {
            case .sifc: .contact
            case .sife: .event
            case .sift: .task
            case .sifn: .note
            default: nil
            }
        }
    }

    @Argument(help: "The .vcf/.ics file.")
    var file: String

    @Option(help: "The target format.")
    var to: Target

    func run() throws {
        try Self.reportingFailures {
            var out: [UInt8] = []
            for (index, record) in try RecordFile.read(file).enumerated() {
                do {
                    if let format = to.format {
                        let converted = try RecordConverter.convert(record, to: format)
                        VObjectWriter.append(converted, as: format, to: &out)
                    } else if let kind = to.sifKind {
                        out.append(contentsOf: try SIF.fromVComponent(record, as: kind))
                        out.append(0x0A)
                    }
                } catch let error as RecordError {
                    throw CommandFailure("\(file)#\(index + 1): \(error.reason)")
                }
            }
            StandardOutput.write(out)
        }
    }
}
