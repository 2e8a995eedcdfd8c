import Foundation
package import SyncMLRecords

/// A received item as a record: its MIME type (sniffed from the payload when
/// none was sent), its payload (SIF unwrapped from base64) and what the records
/// layer derives from it. The one rule that turns an item into a fingerprint:
/// the server compares what clients send by it and the client its host's
/// records and the server's, so the two agree on what changed.
///
/// A payload whose type names no record we parse (plain text), or that does
/// not parse, is compared by its bytes.
package struct ReceivedRecord: Sendable {
    /// How much of the record is derived.
    package enum Detail: Sendable, Hashable {
        /// The canonical form's fingerprint alone: the client's mirror compares
        /// by fingerprint only and keeps no match keys, so it skips them (they
        /// cost as much again as the canonical form).
        case fingerprint
        /// The full signature: fingerprint and match keys, which the server
        /// stores to pair a slow sync's records that are written differently.
        case signature
    }

    package var type: String
    package var payload: [UInt8]
    /// The signature, with `.signature` detail when the payload parses as a record.
    package var signature: RecordSignature?
    package var fingerprint: Fingerprint
    /// Whether the payload parsed as a record of its type.
    package var isParsed: Bool

    /// Reads `data` as sent with Meta `type` and `format` (`b64` for SIF).
    package init(type rawType: String?, format: String?, data: [UInt8], detail: Detail = .signature) {
        let given = rawType ?? ""
        // Lower-cased only when it has capitals: the client fingerprints every host record by this rule.
        let type = given.utf8.contains(where: { (0x41...0x5A).contains($0) }) ? given.lowercased() : given
        var payload = data
        if format?.lowercased() == "b64", let decoded = try? SIF.decodeBase64(data) { payload = decoded }
        self.type = type.isEmpty ? Self.sniffType(payload) : type
        self.payload = payload
        if Self.isVObject(self.type), let scanned = Self.scannedContact(payload, detail: detail) {
            isParsed = true
            signature = scanned.signature
            fingerprint = scanned.fingerprint
            return
        }
        let record = Self.parsedRecord(type: self.type, payload: payload)
        isParsed = record != nil
        switch (record, detail) {
        case (let record?, .signature):
            let signature = RecordSignature(record)
            self.signature = signature
            fingerprint = signature.fingerprint
        case (let record?, .fingerprint):
            signature = nil
            fingerprint = CanonicalRecord(record).fingerprint
        case (nil, _):
            signature = nil
            fingerprint = Fingerprint(of: payload)
        }
    }

    /// A record as stored (its payload is not base64).
    package init(type: String, payload: [UInt8], detail: Detail = .signature) {
        self.init(type: type, format: nil, data: payload, detail: detail)
    }

    /// The fingerprint of a record as stored: of its canonical form when it parses, else of its bytes.
    package static func fingerprint(type: String, payload: [UInt8]) -> Fingerprint {
        ReceivedRecord(type: type, payload: payload, detail: .fingerprint).fingerprint
    }

    /// Its type says vCard, calendar or SIF, yet it does not even begin like one.
    package var isNotARecord: Bool {
        guard !isParsed else { return false }
        let start = payload.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }.prefix(6)
        if SIFKind(mimeType: type) != nil { return start.first != UInt8(ascii: "<") }
        guard Self.isVObject(type) else { return false }
        return String(decoding: start, as: UTF8.self).uppercased() != "BEGIN:"
    }

    /// Whether `type` (lower-cased) is a vCard or vCalendar/iCalendar type.
    package static func isVObject(_ type: String) -> Bool {
        switch type {
        case "text/vcard", "text/x-vcard", "text/directory", "text/calendar", "text/x-vcalendar": true
        default: false
        }
    }

    /// The record model of a payload of `type`, for merging and converting: SIF
    /// or vCard/iCalendar, whatever vobject a non-SIF type holds.
    package static func component(type: String, payload: [UInt8]) -> VComponent? {
        if SIFKind(mimeType: type) != nil { return try? SIF.toVComponent(payload) }
        return (try? VObjectParser.parse(payload))?.first
    }

    /// What a plain vCard signs to, straight from its bytes (the same as
    /// parsing it gives, without building the model); nil for anything else.
    private static func scannedContact(_ payload: [UInt8], detail: Detail) -> (signature: RecordSignature?, fingerprint: Fingerprint)? {
        switch detail {
        case .signature:
            guard let signature = RecordSignature.scanningContact(payload) else { return nil }
            return (signature, signature.fingerprint)
        case .fingerprint:
            guard let canonical = CanonicalRecord.scanningContact(payload) else { return nil }
            return (nil, canonical.fingerprint)
        }
    }

    /// The record the fingerprint is taken of: parsed only when the type names
    /// a record (a vobject or SIF type; a missing type was sniffed).
    private static func parsedRecord(type: String, payload: [UInt8]) -> VComponent? {
        if SIFKind(mimeType: type) != nil { return try? SIF.toVComponent(payload) }
        guard isVObject(type) else { return nil }
        return (try? VObjectParser.parse(payload))?.first
    }

    private static func sniffType(_ payload: [UInt8]) -> String {
        let head = String(decoding: payload.prefix(64), as: UTF8.self).uppercased()
        if head.contains("BEGIN:VCARD") { return "text/vcard" }
        if head.contains("BEGIN:VCALENDAR") { return "text/calendar" }
        return "text/plain"
    }
}
