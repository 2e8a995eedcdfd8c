import SyncMLProtocol
import SyncMLRecords
import SyncMLStore

/// What grows with the book in a session shared by server nodes — per GUID,
/// `clientHas`, `claimed` and `confirmed`, and the outgoing queue — kept in the
/// store's rows rather than in the saved value (issue #18, docs/SCALING.md):
/// a save writes only the GUIDs its message changed and a queue once, when it
/// was selected; a node taking the session up reads the rows, or only those
/// newer than the copy it already holds.
extension ServerSession {
    /// The rows this save must write, and the datastores marked as having them
    /// in the store (call before `snapshot(leavingRows: true)`). A save that then
    /// fails leaves the session to be dropped by the node (`SyncServer.save`).
    func rowsToSave() -> LiveSessionRows {
        var rows = LiveSessionRows()
        for datastore in datastores {
            let guids = datastore.changedItems ?? Set(datastore.clientHas.keys).union(datastore.claimed).union(datastore.confirmed.keys)
            for guid in guids.sorted() {
                rows.items.append(LiveSessionItemRow(datastore: datastore.id, guid: guid, fingerprint: datastore.clientHas[guid],
                                                     claimed: datastore.claimed.contains(guid), confirmed: datastore.confirmed[guid]))
            }
            datastore.changedItems = []
            if !datastore.queueInRows, !datastore.outgoing.changes.isEmpty {
                // Selected since the last save (once a session), whole in memory: its first change is at position 0.
                rows.queues[datastore.id] = datastore.outgoing.changes
                datastore.queueInRows = true
            }
        }
        return rows
    }

    /// The value a node saves after a message, and the rows saved with it.
    func encodedForSaving() throws -> (state: [UInt8], rows: LiveSessionRows) {
        let rows = rowsToSave()
        return (try snapshot(leavingRows: true).encoded(), rows)
    }

    /// Gives up this copy's rows for the copy that replaces it on this node (the store
    /// has a newer save): what it held as saved after `savedMessageCount`, by datastore.
    func handOverRows() -> HeldRows? {
        guard let count = savedMessageCount else { return nil }
        var held = HeldRows(savedAs: count)
        for datastore in datastores where datastore.changedItems == [] {
            // Moved, not copied: this copy is dropped, and the one taking them up changes them in place.
            var sets = HeldRows.Datastore(clientHas: datastore.clientHas, claimed: datastore.claimed, confirmed: datastore.confirmed,
                                          queue: nil, queueStart: 0)
            (datastore.clientHas, datastore.claimed, datastore.confirmed) = ([:], [], [:])
            if datastore.queueInRows {
                sets.queueStart = datastore.outgoing.position - datastore.outgoing.next
                sets.queue = datastore.outgoing.changes
                datastore.outgoing.changes = []
            }
            held.datastores[datastore.id] = sets
        }
        return held
    }

    /// Fills in what the restored value left in the store's rows: from `held` (an
    /// older copy this node had) and the rows saved after it, or from every row.
    func takeUpRows(from store: SyncStore, held: consuming HeldRows?) async throws {
        let inRows = datastores.filter { $0.changedItems != nil || $0.queueInRows }
        guard !inRows.isEmpty else { return }
        var held = held
        // The older copy serves only if it has every datastore whose sets are in rows; otherwise every row is read.
        let usable = held.map { held in inRows.allSatisfy { $0.changedItems == nil || held.datastores[$0.id] != nil } } ?? false
        var items: [LiveSessionItemRow] = []
        if inRows.contains(where: { $0.changedItems != nil }) {
            items = try await store.liveSessionItems(token: token, after: usable ? held?.savedAs ?? 0 : 0)
        }
        let rowsByDatastore = Dictionary(grouping: items, by: \.datastore)
        for datastore in inRows {
            let kept = held?.datastores.removeValue(forKey: datastore.id)
            if datastore.changedItems != nil {
                if usable, let kept { (datastore.clientHas, datastore.claimed, datastore.confirmed) = (kept.clientHas, kept.claimed, kept.confirmed) }
                for row in rowsByDatastore[datastore.id] ?? [] {
                    datastore.clientHas[row.guid] = row.fingerprint
                    if row.claimed { datastore.claimed.insert(row.guid) } else { datastore.claimed.remove(row.guid) }
                    datastore.confirmed[row.guid] = row.confirmed
                }
            }
            if datastore.queueInRows {
                let position = datastore.outgoing.position
                if let kept, let queue = kept.queue, kept.queueStart <= position,
                   position <= kept.queueStart + queue.count {
                    datastore.outgoing.hold(queue, from: kept.queueStart, next: position - kept.queueStart)
                } else {
                    datastore.outgoing.hold(try await store.liveSessionQueue(token: token, datastore: datastore.id, from: position), from: position)
                }
            }
        }
    }
}

/// A node's older copy of a shared session's rows, handed to the copy that replaces it.
struct HeldRows: Sendable {
    struct Datastore: Sendable {
        var clientHas: [String: Fingerprint]
        var claimed: Set<String>
        var confirmed: [String: Int64]
        /// The queue's changes in memory, the first at `queueStart`.
        var queue: [OutgoingChange]?
        var queueStart: Int
    }

    /// The save the copy was at.
    var savedAs: Int
    var datastores: [DatastoreID: Datastore] = [:]
}
