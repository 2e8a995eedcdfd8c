package import SyncMLCodec

extension MessagePacker {
    /// Fills one Sync command from `queue` until this message is full or the
    /// changes in memory are taken (a paged queue's caller turns the page and
    /// fills on): a large object under way continues first, then the changes
    /// in order, each whole or as the first chunk of a large object.
    ///
    /// - Parameters:
    ///   - payload: what a change goes as on the wire (read and encoded by the
    ///     role); nil skips it (gone since, or refused).
    ///   - command: the role's item command for a piece of a change.
    /// - Returns: the item commands, in order.
    package mutating func fill<Change: Sendable>(
        _ queue: inout OutgoingQueue<Change>,
        isolation: isolated (any Actor)? = #isolation,
        payload: (Change) async throws -> OutgoingPayload?,
        command: (Change, OutgoingPayload, OutgoingPiece) -> Command
    ) async rethrows -> [Command] {
        var commands: [Command] = []
        while queue.partial != nil || !queue.pageTaken {
            if var object = queue.partial {
                let data = object.payload.data
                guard let end = continueChunk(data, from: object.offset) else { break }
                let more = end < data.count
                commands.append(command(object.change, object.payload,
                                        OutgoingPiece(data: data[object.offset..<end], moreData: more, size: nil, isFirst: false)))
                object.offset = end
                queue.partial = more ? object : nil
                if more { break }
                continue
            }
            let change = queue.changes[queue.next]
            guard let encoded = try await payload(change) else {
                queue.next += 1
                continue
            }
            switch place(encoded.data) {
            case .whole:
                queue.next += 1
                commands.append(command(change, encoded, OutgoingPiece(data: encoded.data[...], moreData: false, size: nil, isFirst: true)))
            case .firstChunk(let end):
                queue.next += 1
                commands.append(command(change, encoded,
                                        OutgoingPiece(data: encoded.data[..<end], moreData: true, size: encoded.data.count, isFirst: true)))
                queue.partial = OutgoingObject(change: change, payload: encoded, offset: end)
                return commands
            case .nextMessage:
                return commands
            }
        }
        return commands
    }
}
