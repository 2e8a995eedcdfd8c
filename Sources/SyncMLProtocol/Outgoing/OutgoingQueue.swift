/// One datastore's changes to send in a session, as both roles keep them:
/// the list, how far sending got, and a large object under way.
/// Generic over the role's change type (the store's `OutgoingChange`).
package struct OutgoingQueue<Change> {
    package var changes: [Change]
    /// The next change to send.
    package var next = 0
    /// A large object partly sent: its rest goes first in the next message.
    package var partial: OutgoingObject<Change>?
    /// The datastore's Sync command went out once (NumberOfChanges goes with the first only).
    package var started = false

    /// Changes of earlier pages, taken and dropped: a queue read from the store a
    /// page at a time holds one page in memory, not the whole datastore.
    package private(set) var dropped = 0
    /// More changes wait beyond `changes`, for `turnPage`.
    package var morePages = false

    package init(_ changes: [Change] = []) {
        self.changes = changes
    }

    /// Whether anything is left to send.
    package var hasMore: Bool { partial != nil || next < changes.count || morePages }

    /// Every change in memory was taken (a large object may still be on its way).
    package var pageTaken: Bool { next >= changes.count }

    /// How many changes were taken so far, over every page.
    package var position: Int { dropped + next }

    /// Drops the taken page for the next one; `more`: yet another follows.
    package mutating func turnPage(_ page: [Change], more: Bool) {
        dropped += changes.count
        changes = page
        next = 0
        morePages = more
    }

    /// Holds `page` in memory, the changes from `position` on (those before it were
    /// taken), with the next one to send `next` into it: a queue kept elsewhere (a
    /// shared session's rows) taken up again.
    package mutating func hold(_ page: [Change], from position: Int, next: Int = 0) {
        dropped = position
        changes = page
        self.next = next
    }

    /// The same queue, at the same place, over changes `transform` makes (a
    /// session's snapshot keeps its changes in a form of its own).
    package func map<T>(_ transform: (Change) throws -> T) rethrows -> OutgoingQueue<T> {
        var mapped = OutgoingQueue<T>(try changes.map(transform))
        mapped.next = next
        mapped.partial = try partial.map { OutgoingObject(change: try transform($0.change), payload: $0.payload, offset: $0.offset) }
        mapped.started = started
        mapped.dropped = dropped
        mapped.morePages = morePages
        return mapped
    }
}

extension OutgoingQueue: Codable where Change: Codable {}

/// What goes on the wire for one change: its MIME type, Meta Format (`b64`
/// for SIF) and bytes (none for a delete).
package struct OutgoingPayload: Sendable, Hashable, Codable {
    package var type: String
    package var format: String?
    package var data: [UInt8]

    package init(type: String, format: String? = nil, data: [UInt8] = []) {
        self.type = type
        self.format = format
        self.data = data
    }
}

/// A large object on its way out: the change, what it encodes to, and how much of it went.
package struct OutgoingObject<Change> {
    package var change: Change
    package var payload: OutgoingPayload
    package var offset: Int
}

extension OutgoingObject: Codable where Change: Codable {}

/// One item command's share of a change: the whole of it, or one chunk of a large object.
package struct OutgoingPiece: Sendable, Hashable {
    package var data: ArraySlice<UInt8>
    /// More chunks follow (MoreData).
    package var moreData: Bool
    /// The whole object's size, on a large object's first chunk (Meta Size).
    package var size: Int?
    /// The change's first piece (whole, or the first chunk): counted as sent.
    package var isFirst: Bool
}
