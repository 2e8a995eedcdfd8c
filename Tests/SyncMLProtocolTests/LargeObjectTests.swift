import SyncMLProtocol
import Testing

@Suite("Large objects: chunk boundaries")
struct LargeObjectTests {
    @Test("A chunk ends at the room given, or earlier so that no UTF-8 sequence is cut; it always makes progress")
    func chunkEnds() {
        let text = Array("ab€cd".utf8) // € is 3 bytes: e2 82 ac at 2...4
        #expect(LargeObject.chunkEnd(text, from: 0, room: 2) == 2)
        #expect(LargeObject.chunkEnd(text, from: 0, room: 3) == 2) // would cut €
        #expect(LargeObject.chunkEnd(text, from: 0, room: 5) == 5)
        #expect(LargeObject.chunkEnd(text, from: 5, room: 100) == text.count)
        #expect(LargeObject.chunkEnd(text, from: 2, room: 1) == 3) // never zero bytes, even inside a sequence
    }
}
