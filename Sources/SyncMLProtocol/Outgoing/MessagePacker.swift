/// The room left in one outgoing message, against the peer's MaxMsgSize: the
/// one rule both roles pack their items by. Items are estimated by their data
/// plus a fixed markup overhead (measuring each would mean encoding it twice);
/// an item that cannot fit a message goes as a large object (OMA DS 1.2
/// §6.2.4), a chunk per message.
///
/// The packer decides; the role acts on its answer (`Placement`, a chunk's
/// end) and builds the commands. `fill(_:isolation:payload:command:)` drives a
/// whole Sync command's worth of items from an `OutgoingQueue`.
package struct MessagePacker {
    /// How a role estimates its markup and when splitting is worth it.
    package struct Rules: Sendable, Hashable {
        /// The markup around one item command (Add/Replace/Delete, Meta, Source, Target, MoreData).
        package var itemOverhead = 320
        /// The markup one Sync command adds (CmdID, Target, Source, NumberOfChanges).
        package var syncOverhead: Int
        /// The smallest chunk worth sending of a large object under way: below
        /// it, the chunk waits for the next message.
        package var minimumChunk = 256
        /// The smallest first chunk worth starting a large object with.
        package var minimumFirstChunk: Int
        /// An item that fits a fresh message with this much room to spare waits
        /// for the next message whole instead of being split now.
        package var freshMessageMargin = 2048

        /// The server's: its Sync commands are counted, and a chunk of a quarter KiB starts a large object
        /// (its peers may announce a MaxMsgSize as small as 2048).
        package static let server = Rules(syncOverhead: 200, minimumFirstChunk: 256)
        /// The client's: a large object starts only with a chunk of 1 KiB or more.
        package static let client = Rules(syncOverhead: 0, minimumFirstChunk: 1024)
    }

    /// Where an item goes.
    package enum Placement: Hashable, Sendable {
        /// Whole, in this message.
        case whole
        /// Its bytes up to `end` in this message (with MoreData and Size), the
        /// rest in the next ones: it would never fit a message whole.
        case firstChunk(end: Int)
        /// Not in this message: the next one takes it whole, or has room to start it.
        case nextMessage
    }

    /// The message's size limit: the smaller of the peer's MaxMsgSize and our own.
    package let limit: Int
    package let rules: Rules
    /// Bytes taken so far (estimated).
    package private(set) var used: Int
    /// No further item goes into this message.
    package private(set) var isFull = false

    /// - Parameter used: what the message already takes before its items (its
    ///   header and statuses, measured or estimated by the role).
    package init(limit: Int, used: Int, rules: Rules) {
        self.limit = limit
        self.used = used
        self.rules = rules
    }

    /// Counts the markup of a Sync command about to be filled.
    package mutating func openSync() {
        used += rules.syncOverhead
    }

    /// Where an item of `data` goes; its room is taken when it goes whole.
    package mutating func place(_ data: [UInt8]) -> Placement {
        let cost = data.count + rules.itemOverhead
        guard used + cost > limit else {
            used += cost
            return .whole
        }
        isFull = true
        let room = limit - used - rules.itemOverhead
        if cost + rules.freshMessageMargin <= limit || room < rules.minimumFirstChunk { return .nextMessage }
        return .firstChunk(end: LargeObject.chunkEnd(data, from: 0, room: room))
    }

    /// Where the next chunk of a large object under way ends, from `offset`;
    /// nil when this message has no room worth a chunk. The message is full
    /// after a chunk that is not the object's last.
    package mutating func continueChunk(_ data: [UInt8], from offset: Int) -> Int? {
        let room = limit - used - rules.itemOverhead
        guard room >= rules.minimumChunk else {
            isFull = true
            return nil
        }
        let end = LargeObject.chunkEnd(data, from: offset, room: room)
        used += end - offset + rules.itemOverhead
        if end < data.count { isFull = true }
        return end
    }
}

/// Messages in a row that went out without any item for lack of room. A peer
/// whose own statuses keep filling its MaxMsgSize would otherwise be sent empty
/// messages without end: past `limit`, the sender gives up.
package struct NoRoomStreak: Sendable, Hashable, Codable {
    package let limit: Int
    package private(set) var count = 0

    package init(limit: Int) {
        self.limit = limit
    }

    /// Records one message; true when it made no progress for the `limit`-th time in a row.
    package mutating func record(progressed: Bool) -> Bool {
        guard !progressed else {
            count = 0
            return false
        }
        count += 1
        return count >= limit
    }
}
