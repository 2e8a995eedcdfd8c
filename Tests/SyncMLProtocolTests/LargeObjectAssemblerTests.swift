import SyncMLCodec
import SyncMLProtocol
import Testing

@Suite("Large objects: reassembling chunks")
struct LargeObjectAssemblerTests {
    static func bytes(_ count: Int) -> [UInt8] { [UInt8](repeating: UInt8(ascii: "x"), count: count) }

    @Test("Chunks from one source are joined; the object keeps the type and format its first chunk named")
    func joins() {
        var assembler = LargeObjectAssembler()
        #expect(assembler.take([1, 2], source: "a", moreData: true, declaredSize: 5, type: "text/x-s4j-sifc", format: "b64",
                               maxObjectSize: 100) == .accepted)
        #expect(assembler.isCollecting)
        #expect(assembler.take([3], source: "a", moreData: true, declaredSize: nil, type: nil, format: nil, maxObjectSize: 100) == .accepted)
        #expect(assembler.take([4, 5], source: "a", moreData: false, declaredSize: nil, type: "text/plain", format: nil, maxObjectSize: 100)
                == .complete(bytes: [1, 2, 3, 4, 5], type: "text/x-s4j-sifc", format: "b64"))
        #expect(!assembler.isCollecting)
    }

    @Test("A declared Size above MaxObjSize is refused at the first chunk (413), and nothing is kept")
    func declaredTooLarge() {
        var assembler = LargeObjectAssembler()
        #expect(assembler.take(Self.bytes(10), source: "a", moreData: true, declaredSize: 101, type: nil, format: nil, maxObjectSize: 100)
                == .refused(.requestEntityTooLarge))
        #expect(!assembler.isCollecting)
    }

    @Test("Data beyond the declared Size is refused at the chunk that crosses it (424)")
    func beyondDeclaredSize() {
        var assembler = LargeObjectAssembler()
        #expect(assembler.take(Self.bytes(50), source: "a", moreData: true, declaredSize: 100, type: nil, format: nil, maxObjectSize: 1_000)
                == .accepted)
        #expect(assembler.take(Self.bytes(51), source: "a", moreData: true, declaredSize: nil, type: nil, format: nil, maxObjectSize: 1_000)
                == .refused(.sizeMismatch))
        #expect(!assembler.isCollecting)
    }

    @Test("Without a declared Size, data beyond MaxObjSize is refused as it crosses it (413)")
    func undeclaredTooLarge() {
        var assembler = LargeObjectAssembler()
        #expect(assembler.take(Self.bytes(60), source: "a", moreData: true, declaredSize: nil, type: nil, format: nil, maxObjectSize: 100)
                == .accepted)
        #expect(assembler.take(Self.bytes(41), source: "a", moreData: true, declaredSize: nil, type: nil, format: nil, maxObjectSize: 100)
                == .refused(.requestEntityTooLarge))
    }

    @Test("A total short of the declared Size is refused at the last chunk (424)")
    func shortOfDeclaredSize() {
        var assembler = LargeObjectAssembler()
        _ = assembler.take(Self.bytes(50), source: "a", moreData: true, declaredSize: 100, type: nil, format: nil, maxObjectSize: 1_000)
        #expect(assembler.take(Self.bytes(49), source: "a", moreData: false, declaredSize: nil, type: nil, format: nil, maxObjectSize: 1_000)
                == .refused(.sizeMismatch))
        #expect(!assembler.isCollecting)
    }

    @Test("An item from another source starts a new object; the unfinished one is dropped")
    func otherSourceRestarts() {
        var assembler = LargeObjectAssembler()
        _ = assembler.take([1, 2, 3], source: "a", moreData: true, declaredSize: 6, type: nil, format: nil, maxObjectSize: 100)
        #expect(assembler.take([9], source: "b", moreData: false, declaredSize: nil, type: "text/plain", format: nil, maxObjectSize: 100)
                == .complete(bytes: [9], type: "text/plain", format: nil))
    }

    @Test("The limits are the caller's: the same chunks pass a larger MaxObjSize")
    func limitIsAParameter() {
        var small = LargeObjectAssembler(), large = LargeObjectAssembler()
        #expect(small.take(Self.bytes(10), source: "a", moreData: true, declaredSize: 200, type: nil, format: nil, maxObjectSize: 100)
                == .refused(.requestEntityTooLarge))
        #expect(large.take(Self.bytes(10), source: "a", moreData: true, declaredSize: 200, type: nil, format: nil, maxObjectSize: 1_000)
                == .accepted)
    }
}
