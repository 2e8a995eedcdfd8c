package import SyncMLRecords
/// Book B of the duplicate scenario: `percent` of its contacts are people of
/// book A (the ``ContactBook`` of the same seed) written differently
/// (``ContactVariation``), the rest are people A does not have.
///
/// Record *i* of B is a twin of record *i* of A when it is one of the
/// `percent` in 100; twins are spread evenly (exactly ⌊N·percent/100⌋ of the
/// first N records), so a slow sync of A against B should pair exactly those.
/// New people come from a generator with another seed; being drawn from the
/// same name pools, many are namesakes of A's people, as in real books.
package struct OverlappingContactBook: Sendable {
    /// One contact of book B.
    package struct Record: Sendable {
        package var bytes: [UInt8]
        /// The 1-based number of the same person in book A, or nil for a new person.
        package var twin: Int?
        /// How the twin was rewritten (empty for a new person).
        package var variations: [ContactVariation]
    }

    private var people: ContactGenerator
    private var strangers: ContactGenerator
    private let seed: UInt64
    package let percent: Int
    package let format: VFormat
    /// How many contacts have been written.
    package private(set) var count = 0

    /// Salts of the derived streams: new people, and each twin's variations.
    static let strangerSalt: UInt64 = 0xB00C_0000_0000_0002
    static let variationSalt: UInt64 = 0xB00C_0000_0000_0003

    package init(seed: UInt64, percent: Int, format: VFormat = .vCard30) {
        precondition((0...100).contains(percent), "an overlap is a percentage")
        precondition([.vCard21, .vCard30, .vCard40].contains(format), "a contact book is a vCard version")
        people = ContactGenerator(seed: seed)
        var mixer = SplitMix64(seed: seed ^ Self.strangerSalt)
        strangers = ContactGenerator(seed: mixer.next())
        self.seed = seed
        self.percent = percent
        self.format = format
    }

    /// Whether record `number` (1-based) of a book with `percent` overlap is a twin.
    package static func isTwin(_ number: Int, percent: Int) -> Bool {
        number * percent / 100 > (number - 1) * percent / 100
    }

    package mutating func next() -> Record {
        count += 1
        // A's person is drawn for every record, twin or not, so that record i
        // of B is always A's person i.
        let person = people.next()
        guard Self.isTwin(count, percent: percent) else {
            let stranger = strangers.next()
            let bytes = format == .vCard30 ? stranger : SampleRecordWriter.bytes(SampleRecordWriter.parse(stranger), as: format)
            return Record(bytes: bytes, twin: nil, variations: [])
        }
        var random = SplitMix64.derived(seed: seed, salt: Self.variationSalt, index: count)
        let (card, applied) = ContactVariation.rewrite(SampleRecordWriter.parse(person), random: &random)
        return Record(bytes: SampleRecordWriter.bytes(card, as: format), twin: count, variations: applied)
    }
}
