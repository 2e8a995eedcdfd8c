/// How a record was written: a vCard/vCalendar version or an Outlook SIF
/// document. A merged record is written back the way its survivor was.
public enum RecordEncoding: Hashable, Sendable, CustomStringConvertible {
    /// A vCard or vCalendar/iCalendar version.
    case vObject(VFormat)
    /// An Outlook plug-in SIF document.
    case sif(SIFKind)

    /// For people: `vCard 3.0`, `SIF (text/x-s4j-sifc)`.
    public var description: String {
        switch self {
        case .vObject(let format): format.displayName
        case .sif(let kind): "SIF (\(kind.mimeType))"
        }
    }

    /// The MIME type a store or a SyncML peer gives records written this way.
    public var mimeType: String {
        switch self {
        case .vObject(.vCard21): "text/x-vcard"
        case .vObject(.vCard30), .vObject(.vCard40): "text/vcard"
        case .vObject(.vCalendar10): "text/x-vcalendar"
        case .vObject(.iCalendar20): "text/calendar"
        case .sif(let kind): kind.mimeType
        }
    }
}

/// A record as it was read: the caller's id, the model, and how it was written.
public struct DuplicateRecord: Hashable, Sendable {
    /// The caller's id: a file name, a GUID, a host id.
    public var id: String
    /// The parsed record.
    public var record: VComponent
    /// How it was written.
    public var encoding: RecordEncoding

    /// A record read as `encoding`.
    public init(id: String, record: VComponent, encoding: RecordEncoding) {
        self.id = id
        self.record = record
        self.encoding = encoding
    }

    /// The record as the duplicate finder compares it.
    public var candidate: DuplicateCandidate { DuplicateCandidate(id: id, record: record) }
}

/// Reading and writing the records of a payload, whatever the format.
public enum RecordPayload {
    /// The records in `bytes`: a SIF document (by `type`, or when it starts with `<`)
    /// or one or more vCards / vCalendars. Text notes and other types are not records: nil.
    public static func parse(_ bytes: some Collection<UInt8>, type: String? = nil) throws(RecordError) -> [(record: VComponent, encoding: RecordEncoding)]? {
        let lowered = (type ?? "").lowercased()
        let start = bytes.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }
        if let kind = SIFKind(mimeType: lowered) {
            return [(try SIF.toVComponent(bytes), .sif(kind))]
        }
        if start.first == UInt8(ascii: "<") {
            let item = try SIF.parse(bytes)
            return [(SIF.toVComponent(item), .sif(item.kind))]
        }
        if !lowered.isEmpty, !["text/vcard", "text/x-vcard", "text/directory", "text/calendar", "text/x-vcalendar"].contains(lowered) {
            return nil
        }
        return try VObjectParser.parse(bytes).map { record in
            (record, .vObject(record.format ?? (record.name == "VCARD" ? .vCard30 : .iCalendar20)))
        }
    }

    /// `record` written as `encoding` (its model must already be in that version; see `RecordConverter`).
    public static func write(_ record: VComponent, as encoding: RecordEncoding) throws(RecordError) -> [UInt8] {
        switch encoding {
        case .vObject(let format): VObjectWriter.write(record, as: format)
        case .sif(let kind): try SIF.fromVComponent(record, as: kind)
        }
    }

    /// The version a record's model is in while it is merged: its own, or for SIF
    /// the vCard 3.0 / iCalendar 2.0 it reads as.
    static func modelFormat(_ encoding: RecordEncoding, kind: RecordKind) -> VFormat {
        switch encoding {
        case .vObject(let format): format
        case .sif: kind == .contact ? .vCard30 : .iCalendar20
        }
    }
}
