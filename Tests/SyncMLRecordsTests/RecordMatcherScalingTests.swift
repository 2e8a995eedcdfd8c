import Testing
@testable import SyncMLRecords
/// Matching must cost the same per record however large the books are, even
/// when many records share a key. Counted, not timed: `RecordMatcher.Statistics`
/// says how many candidates were scored, which a quadratic matcher would
/// multiply by four when the books grow four times.
@Suite("Records: matching scales with the books")
struct RecordMatcherScalingTests {
    /// A company's people, all with its switchboard number and each with a
    /// mobile of their own, and as many "Anna Müller"s with no phone or e-mail.
    static func book(_ count: Int, edited: Bool) throws -> [RecordMatcher.Entry] {
        try (0..<count).map { index in
            var text = "BEGIN:VCARD\r\nVERSION:3.0\r\n"
            if index.isMultiple(of: 2) {
                text += "N:Employee\(index);Pat;;;\r\nFN:Pat Employee\(index)\r\n"
                text += "TEL;TYPE=WORK:+49 89 636 00000\r\n"
                text += "TEL;TYPE=CELL:+49 171 \(1_000_000 + index)\r\n"
            } else {
                text += "N:Müller;Anna;;;\r\nFN:Anna Müller\r\n"
            }
            // An edit on one side, so that no pair is found by fingerprint.
            if edited { text += "NOTE:edited \(index)\r\n" }
            text += "END:VCARD\r\n"
            let id = (edited ? "c" : "s") + String(index)
            return RecordMatcher.Entry(id: id, signature: try RecordSignature(parsing: Array(text.utf8)))
        }
    }

    static func match(_ count: Int) throws -> (RecordMatcher.Result, RecordMatcher.Statistics) {
        var statistics = RecordMatcher.Statistics()
        let result = RecordMatcher.match(try book(count, edited: false), try book(count, edited: true),
                                         statistics: &statistics)
        return (result, statistics)
    }

    @Test("A shared switchboard number and a common name cost one candidate per record, at n and 4n")
    func sharedKeysStayCheap() throws {
        for count in [200, 800] {
            let (result, statistics) = try Self.match(count)
            #expect(statistics.lookups == count)
            #expect(statistics.candidatesScored <= count, "\(statistics.candidatesScored) candidates for \(count) records")
            #expect(statistics.judged == count)
            #expect(result.pairs.count == count)
        }
    }

    @Test("Every namesake pairs, however many share the name (not only the first candidateLimit)")
    func everyNamesakePairs() throws {
        let count = 8 * RecordMatcher.candidateLimit
        let (result, _) = try Self.match(count)
        #expect(result.unmatchedLeft.isEmpty && result.unmatchedRight.isEmpty)
        for pair in result.pairs where Int(pair.left.dropFirst())!.isMultiple(of: 2) {
            #expect(pair.left.dropFirst() == pair.right.dropFirst(), "an employee pairs with their own edited copy")
            #expect(pair.reason.agreedKeys.count == 3, "\(pair.reason)")
        }
    }
}
