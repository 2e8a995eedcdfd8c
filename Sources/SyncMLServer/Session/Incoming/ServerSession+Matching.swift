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
    /// The store's lookups come in `resolution`; the candidates' payloads are read here.
    func findMatch(for record: ReceivedRecord, _ resolution: Resolution, in datastore: DatastoreState, device: DeviceID) async throws -> Match? {
        for twin in resolution.twins where isFree(twin.item.guid, luid: twin.luid, in: datastore) {
            return .same(twin.item.guid)
        }
        guard datastore.mode.isFull, !datastore.defersKeys, let signature = record.signature else { return nil }
        var candidates: [RecordMatcher.Entry] = []
        var records: [String: ReceivedRecord] = [:]
        // Bounded per key: a name or number thousands share must not make matching quadratic. A candidate
        // found by an e-mail or phone alone must be found by two of them (the matcher's rule) before it is
        // read and parsed: a phone number's last digits shared by chance costs a lookup, not a parse.
        let keys = signature.matchKey.lookupKeys
        var byKey = resolution.candidates ?? [:]
        if resolution.candidates == nil, !keys.isEmpty {
            // Twins were found but none is free: the keys were not looked up with the rest.
            byKey = try await store.resolve([IncomingKey(luid: nil, fingerprint: nil, keys: keys)], datastore: datastore.id,
                                            device: device)[0].candidates ?? [:]
        }
        var byGUID: [String: StoredItem] = [:]
        for key in keys where !key.kind.isSinglePoint {
            for item in byKey[key.digest] ?? [] { byGUID[item.guid] = item }
        }
        var found = byGUID.values.sorted { $0.guid < $1.guid }
        var points: [String: (item: StoredItem, count: Int)] = [:]
        for key in keys where key.kind.isSinglePoint {
            for item in byKey[key.digest] ?? [] {
                points[item.guid, default: (item, 0)].count += 1
            }
        }
        let known = Set(found.map(\.guid))
        found += points.values.filter { $0.count >= 2 && !known.contains($0.item.guid) }.map(\.item).sorted { $0.guid < $1.guid }
        for item in found where !datastore.isClaimed(item.guid) {
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

    /// Whether a live twin may be paired: not paired in this session, and (outside
    /// full syncs, whose maps were reset) not mapped to another LUID of the device.
    private func isFree(_ guid: String, luid: String?, in datastore: DatastoreState) -> Bool {
        guard !datastore.isClaimed(guid) else { return false }
        return datastore.mode.isFull || luid == nil
    }
}
