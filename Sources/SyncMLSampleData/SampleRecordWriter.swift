import SyncMLCodec
package import SyncMLRecords
/// A generated record as the bytes of a device that writes `format`.
///
/// The generators build vCard 3.0 and iCalendar 2.0; other versions are
/// SyncMLRecords' conversions of them (`RecordConverter`, so a version changes
/// no fingerprint), written by `VObjectWriter` for 3.0, 4.0 and 2.0 and by
/// ``PhoneStyleWriter`` (quoted-printable) for 2.1 and 1.0.
package enum SampleRecordWriter {
    package static func bytes(_ record: VComponent, as format: VFormat) -> [UInt8] {
        var record = record
        if record.format != format {
            do {
                record = try RecordConverter.convert(record, to: format)
            } catch {
                preconditionFailure("a generated \(record.name) converts to \(format.displayName): \(error)")
            }
        }
        return format.isLegacy ? PhoneStyleWriter.write(record) : VObjectWriter.write(record, as: format)
    }

    /// The one record in `bytes`, which the generators wrote themselves.
    static func parse(_ bytes: [UInt8]) -> VComponent {
        do {
            guard let record = try VObjectParser.parse(bytes).first else { preconditionFailure("no record") }
            return record
        } catch {
            preconditionFailure("a generated record parses: \(error)")
        }
    }

    /// The file name extension of one record in `format`.
    package static func fileExtension(for format: VFormat) -> String {
        switch format {
        case .vCard21, .vCard30, .vCard40: "vcf"
        case .iCalendar20: "ics"
        case .vCalendar10: "vcs"
        }
    }

    /// The type SyncML's `Meta/Type` gives `format` (OMA DS 1.2 DevInf §5.3.4).
    package static func mimeType(for format: VFormat) -> String {
        switch format {
        case .vCard21: "text/x-vcard"
        case .vCard30, .vCard40: "text/vcard"
        case .vCalendar10: "text/x-vcalendar"
        case .iCalendar20: "text/calendar"
        }
    }
}
