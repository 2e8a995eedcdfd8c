import SyncMLRecords
import SyncMLSampleData
import Testing

@Suite("Overlapping books for the duplicate scenario")
struct OverlapTests {
    @Test("Exactly ⌊N·P/100⌋ of the first N records are twins, evenly spread")
    func twinCount() {
        for percent in [0, 1, 5, 30, 50, 99, 100] {
            for count in [1, 7, 100, 1_000] {
                let twins = (1...count).filter { OverlappingContactBook.isTwin($0, percent: percent) }.count
                #expect(twins == count * percent / 100)
            }
        }
    }

    @Test("Book B is deterministic, and its twins differ from A's bytes")
    func deterministic() {
        var b1 = OverlappingContactBook(seed: 4, percent: 40), b2 = OverlappingContactBook(seed: 4, percent: 40)
        var a = ContactBook(seed: 4)
        for _ in 0..<500 {
            let record = b1.next()
            #expect(record.bytes == b2.next().bytes)
            let original = a.next()
            #expect(record.bytes != original)
        }
    }

    @Test("Phone styles keep the last seven digits (the matcher's phone key)")
    func phoneStyles() {
        let numbers = ["+49 30 1234567", "+49 221 123456", "+1 415 555 0123", "+81 90-1234-5678", "+33 1 23 45 67 89",
                       "+86 10 1234 5678", "(555) 555-0123"]
        for number in numbers {
            let digits = String(number.filter(\.isNumber).suffix(7))
            for style in PhoneNumberStyle.allCases {
                let written = style.write(number)
                #expect(String(written.filter(\.isNumber).suffix(7)) == digits, "\(number) as \(style): \(written)")
            }
        }
        #expect(PhoneNumberStyle.national.write("+49 30 1234567") == "030/1234567")
        #expect(PhoneNumberStyle.internationalDigits.write("+49 30 1234567") == "0049301234567")
        #expect(PhoneNumberStyle.national.write("+1 415 555 0123") == "(415) 555-0123")
    }

    /// Book A in `a`, book B with `percent` overlap in `b`: how the matcher pairs them.
    struct Pairing {
        var twins = 0, twinsPaired = 0, strangersPaired = 0, wrongPairs = 0
        /// The keys on which a new person was paired with one of A's.
        var strangerReasons: [[String]] = []
        var missedBy: [ContactVariation: Int] = [:]
        var twinsBy: [ContactVariation: Int] = [:]
    }

    static func pair(count: Int, seed: UInt64, percent: Int, a: VFormat, b: VFormat) throws -> Pairing {
        var bookA = ContactBook(seed: seed, format: a)
        var bookB = OverlappingContactBook(seed: seed, percent: percent, format: b)
        var left: [RecordMatcher.Entry] = [], right: [RecordMatcher.Entry] = []
        var variations: [String: [ContactVariation]] = [:]
        for number in 1...count {
            left.append(.init(id: "a\(number)", signature: try RecordSignature(parsing: bookA.next())))
            let record = bookB.next()
            right.append(.init(id: "b\(number)", signature: try RecordSignature(parsing: record.bytes)))
            if let twin = record.twin {
                #expect(twin == number)
                variations["b\(number)"] = record.variations
            }
        }
        var result = Pairing(twins: variations.count)
        for applied in variations.values { for variation in applied { result.twinsBy[variation, default: 0] += 1 } }
        var paired: Set<String> = []
        for pair in RecordMatcher.match(left, right).pairs {
            guard variations[pair.right] != nil else {
                result.strangersPaired += 1
                result.strangerReasons.append(pair.reason.agreedKeys)
                continue
            }
            if pair.left.dropFirst() == pair.right.dropFirst() {
                result.twinsPaired += 1
                paired.insert(pair.right)
            } else {
                result.wrongPairs += 1
            }
        }
        for (id, applied) in variations where !paired.contains(id) {
            for variation in applied { result.missedBy[variation, default: 0] += 1 }
        }
        return result
    }

    @Test("The matcher pairs B's twins with their A counterparts and nothing else",
          arguments: [(VFormat.vCard30, VFormat.vCard30), (.vCard30, .vCard21), (.vCard40, .vCard21), (.vCard21, .vCard40)])
    func matcherPairsTwins(a: VFormat, b: VFormat) throws {
        let pairing = try Self.pair(count: 1_000, seed: 1, percent: 30, a: a, b: b)
        print("A \(a.displayName), B \(b.displayName), 1,000 each, 30 % overlap: \(pairing.twinsPaired) of \(pairing.twins) twins paired, "
            + "\(pairing.strangersPaired) new people paired (\(pairing.strangerReasons)), \(pairing.wrongPairs) twins paired with another; variations "
            + "\(pairing.twinsBy.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }), "
            + "missed by variation \(pairing.missedBy.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" })")
        #expect(pairing.twins == 300)
        #expect(pairing.twinsPaired == pairing.twins)
        // New people are drawn from the same small name pools, so many are
        // namesakes of A's people. The English phone patterns (`+1 415 555 ####`,
        // `(555) 555-####`) leave 4 random digits in the 7 the phone key keeps:
        // a namesake with one such number in common is paired. That is the only
        // way a new person pairs, and it stays rare.
        #expect(pairing.strangersPaired <= 4)
        for keys in pairing.strangerReasons {
            #expect(keys.count == 2 && keys[0] == "name" && keys[1].hasPrefix("phone:555"), "\(keys)")
        }
        #expect(pairing.wrongPairs == 0)
        for variation in ContactVariation.allCases { #expect(pairing.twinsBy[variation, default: 0] > 20, "\(variation) is exercised") }
    }
}
