import SyncMLCodec
import SyncMLProtocol
import Testing

@Suite("Packing a message to MaxMsgSize")
struct MessagePackerTests {
    static func bytes(_ count: Int) -> [UInt8] { [UInt8](repeating: UInt8(ascii: "x"), count: count) }

    @Test("An item that fits goes whole and takes its data plus the item overhead")
    func wholeItem() {
        var packer = MessagePacker(limit: 10_000, used: 1_000, rules: .server)
        #expect(packer.place(Self.bytes(500)) == .whole)
        #expect(packer.used == 1_000 + 500 + 320)
        #expect(!packer.isFull)
    }

    @Test("A Sync command costs the server 200 bytes of markup, the client nothing")
    func syncOverhead() {
        var server = MessagePacker(limit: 10_000, used: 0, rules: .server)
        var client = MessagePacker(limit: 10_000, used: 0, rules: .client)
        server.openSync()
        client.openSync()
        #expect(server.used == 200)
        #expect(client.used == 0)
    }

    @Test("An item that does not fit what is left, but fits a fresh message, waits for the next one")
    func waitsForNextMessage() {
        var packer = MessagePacker(limit: 10_000, used: 6_000, rules: .server)
        #expect(packer.place(Self.bytes(5_000)) == .nextMessage)
        #expect(packer.isFull)
        #expect(packer.used == 6_000)
    }

    @Test("An item that never fits a message starts as a large object in the room left")
    func startsLargeObject() {
        var packer = MessagePacker(limit: 10_000, used: 2_000, rules: .server)
        #expect(packer.place(Self.bytes(9_000)) == .firstChunk(end: 10_000 - 2_000 - 320))
        #expect(packer.isFull)
    }

    @Test("A large object starts only with a chunk worth it: the server's floor is 256 bytes, the client's 1 KiB")
    func minimumFirstChunk() {
        var server = MessagePacker(limit: 10_000, used: 10_000 - 320 - 300, rules: .server)
        #expect(server.place(Self.bytes(20_000)) == .firstChunk(end: 300))
        var tooLittle = MessagePacker(limit: 10_000, used: 10_000 - 320 - 255, rules: .server)
        #expect(tooLittle.place(Self.bytes(20_000)) == .nextMessage)
        var client = MessagePacker(limit: 10_000, used: 10_000 - 320 - 1_000, rules: .client)
        #expect(client.place(Self.bytes(20_000)) == .nextMessage)
        var clientRoom = MessagePacker(limit: 10_000, used: 10_000 - 320 - 1_024, rules: .client)
        #expect(clientRoom.place(Self.bytes(20_000)) == .firstChunk(end: 1_024))
    }

    @Test("A large object under way continues in the room left; the message is full unless it was the last chunk")
    func continuesChunk() {
        let data = Self.bytes(5_000)
        var middle = MessagePacker(limit: 2_048, used: 512, rules: .server)
        let end = middle.continueChunk(data, from: 1_000)
        #expect(end == 1_000 + 2_048 - 512 - 320)
        #expect(middle.isFull)
        var last = MessagePacker(limit: 10_000, used: 512, rules: .server)
        #expect(last.continueChunk(data, from: 4_000) == 5_000)
        #expect(!last.isFull)
        #expect(last.used == 512 + 1_000 + 320)
    }

    @Test("Below the minimum chunk a large object waits for the next message")
    func chunkWaits() {
        var packer = MessagePacker(limit: 2_048, used: 2_048 - 320 - 255, rules: .server)
        #expect(packer.continueChunk(Self.bytes(5_000), from: 0) == nil)
        #expect(packer.isFull)
    }

    @Test("Filling takes changes in order, skips what has no payload, and stops at the first that waits")
    func fillInOrder() async {
        var queue = OutgoingQueue(["a", "gone", "b", "c"])
        var packer = MessagePacker(limit: 4_000, used: 0, rules: .server)
        let sizes = ["a": 1_000, "b": 1_000, "c": 1_500] // c fits a fresh message: it waits
        let commands = await packer.fill(&queue) { change in
            sizes[change].map { OutgoingPayload(type: "text/plain", data: Self.bytes($0)) }
        } command: { change, _, piece in
            #expect(piece.isFirst && !piece.moreData && piece.size == nil)
            return .add(ItemCommand(cmdID: change, items: []))
        }
        #expect(commands.map(\.cmdID) == ["a", "b"])
        #expect(queue.next == 3)
        #expect(queue.hasMore && queue.partial == nil)
    }

    @Test("A large object is sent chunk by chunk across messages; Size goes with the first only")
    func largeObjectAcrossMessages() async {
        let data = (0..<5_000).map { UInt8(truncatingIfNeeded: $0) }
        var queue = OutgoingQueue(["big"])
        var pieces: [OutgoingPiece] = []
        while queue.hasMore {
            var packer = MessagePacker(limit: 2_048, used: 0, rules: .server)
            _ = await packer.fill(&queue) { _ in OutgoingPayload(type: "text/plain", data: data) } command: { change, _, piece in
                pieces.append(piece)
                return .add(ItemCommand(cmdID: change, items: []))
            }
        }
        #expect(pieces.count == 3)
        #expect(pieces.map(\.size) == [5_000, nil, nil])
        #expect(pieces.map(\.moreData) == [true, true, false])
        #expect(pieces.map(\.isFirst) == [true, false, false])
        #expect(pieces.flatMap { Array($0.data) } == data)
    }

    @Test("Messages without progress are counted in a row; progress resets the count; the limit gives up")
    func noRoomStreak() {
        var streak = NoRoomStreak(limit: 3)
        var gaveUp: [Bool] = []
        for progressed in [false, false, true] { gaveUp.append(streak.record(progressed: progressed)) }
        #expect(gaveUp == [false, false, false])
        #expect(streak.count == 0)
        gaveUp = []
        for _ in 0..<3 { gaveUp.append(streak.record(progressed: false)) }
        #expect(gaveUp == [false, false, true])
    }
}
