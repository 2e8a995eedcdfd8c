package import Foundation
package import SyncMLCodec
package import SyncMLProtocol
import SyncMLRecords

/// What becomes of an item both sides changed since the device's last sync.
/// The incoming room applies it (`ServerSession.resolveConflict`).
package enum ConflictDecision {
    /// The server's version stays current and goes back to the client; the client's is journaled only.
    case keepServer
    /// The client's version replaces the server's.
    case takeClient
    /// Both merged field by field (the client's value winning a field both set): the client's
    /// version is journaled, then this merge becomes current and goes to every device.
    case merge(ReceivedRecord)
    /// Both kept: the client's becomes an item of its own; the server's goes to the client as an Add.
    case duplicate

    /// The status answering the client's edit (OMA DS 1.2 §10: 419, 208, 207, 209).
    package var status: StatusCode {
        switch self {
        case .keepServer: .conflictResolvedWithServerData
        case .takeClient: .conflictResolvedWithClientWinning
        case .merge: .conflictResolvedWithMerge
        case .duplicate: .conflictResolvedWithDuplicate
        }
    }
}

/// The server's current version of an item in conflict.
package struct ServerVersion {
    /// Its content type and payload (nil when the store holds none).
    package var type: String
    package var payload: [UInt8]?
    /// When the server's change was journaled (what `newestWins` compares with).
    package var changed: Date

    package init(type: String, payload: [UInt8]?, changed: Date) {
        self.type = type
        self.payload = payload
        self.changed = changed
    }
}

/// Conflict resolution as a pure function of the two versions and the
/// policy: no store, no session state, so every policy can be tested alone.
package enum ConflictResolution {
    /// The client edited what the server changed too.
    package static func resolve(client: ReceivedRecord, server: ServerVersion, policy: ConflictPolicy) -> ConflictDecision {
        switch policy {
        case .clientWins:
            return .takeClient
        case .serverWins:
            return .keepServer
        case .newestWins:
            return isNewer(client, than: server.changed) ? .takeClient : .keepServer
        case .merge:
            // Nothing to merge with, or a merge that adds nothing to the client's version: the client's stands.
            guard let payload = server.payload, let merged = merged(client, ReceivedRecord(type: server.type, payload: payload)),
                  merged.fingerprint != client.fingerprint else {
                return .takeClient
            }
            return .merge(merged)
        case .duplicate:
            return .duplicate
        }
    }

    /// The client deleted what the server changed: only `clientWins` lets the delete
    /// through; under every other policy the edit wins and the item goes back to the client.
    package static func resolveDelete(policy: ConflictPolicy) -> ConflictDecision {
        policy == .clientWins ? .takeClient : .keepServer
    }

    /// Client and server versions merged field by field, the client's values winning, in the client's format.
    package static func merged(_ client: ReceivedRecord, _ server: ReceivedRecord) -> ReceivedRecord? {
        guard let clientRecord = ReceivedRecord.component(type: client.type, payload: client.payload),
              let serverRecord = ReceivedRecord.component(type: server.type, payload: server.payload) else { return nil }
        let merged = RecordMerger.merge(clientRecord, serverRecord, winner: .first)
        if let kind = SIFKind(mimeType: client.type) {
            guard let bytes = try? SIF.fromVComponent(merged, as: kind) else { return nil }
            return ReceivedRecord(type: client.type, payload: bytes)
        }
        let format = clientRecord.format ?? (clientRecord.name == "VCARD" ? .vCard30 : .iCalendar20)
        return ReceivedRecord(type: client.type, payload: VObjectWriter.write(merged, as: format))
    }

    /// Whether the client's record says it was modified after `time` (REV or LAST-MODIFIED); without either, it is not.
    package static func isNewer(_ record: ReceivedRecord, than time: Date) -> Bool {
        guard let component = ReceivedRecord.component(type: record.type, payload: record.payload) else { return false }
        let stamp = component.first("REV")?.value ?? component.first("LAST-MODIFIED")?.value
            ?? component.components.first?.first("LAST-MODIFIED")?.value
        guard let stamp else { return false }
        let digits = stamp.filter(\.isNumber)
        guard digits.count >= 14 else { return false }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss"
        guard let date = formatter.date(from: String(digits.prefix(14))) else { return false }
        return date > time
    }
}
