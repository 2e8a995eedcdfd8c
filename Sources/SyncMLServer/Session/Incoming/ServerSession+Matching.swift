import Foundation
import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLRecords
import SyncMLStore

/// Add-or-match: an item the server does not know by its LUID may be one it
/// already holds: the same fingerprint in every mode, or paired by the
/// matcher's keys in slow and refresh syncs.
extension ServerSession {
    enum Match {
        /// Equal fingerprints: the same record.
        case same(String)
        /// Paired by the matcher's keys: the same contact or event, written differently.
        case similar(String, ReceivedRecord)
    }

    /// The server item an unknown client item is, if any: equal fingerprint in
    /// every mode; in slow and refresh syncs also the matcher's key pairing.
    /// Items already paired in this session, or mapped to another LUID of the device, are not candidates.
    func findMatch(for record: ReceivedRecord, in datastore: DatastoreState, device: DeviceID) async throws -> Match? {
        for item in try await store.items(withFingerprint: record.fingerprint, datastore: datastore.id)
        where try await isFree(item.guid, in: datastore, device: device) {
            return .same(item.guid)
        }
        guard datastore.mode.isFull, let signature = record.signature else { return nil }
        var candidates: [RecordMatcher.Entry] = []
        var records: [String: ReceivedRecord] = [:]
        // Bounded per key: a name or number thousands share must not make matching quadratic. A candidate
        // found by an e-mail or phone alone must be found by two of them (the matcher's rule) before it is
        // read and parsed: a phone number's last digits shared by chance costs a lookup, not a parse.
        let keys = signature.matchKey.lookupKeys
        var found: [StoredItem] = try await store.items(matchingKeys: keys.filter { !$0.kind.isSinglePoint }, datastore: datastore.id, limitPerKey: 8)
        var points: [String: (item: StoredItem, count: Int)] = [:]
        for key in keys where key.kind.isSinglePoint {
            for item in try await store.items(matchingKeys: [key], datastore: datastore.id, limitPerKey: 8) {
                points[item.guid, default: (item, 0)].count += 1
            }
        }
        let known = Set(found.map(\.guid))
        found += points.values.filter { $0.count >= 2 && !known.contains($0.item.guid) }.map(\.item).sorted { $0.guid < $1.guid }
        for item in found where try await isFree(item.guid, in: datastore, device: device) {
            guard let payload = try await store.payload(guid: item.guid, datastore: datastore.id) else { continue }
            let server = ReceivedRecord(type: item.type, payload: payload)
            guard let serverSignature = server.signature, serverSignature.kind == signature.kind else { continue }
            candidates.append(RecordMatcher.Entry(id: item.guid, signature: serverSignature))
            records[item.guid] = server
        }
        guard !candidates.isEmpty else { return nil }
        let result = RecordMatcher.match([RecordMatcher.Entry(id: "\u{0}client", signature: signature)], candidates)
        guard let pair = result.pairs.first, let server = records[pair.right] else { return nil }
        return pair.reason.sameFingerprint ? .same(pair.right) : .similar(pair.right, server)
    }

    private func isFree(_ guid: String, in datastore: DatastoreState, device: DeviceID) async throws -> Bool {
        guard !datastore.claimed.contains(guid) else { return false }
        if datastore.mode.isFull { return true } // maps were reset when the slow sync began
        return try await store.luid(forGUID: guid, device: device, datastore: datastore.id) == nil
    }
}
