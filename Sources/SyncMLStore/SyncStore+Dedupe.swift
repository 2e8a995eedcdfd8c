public import SyncMLRecords
/// One accepted group of duplicates, as the store applies it (docs/DEDUPE.md):
/// the survivor becomes the merged record, the others are deleted.
///
/// The store does not parse records: the merge, its fingerprint and its match
/// keys come from the records layer (`DuplicateProposal`).
public struct DedupeMerge: Sendable, Hashable {
    /// The datastore the group is in.
    public var datastore: DatastoreID
    /// The GUID of the item that stays.
    public var survivor: String
    /// The GUIDs of the items that go.
    public var others: [String]
    /// The merged record, its MIME type, fingerprint and index keys (`MatchKey.indexKeys`).
    public var type: String
    /// The merged record's bytes, written as the survivor's new version.
    public var payload: [UInt8]
    /// The merged record's fingerprint (`RecordSignature.fingerprint`).
    public var fingerprint: Fingerprint
    /// The merged record's index keys (`MatchKey.indexKeys`), replacing the survivor's.
    public var matchKeys: [MatchKey.IndexKey]
    /// Each member's fingerprint when the group was reviewed. A group whose
    /// member changed (or went) since is left alone, never merged from a stale view.
    public var reviewed: [String: Fingerprint]

    /// Describes one reviewed group; nothing is written until `SyncStore` applies it.
    public init(datastore: DatastoreID, survivor: String, others: [String], type: String, payload: [UInt8], fingerprint: Fingerprint,
                matchKeys: [MatchKey.IndexKey], reviewed: [String: Fingerprint]) {
        self.datastore = datastore
        self.survivor = survivor
        self.others = others
        self.type = type
        self.payload = payload
        self.fingerprint = fingerprint
        self.matchKeys = matchKeys
        self.reviewed = reviewed
    }
}

extension DedupeMerge {
    /// The merge of `proposal` (made from this datastore's records) for a survivor stored as
    /// `type`: written as the survivor was, and signed as the engine will read it back
    /// (SIF cannot carry everything a vCard can). `reviewed` defaults to the fingerprints
    /// the proposal was made from.
    public init(_ proposal: DuplicateProposal, datastore: DatastoreID, storedType type: String,
                reviewed: [String: Fingerprint]? = nil) throws {
        let payload = try proposal.payload()
        guard let parsed = try RecordPayload.parse(payload, type: type), let first = parsed.first else {
            throw DedupeError("the merge of \(proposal.survivor) does not read back as a \(type) record")
        }
        let signature = RecordSignature(first.record)
        self.init(datastore: datastore, survivor: proposal.survivor, others: proposal.group.members.filter { $0 != proposal.survivor },
                  type: type, payload: payload, fingerprint: signature.fingerprint, matchKeys: signature.matchKey.indexKeys,
                  reviewed: reviewed ?? proposal.fingerprints)
    }
}

/// The live records of a datastore as the duplicate finder reads them (`duplicateRecords`).
public struct StoredRecords: Sendable {
    /// Records by GUID, in GUID order.
    public var records: [DuplicateRecord]
    /// Each record's stored MIME type, by GUID.
    public var types: [String: String]
    /// Items whose payload does not parse, by GUID, with why (left alone).
    public var unreadable: [String: String]
}

/// What `applyDedupe` did.
public struct DedupeApplyResult: Sendable, Hashable {
    /// The session of kind `dedupe` the changes belong to (`undo(session:)` reverts
    /// them); nil when no group was applied.
    public var session: SessionID?
    /// The survivors of the groups merged.
    public var merged: [String]
    /// Items deleted as duplicates of a survivor.
    public var deleted: Int
    /// Groups left alone, by survivor GUID, with why.
    public var skipped: [String: String]
    /// How many items a `dedupe` session changed (its survivors and deleted items).
    public var changedItems: Int { merged.count + deleted }
}

extension SyncStore {
    /// Merges each group (of one datastore each) in one transaction, as one session of kind `dedupe`:
    /// the survivor is replaced by the merged record and the others are deleted,
    /// as changes of the server (no device), so every device receives a Replace
    /// and Deletes at its next sync. `undo(session:)` brings every member back.
    ///
    /// A group whose members are not all live with the fingerprints they were
    /// reviewed with is skipped (reported), as is a group naming an item another
    /// group already names. Nothing is written when no group is left.
    public func applyDedupe(_ merges: [DedupeMerge]) throws(StoreError) -> DedupeApplyResult {
        try database.transaction { () throws(StoreError) -> DedupeApplyResult in
            var result = DedupeApplyResult(session: nil, merged: [], deleted: 0, skipped: [:])
            var claimed = Set<String>() // "datastore/GUID"
            var accepted: [DedupeMerge] = []
            for merge in merges {
                let members = [merge.survivor] + merge.others
                if let reason = try staleness(of: merge, members: members, claimed: claimed) {
                    result.skipped[merge.survivor] = reason
                    continue
                }
                claimed.formUnion(members.map { "\(merge.datastore.rawValue)/\($0)" })
                accepted.append(merge)
            }
            guard !accepted.isEmpty else { return result }
            let session = try beginSession(device: nil, kind: "dedupe")
            for merge in accepted {
                var changes = [ItemChange(.replace, guid: merge.survivor, type: merge.type, payload: merge.payload,
                                          fingerprint: merge.fingerprint, matchKeys: merge.matchKeys)]
                changes += merge.others.map { ItemChange(.delete, guid: $0, type: merge.type) }
                let applied = try apply(changes, datastore: merge.datastore, device: nil, session: session)
                result.deleted += applied.filter { $0.outcome == .deleted }.count
                result.merged.append(merge.survivor)
            }
            try endSession(session)
            result.session = session
            return result
        }
    }

    /// The live records of `datastore`, parsed (vCards, iCalendars, SIF; text notes are
    /// not records), for `DuplicateFinder` and `DuplicateMerger`.
    public func duplicateRecords(datastore: DatastoreID) throws(StoreError) -> StoredRecords {
        var result = StoredRecords(records: [], types: [:], unreadable: [:])
        for item in try liveItems(datastore: datastore) {
            guard let payload = try payload(guid: item.guid, datastore: datastore) else { continue }
            result.types[item.guid] = item.type
            do {
                guard let parsed = try RecordPayload.parse(payload, type: item.type), let first = parsed.first else { continue }
                result.records.append(DuplicateRecord(id: item.guid, record: first.record, encoding: first.encoding))
            } catch {
                result.unreadable[item.guid] = "\(error)"
            }
        }
        return result
    }

    /// Why a group must not be applied now, or nil.
    private func staleness(of merge: DedupeMerge, members: [String], claimed: Set<String>) throws(StoreError) -> String? {
        guard !merge.others.isEmpty else { return "a group needs two records" }
        guard Set(members).count == members.count else { return "an item is named twice in the group" }
        for guid in members {
            if claimed.contains("\(merge.datastore.rawValue)/\(guid)") { return "item \(guid) is in another group too" }
            guard let item = try item(guid: guid, datastore: merge.datastore), !item.deleted else { return "item \(guid) was deleted since the review" }
            guard let reviewed = merge.reviewed[guid] else { return "item \(guid) has no reviewed fingerprint" }
            guard item.fingerprint == reviewed else { return "item \(guid) changed since the review" }
        }
        return nil
    }
}
