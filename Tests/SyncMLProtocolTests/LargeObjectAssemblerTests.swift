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
        #expect(assembler.isUnderWay)
        #expect(assembler.take([3], source: "a", moreData: true, declaredSize: nil, type: nil, format: nil, maxObjectSize: 100) == .accepted)
        #expect(assembler.take([4, 5], source: "a", moreData: false, declaredSize: nil, type: "text/plain", format: nil, maxObjectSize: 100)
                == .complete(bytes: [1, 2, 3, 4, 5], type: "text/x-s4j-sifc", format: "b64"))
        #expect(!assembler.isUnderWay)
    }

    @Test("A declared Size above MaxObjSize is refused at the first chunk (413)")
    func declaredTooLarge() {
        var assembler = LargeObjectAssembler()
        #expect(assembler.take(Self.bytes(10), source: "a", moreData: true, declaredSize: 101, type: nil, format: nil, maxObjectSize: 100)
                == .refused(.requestEntityTooLarge))
    }

    @Test("Data beyond the declared Size is refused at the chunk that crosses it (424)")
    func beyondDeclaredSize() {
        var assembler = LargeObjectAssembler()
        #expect(assembler.take(Self.bytes(50), source: "a", moreData: true, declaredSize: 100, type: nil, format: nil, maxObjectSize: 1_000)
                == .accepted)
        #expect(assembler.take(Self.bytes(51), source: "a", moreData: true, declaredSize: nil, type: nil, format: nil, maxObjectSize: 1_000)
                == .refused(.sizeMismatch))
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
        #expect(!assembler.isUnderWay)
    }

    @Test("After a refusal the object's remaining chunks get the same status up to its last; nothing of it is ever complete")
    func refusedUpToTheLastChunk() {
        var assembler = LargeObjectAssembler()
        var steps: [LargeObjectAssembler.Step] = []
        steps.append(assembler.take(Self.bytes(10), source: "a", moreData: true, declaredSize: 101, type: nil, format: nil, maxObjectSize: 100))
        steps.append(assembler.take(Self.bytes(10), source: "a", moreData: true, declaredSize: nil, type: nil, format: nil, maxObjectSize: 100))
        #expect(assembler.isUnderWay)
        steps.append(assembler.take(Self.bytes(10), source: "a", moreData: false, declaredSize: nil, type: nil, format: nil, maxObjectSize: 100))
        #expect(steps == Array(repeating: .refused(.requestEntityTooLarge), count: 3))
        #expect(!assembler.isUnderWay)
        // The source's next object is taken again.
        #expect(assembler.take([7], source: "a", moreData: false, declaredSize: nil, type: nil, format: nil, maxObjectSize: 100)
                == .complete(bytes: [7], type: nil, format: nil))
    }

    @Test("An item from another source ends a refused object and is taken")
    func otherSourceEndsRefusal() {
        var assembler = LargeObjectAssembler()
        _ = assembler.take(Self.bytes(10), source: "a", moreData: true, declaredSize: 101, type: nil, format: nil, maxObjectSize: 100)
        #expect(assembler.take([1], source: "b", moreData: true, declaredSize: nil, type: nil, format: nil, maxObjectSize: 100) == .accepted)
        #expect(assembler.take([2], source: "b", moreData: false, declaredSize: nil, type: nil, format: nil, maxObjectSize: 100)
                == .complete(bytes: [1, 2], type: nil, format: nil))
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
