import CSupport
import SyncMLRecords
import SyncMLSampleData
import Testing
@testable import SyncMLStore

/// Coded frames (method 3, `csupport_zlib.h`): a short record written with Huffman codes
/// trained once on vCard and iCalendar text, whose block header every frame implies
/// instead of storing. zlib's inflate reads the header once and each body after it.
@Suite("Store payload frames: implied codes")
struct CodedFrameTests {
    private static let coded = UInt8(CSUPPORT_ZFRAME_METHOD_CODED)
    private static let deflate = UInt8(CSUPPORT_ZFRAME_METHOD_DEFLATE)

    @Test("The implied header is pinned: 948 bits, CRC-32 0x02B8DB32 over its 119 bytes (frames depend on them)")
    func pinnedHeader() {
        var header = [UInt8](repeating: 0, count: Int(CSUPPORT_CODED_HEADER_MAX))
        let bits = csupport_coded_header(&header, header.count)
        #expect(bits == 948)
        let bytes = (bits + 7) / 8
        #expect(csupport_crc32(header, bytes) == 0x02B8_DB32)
        // BFINAL 1, BTYPE 10 (dynamic codes), HLIT 29 and HDIST 29: all 286 and 30 codes.
        #expect(header[0] & 0b111 == 0b101)
        let counts = UInt16(header[1]) << 8 | UInt16(header[0])
        let literals = (counts >> 3) & 0x1F, distances = (counts >> 8) & 0x1F
        #expect(literals == 29 && distances == 29)
    }

    @Test("A short record of text is a coded frame, shorter than with fixed codes, and reads back")
    func shortText() throws {
        let record = Array("NOTE:Met at the conference in Berlin, call back on Monday about the renewal of the contract.\r\n".utf8)
        let dictionaries: [UInt8: [UInt8]] = [1: Array(repeating: UInt8(ascii: "z"), count: 64)]
        let codec = PayloadCodec(dictionaries: dictionaries, current: 1)
        let fixed = PayloadCodec(dictionaries: dictionaries, current: 1, codesShortRecords: false)
        let frame = try codec.encode(record), fixedFrame = try fixed.encode(record)
        #expect(frame[1] == Self.coded && frame[2] == 1)
        #expect(fixedFrame[1] == Self.deflate)
        #expect(frame.count < fixedFrame.count)
        #expect(try codec.decode(frame) == record)
        // Either codec reads either frame.
        #expect(try fixed.decode(frame) == record)
        #expect(try codec.decode(fixedFrame) == record)
    }

    @Test("A record the implied codes would not shorten keeps fixed codes: Cyrillic and Japanese text, random bytes")
    func keepsFixedCodes() throws {
        let codec = PayloadCodec(), fixed = PayloadCodec(codesShortRecords: false)
        var rng = SeededGenerator(seed: 77)
        let records: [[UInt8]] = [
            Array(String(repeating: "Съешь же ещё этих мягких французских булок, да выпей чаю. ", count: 12).utf8),
            Array(String(repeating: "いろはにほへとちりぬるをわかよたれそつねならむうゐのおくやまけふこえてあさきゆめみしゑひもせす", count: 6).utf8),
            (0..<1500).map { _ in UInt8.random(in: 128...255, using: &rng) },
        ]
        for record in records {
            let frame = try codec.encode(record)
            #expect(frame[1] != Self.coded)
            #expect(frame == (try fixed.encode(record)))
            #expect(try codec.decode(frame) == record)
        }
    }

    @Test("Generated address books and calendars: coded frames at least 10 % smaller than fixed codes, every one read back")
    func smaller() throws {
        let codec = PayloadCodec(), fixed = PayloadCodec(codesShortRecords: false)
        // The tests' own generator and the sample data's, at seeds the codes were not trained on.
        var events = EventGenerator(seed: 31), tasks = TaskGenerator(seed: 32)
        let books: [(String, [[UInt8]])] = [
            ("contacts (tests' generator)", AddressBook.contacts(1000, seed: 29)),
            ("events", (0..<300).map { _ in events.next(as: .iCalendar20) }),
            ("tasks", (0..<300).map { _ in tasks.next(as: .vCalendar10) }),
        ]
        for (name, records) in books {
            var codedBytes = 0, fixedBytes = 0
            for record in records where record.count <= 2048 {
                let frame = try codec.encode(record)
                #expect(try codec.decode(frame) == record)
                codedBytes += frame.count
                fixedBytes += try fixed.encode(record).count
            }
            print("\(name): coded \(codedBytes / records.count) B/frame, fixed codes \(fixedBytes / records.count) B/frame")
            #expect(Double(codedBytes) <= Double(fixedBytes) * 0.9, "\(name)")
        }
        #expect(codec.fastPathRejections == 0)
    }

    @Test("A lifted photo record codes its rest; the rest's method is coded (3)")
    func liftedRest() throws {
        var generator = ContactGenerator(seed: 16)
        var photo: [UInt8] = []
        while photo.count <= 2048 { photo = generator.next() }
        let codec = PayloadCodec()
        let frame = try codec.encode(photo)
        #expect(frame[1] == UInt8(CSUPPORT_ZFRAME_METHOD_LIFTED))
        #expect(frame[Int(CSUPPORT_ZFRAME_HEADER_SIZE)] == Self.coded)
        #expect(try codec.decode(frame) == photo)
        #expect(try PayloadCodec(codesShortRecords: false).encode(photo).count > frame.count)
    }

    @Test("Every corrupted byte of a coded frame gives a typed error or the record, so do truncations and an appended byte; the codec reads other frames after each")
    func everyByteCorrupted() throws {
        let codec = PayloadCodec()
        let record = AddressBook.contacts(1, seed: 41)[0]
        let other = AddressBook.contacts(1, seed: 42)[0]
        let frame = try codec.encode(record), otherFixed = try PayloadCodec(codesShortRecords: false).encode(other)
        #expect(frame[1] == Self.coded)
        try expectDamageCaught(in: frame, of: record, codec: codec, between: { () throws in
            let decoded = try codec.decode(otherFixed)
            #expect(decoded == other)
        })
    }
}
