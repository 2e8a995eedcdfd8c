package import SyncMLRecords
/// ``ContactGenerator``'s contacts in one vCard version: the same people for
/// every version, so a 2.1 book and a 4.0 book of one seed hold the same
/// records (equal fingerprints).
///
/// vCard 3.0 is the generator's bytes unchanged; 2.1 and 4.0 are converted
/// (``SampleRecordWriter``), so 2.1 values with non-ASCII text are
/// quoted-printable, as phones write them.
package struct ContactBook: Sendable {
    private var generator: ContactGenerator
    package let format: VFormat
    /// How many contacts have been written.
    package var count: Int { generator.count }

    package init(seed: UInt64, format: VFormat = .vCard30) {
        precondition([.vCard21, .vCard30, .vCard40].contains(format), "a contact book is a vCard version")
        generator = ContactGenerator(seed: seed)
        self.format = format
    }

    package mutating func next() -> [UInt8] {
        let card = generator.next()
        if format == .vCard30 { return card }
        return SampleRecordWriter.bytes(SampleRecordWriter.parse(card), as: format)
    }
}
