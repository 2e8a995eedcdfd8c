/// Splitting an item's data for a large-object transfer (OMA DS 1.2 §6.2.4):
/// both roles send items bigger than a message in chunks with MoreData.
package enum LargeObject {
    /// Where a chunk of at most `room` bytes starting at `offset` ends, never
    /// inside a UTF-8 sequence (XML carries the chunk as text), and always past `offset`.
    package static func chunkEnd(_ data: [UInt8], from offset: Int, room: Int) -> Int {
        var end = min(data.count, offset + max(room, 1))
        while end < data.count, end > offset + 1, data[end] & 0xC0 == 0x80 { end -= 1 }
        return end
    }
}
