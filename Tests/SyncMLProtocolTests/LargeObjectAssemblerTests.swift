import SyncMLCodec
import SyncMLProtocol
import Testing

/// Feeds an assembler the way a peer sends a large object, chunk by chunk.
private struct Peer {
    var assembler = LargeObjectAssembler()
    /// The receiving side's MaxObjSize.
    let maxObjectSize: Int

    mutating func send(_ count: Int, from source: String = "a", more: Bool = true, size: Int? = nil) -> LargeObjectAssembler.Step {
        assembler.take([UInt8](repeating: UInt8(ascii: "x"), count: count), source: source, moreData: more, declaredSize: size,
                       type: nil, format: nil, maxObjectSize: maxObjectSize)
    }
}

@Suite("Large objects: reassembling chunks")
struct LargeObjectAssemblerTests {
    @Test("Chunks from one source are joined; the object keeps the type and format its first chunk named")
    func joins() {
        var assembler = LargeObjectAssembler()
        #expect(assembler.take([1, 2], source: "a", moreData: true, declaredSize: 5, type: "text/x-s4j-sifc", format: "b64",
                               maxObjectSize: 100) == .accepted)
        #expect(assembler.isUnderWay)
        #expect(assembler.take([3], source: "a", moreData: true, declaredSize: nil, type: nil, format: nil, maxObjectSize: 100) == .accepted)
        #expect(assembler.take([4, 5], source: "a", moreData: false, declaredSize: nil, type: "text/plain", format: nil, maxObjectSize: 100)
                == .complete(bytes: [1, 2, 3, 4, 5], type: "text/x-s4j-sifc", format: "b64"))
        #expect(!assembler.isUnderWay)
    }

    @Test("A declared Size above MaxObjSize is refused at the first chunk (413)")
    func declaredTooLarge() {
        var peer = Peer(maxObjectSize: 100)
        #expect(peer.send(10, size: 101) == .refused(.requestEntityTooLarge))
    }

    @Test("Data beyond the declared Size is refused at the chunk that crosses it (424)")
    func beyondDeclaredSize() {
        var peer = Peer(maxObjectSize: 1_000)
        #expect([peer.send(50, size: 100), peer.send(51)] == [.accepted, .refused(.sizeMismatch)])
    }

    @Test("Without a declared Size, data beyond MaxObjSize is refused as it crosses it (413)")
    func undeclaredTooLarge() {
        var peer = Peer(maxObjectSize: 100)
        #expect([peer.send(60), peer.send(41)] == [.accepted, .refused(.requestEntityTooLarge)])
    }

    @Test("A total short of the declared Size is refused at the last chunk (424)")
    func shortOfDeclaredSize() {
        var peer = Peer(maxObjectSize: 1_000)
        #expect([peer.send(50, size: 100), peer.send(49, more: false)] == [.accepted, .refused(.sizeMismatch)])
        #expect(!peer.assembler.isUnderWay)
    }

    @Test("After a refusal the object's remaining chunks get the same status up to its last; the source's next object is taken")
    func refusedUpToTheLastChunk() {
        var peer = Peer(maxObjectSize: 100)
        #expect([peer.send(10, size: 101), peer.send(10)] == [.refused(.requestEntityTooLarge), .refused(.requestEntityTooLarge)])
        #expect(peer.assembler.isUnderWay)
        #expect(peer.send(10, more: false) == .refused(.requestEntityTooLarge))
        #expect(!peer.assembler.isUnderWay)
        #expect(peer.send(3, more: false) == .complete(bytes: Array("xxx".utf8), type: nil, format: nil))
    }

    @Test("An item from another source ends a refused object and is taken")
    func otherSourceEndsRefusal() {
        var peer = Peer(maxObjectSize: 100)
        _ = peer.send(10, size: 101)
        #expect([peer.send(1, from: "b"), peer.send(1, from: "b", more: false)] == [.accepted, .complete(bytes: Array("xx".utf8), type: nil, format: nil)])
    }

    @Test("An item from another source starts a new object; the unfinished one is dropped")
    func otherSourceRestarts() {
        var peer = Peer(maxObjectSize: 100)
        _ = peer.send(3, size: 6)
        #expect(peer.send(1, from: "b", more: false) == .complete(bytes: Array("x".utf8), type: nil, format: nil))
    }

    @Test("The limits are the caller's: the same chunks pass a larger MaxObjSize")
    func limitIsAParameter() {
        var small = Peer(maxObjectSize: 100), large = Peer(maxObjectSize: 1_000)
        #expect(small.send(10, size: 200) == .refused(.requestEntityTooLarge))
        #expect(large.send(10, size: 200) == .accepted)
    }
}
