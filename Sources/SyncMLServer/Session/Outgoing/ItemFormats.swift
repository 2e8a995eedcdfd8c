import SyncMLCodec
import SyncMLRecords
import SyncMLProtocol

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
    func encode(storedType: String, payload: [UInt8]) -> OutgoingPayload {
        let asStored = OutgoingPayload(type: storedType, data: payload)
        if let kind = SIFKind(mimeType: type) {
            if storedType == type { return OutgoingPayload(type: type, format: "b64", data: SIF.encodeBase64(payload)) }
            guard let record = ReceivedRecord.component(type: storedType, payload: payload),
                  let sif = try? SIF.fromVComponent(record, as: kind, base64: true) else { return asStored }
            return OutgoingPayload(type: type, format: "b64", data: sif)
        }
        guard let target = vFormat, let record = ReceivedRecord.component(type: storedType, payload: payload) else { return asStored }
        // Parsed once: already in the wanted version, it goes as stored.
        if storedType == type, record.format == target || (record.format == nil && target != .vCard21 && target != .vCalendar10) {
            return OutgoingPayload(type: type, data: payload)
        }
        guard let converted = try? RecordConverter.convert(record, to: target) else { return asStored }
        return OutgoingPayload(type: type, data: VObjectWriter.write(converted, as: target))
    }
}

extension ItemFormat {
    /// The format a client gets for a datastore: what its DevInf prefers to
    /// receive, if the server can write it; else the type it sent in; else as stored.
    static func preferred(by devInf: DevInf?, for datastore: DatastoreState, storedType: String) -> ItemFormat {
        let offered = offered(by: datastore.name)
        func supported(_ type: ContentTypeVersion?) -> ItemFormat? {
            guard let type else { return nil }
            let lowered = type.type.lowercased()
            return offered.first { $0.type == lowered && (type.version == nil || $0.version == type.version) }
                ?? offered.first { $0.type == lowered }
        }
        if let devInf {
            let uri = normalized(datastore.clientURI)
            if let store = devInf.dataStores.first(where: { normalized($0.sourceRef) == uri }) {
                if let format = supported(store.rxPref) { return format }
                for type in store.rx { if let format = supported(type) { return format } }
            }
        }
        if let type = datastore.clientItemType, let format = offered.first(where: { $0.type == type }) { return format }
        return offered.first { $0.type == storedType } ?? ItemFormat(type: storedType, version: nil)
    }

    /// A DevInf SourceRef or datastore URI compared without case or leading `./`.
    private static func normalized(_ uri: String) -> String {
        var text = Substring(uri.lowercased())
        while text.hasPrefix("./") { text = text.dropFirst(2) }
        return String(text)
    }
}
