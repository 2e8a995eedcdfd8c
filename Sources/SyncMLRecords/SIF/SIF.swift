/// SIF: the XML item formats of the Funambol / Sync4j Outlook plug-ins
/// (`text/x-s4j-sifc`, `-sife`, `-sift`, `-sifn`), read and written, and converted
/// to and from the vCard / iCalendar model so that the engine compares, matches and
/// merges Outlook's items like any other (docs/RECORDS.md, "SIF").
///
/// A SIF item is a flat XML document: a root element naming the kind
/// (`<contact>`, `<appointment>`, `<task>`, `<note>`) holding one element per Outlook
/// field (`<FirstName>John</FirstName>`), plus `<SIFVersion>`. The only nesting is in
/// appointments and tasks: `<Exceptions>` (and SIF 1.2's `<Timezone>`). Items usually
/// travel base64-encoded in `<Data>` with Meta Format `b64`; see ``SIF/decodeBase64(_:)``.

/// The four SIF item kinds.
public enum SIFKind: String, Hashable, Sendable, CaseIterable {
    /// SIF-C: an Outlook contact.
    case contact
    /// SIF-E: an Outlook appointment.
    case event
    /// SIF-T: an Outlook task.
    case task
    /// SIF-N: an Outlook note.
    case note

    /// The MIME type peers put in Meta Type (`text/x-s4j-sifc`…).
    public var mimeType: String {
        switch self {
        case .contact: "text/x-s4j-sifc"
        case .event: "text/x-s4j-sife"
        case .task: "text/x-s4j-sift"
        case .note: "text/x-s4j-sifn"
        }
    }

    /// The kind a MIME type names (case-insensitive), or nil.
    package init?(mimeType: String) {
        let lowered = mimeType.trimmingASCIIWhitespace().lowercased()
        guard let kind = SIFKind.allCases.first(where: { $0.mimeType == lowered }) else { return nil }
        self = kind
    }

    /// The document's root element.
    package var rootElement: String {
        switch self {
        case .contact: "contact"
        case .event: "appointment"
        case .task: "task"
        case .note: "note"
        }
    }

    init?(rootElement: String) {
        guard let kind = SIFKind.allCases.first(where: { $0.rootElement == rootElement }) else { return nil }
        self = kind
    }
}

/// One field of a SIF item: `<Name>value</Name>`, or a group such as
/// `<Exceptions>` whose content is further fields.
package struct SIFField: Hashable, Sendable {
    /// The element name, case as written (XML names are case-sensitive).
    package var name: String
    /// The text content with references resolved, verbatim otherwise (no trimming).
    /// Empty for a group.
    package var value: String
    /// The child elements of a group, in order; empty for a plain field.
    package var children: [SIFField]

    package init(_ name: String, _ value: String, children: [SIFField] = []) {
        self.name = name
        self.value = value
        self.children = children
    }
}

/// A parsed SIF item: its kind and its fields in document order.
package struct SIFItem: Hashable, Sendable {
    package var kind: SIFKind
    /// Every child of the root, `<SIFVersion>` included, in order.
    package var fields: [SIFField]

    package init(kind: SIFKind, fields: [SIFField] = []) {
        self.kind = kind
        self.fields = fields
    }

    /// The value of the first field with this exact name.
    package subscript(name: String) -> String? {
        get { fields.first { $0.name == name }?.value }
        set {
            if let index = fields.firstIndex(where: { $0.name == name }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append(SIFField(name, newValue))
            }
        }
    }

    /// The fields as a dictionary (first occurrence of each name wins; groups give "").
    package var dictionary: [String: String] {
        var result: [String: String] = [:]
        for field in fields where result[field.name] == nil { result[field.name] = field.value }
        return result
    }
}

/// Reading, writing and converting SIF items.
///
/// The item model and the conversions are here; reading is in `SIF+Parsing.swift`,
/// writing in `SIF+Writing.swift`, base64 in `SIF+Base64.swift`, the field mapping
/// in `SIFContact.swift` and `SIFCalendar*.swift`.
public enum SIF {
    /// The `SIFVersion` written (what the Funambol plug-ins for Outlook send).
    public static let version = "1.1"
    /// Largest item accepted, in bytes (before base64 decoding: 4/3 of it). A photo at
    /// SyncML's usual `MaxObjSize` fits.
    package static let maxItemBytes = 8 << 20

    // MARK: - Conversions

    /// A SIF item (plain XML, or base64 text if `base64`) as a vCard 3.0 (SIF-C) or an
    /// iCalendar 2.0 `VCALENDAR` holding one `VEVENT` (SIF-E), `VTODO` (SIF-T) or
    /// `VJOURNAL` (SIF-N). docs/RECORDS.md, "SIF", has the field mapping.
    public static func toVComponent(_ bytes: some Collection<UInt8>, base64: Bool = false) throws(RecordError) -> VComponent {
        let item = base64 ? try parse(base64: bytes) : try parse(bytes)
        return toVComponent(item)
    }

    /// A parsed SIF item as a vCard 3.0 or an iCalendar 2.0 `VCALENDAR`.
    package static func toVComponent(_ item: SIFItem) -> VComponent {
        switch item.kind {
        case .contact: SIFContact.vCard(item)
        case .event, .task, .note: SIFCalendar.vCalendar(item)
        }
    }

    /// `record` as a SIF document of `kind` (base64 text if `base64`).
    ///
    /// `record` must fit the kind: a `VCARD` for `.contact`; a `VCALENDAR` (or the bare
    /// component) holding a `VEVENT` for `.event`, a `VTODO` for `.task`, a `VJOURNAL`
    /// (or, failing that, any component with a `SUMMARY`/`DESCRIPTION`) for `.note`.
    /// Anything else is a ``RecordError`` (`.malformedLine`).
    public static func fromVComponent(_ record: VComponent, as kind: SIFKind, base64: Bool = false) throws(RecordError) -> [UInt8] {
        let document = write(try item(from: record, as: kind))
        return base64 ? encodeBase64(document) : document
    }

    /// `record` as a SIF item of `kind`; see ``fromVComponent(_:as:base64:)``.
    package static func item(from record: VComponent, as kind: SIFKind) throws(RecordError) -> SIFItem {
        switch kind {
        case .contact:
            guard record.name == "VCARD" else {
                throw RecordError(.malformedLine, line: 1, "SIF-C needs a VCARD, not a \(record.name)")
            }
            return SIFContact.item(record)
        case .event, .task, .note:
            return try SIFCalendar.item(record, as: kind)
        }
    }
}
