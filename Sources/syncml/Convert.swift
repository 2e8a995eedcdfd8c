import ArgumentParser
import SyncMLCore

/// `syncml convert`: records in another version of their format.
struct ConvertRecords: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert vCards and calendars to another version, keeping each record's fingerprint.",
        discussion: "Reads a .vcf/.ics file (a file may hold many records) and writes every record in the target format to standard output. Contacts convert only to vCard formats, events and tasks only to vCalendar/iCalendar; see docs/RECORDS.md, \"Conversion\"."
    )

    /// The formats `--to` accepts.
    enum Target: String, ExpressibleByArgument, CaseIterable {
        case vcard21, vcard30, vcard40, vcal10, ical20

        var format: VFormat {
            switch self {
            case .vcard21: .vCard21
            case .vcard30: .vCard30
            case .vcard40: .vCard40
            case .vcal10: .vCalendar10
            case .ical20: .iCalendar20
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
                    let converted = try RecordConverter.convert(record, to: to.format)
                    VObjectWriter.append(converted, as: to.format, to: &out)
                } catch let error as RecordError {
                    throw CommandFailure("\(file)#\(index + 1): \(error.reason)")
                }
            }
            StandardOutput.write(out)
        }
    }
}
