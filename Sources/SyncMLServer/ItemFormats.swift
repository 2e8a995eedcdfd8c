import Foundation
import SyncMLCodec
import SyncMLRecords
/// An item's content as the server stores it: the MIME type the client used
/// (SIF unwrapped from base64), and what the records layer derived from it.
struct ReceivedRecord {
    var type: String
    var payload: [UInt8]
    /// Nil when the payload is not a record we parse (text notes, or a record
    /// that failed to parse: kept as sent, compared by its bytes).
    var signature: RecordSignature?
    var fingerprint: Fingerprint

    /// Parses `data` as sent with Meta `type` and `format` (`b64` for SIF).
    init(type rawType: String?, format: String?, data: [UInt8]) {
        let type = (rawType ?? "").lowercased()
        var payload = data
        if format?.lowercased() == "b64", let decoded = try? SIF.decodeBase64(data) { payload = decoded }
        self.type = type.isEmpty ? Self.sniffType(payload) : type
        self.payload = payload
        signature = Self.signature(type: self.type, payload: payload)
        fingerprint = signature?.fingerprint ?? Fingerprint(of: payload)
    }

    init(type: String, payload: [UInt8]) {
        self.init(type: type, format: nil, data: payload)
    }

    /// Its type says vCard, calendar or SIF, yet it does not even begin like one.
    var isNotARecord: Bool {
        guard signature == nil else { return false }
        let start = payload.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }.prefix(6)
        if SIFKind(mimeType: type) != nil { return start.first != UInt8(ascii: "<") }
        guard ItemFormat.isVObject(type) else { return false }
        return String(decoding: start, as: UTF8.self).uppercased() != "BEGIN:"
    }

    static func signature(type: String, payload: [UInt8]) -> RecordSignature? {
        if SIFKind(mimeType: type) != nil {
            guard let record = try? SIF.toVComponent(payload) else { return nil }
            return RecordSignature(record)
        }
        guard ItemFormat.isVObject(type) || type.isEmpty else { return nil }
        return try? RecordSignature(parsing: payload)
    }

    /// The record model, for merging and converting.
    static func component(type: String, payload: [UInt8]) -> VComponent? {
        if SIFKind(mimeType: type) != nil { return try? SIF.toVComponent(payload) }
        return (try? VObjectParser.parse(payload))?.first
    }

    private static func sniffType(_ payload: [UInt8]) -> String {
        let head = String(decoding: payload.prefix(64), as: UTF8.self).uppercased()
        if head.contains("BEGIN:VCARD") { return "text/vcard" }
        if head.contains("BEGIN:VCALENDAR") { return "text/calendar" }
        return "text/plain"
    }
}

/// A content type the server can send to a client, and how to produce it.
struct ItemFormat: Hashable {
    var type: String
    var version: String?

    static let vCard30 = ItemFormat(type: "text/vcard", version: "3.0")
    static let vCard21 = ItemFormat(type: "text/x-vcard", version: "2.1")
    static let vCard40 = ItemFormat(type: "text/vcard", version: "4.0")
    static let iCalendar20 = ItemFormat(type: "text/calendar", version: "2.0")
    static let vCalendar10 = ItemFormat(type: "text/x-vcalendar", version: "1.0")
    static let plainText = ItemFormat(type: "text/plain", version: "1.0")

    static func isVObject(_ type: String) -> Bool {
        ["text/vcard", "text/x-vcard", "text/directory", "text/calendar", "text/x-vcalendar"].contains(type)
    }

    /// The vobject version this format writes, if it is one.
    var vFormat: VFormat? {
        switch (type, version) {
        case ("text/x-vcard", _): .vCard21
        case ("text/vcard", "4.0"): .vCard40
        case ("text/vcard", _), ("text/directory", _): .vCard30
        case ("text/x-vcalendar", _): .vCalendar10
        case ("text/calendar", _): .iCalendar20
        default: nil
        }
    }

    /// The formats a datastore offers, preferred first.
    static func offered(by datastore: String) -> [ItemFormat] {
        switch datastore {
        case "contacts": [.vCard30, .vCard21, .vCard40, ItemFormat(type: SIFKind.contact.mimeType, version: "1.1")]
        case "calendar": [.iCalendar20, .vCalendar10, ItemFormat(type: SIFKind.event.mimeType, version: "1.1")]
        case "tasks": [.iCalendar20, .vCalendar10, ItemFormat(type: SIFKind.task.mimeType, version: "1.1")]
        case "notes": [.plainText, ItemFormat(type: SIFKind.note.mimeType, version: "1.1")]
        default: [.plainText]
        }
    }

    /// What to send a client that prefers `self`: the bytes and the Meta Format
    /// (`b64` for SIF). Records of another family, or that do not parse, go as stored.
    func encode(storedType: String, payload: [UInt8]) -> (type: String, data: [UInt8], format: String?) {
        if let kind = SIFKind(mimeType: type) {
            if storedType == type { return (type, SIF.encodeBase64(payload), "b64") }
            guard let record = ReceivedRecord.component(type: storedType, payload: payload),
                  let sif = try? SIF.fromVComponent(record, as: kind, base64: true) else { return (storedType, payload, nil) }
            return (type, sif, "b64")
        }
        guard let target = vFormat, let record = ReceivedRecord.component(type: storedType, payload: payload) else {
            return (storedType, payload, nil)
        }
        // Parsed once: already in the wanted version, it goes as stored.
        if storedType == type, record.format == target || (record.format == nil && target != .vCard21 && target != .vCalendar10) {
            return (type, payload, nil)
        }
        guard let converted = try? RecordConverter.convert(record, to: target) else { return (storedType, payload, nil) }
        return (type, VObjectWriter.write(converted, as: target), nil)
    }
}
