import CSupport
import Testing
@testable import SyncMLStore

/// With a dictionary, records of at most 2,048 bytes skip zlib's deflate: the codec writes them as
/// one fixed-Huffman block of its own (`CSupport/src/fixed_deflate.h`), checks
/// each by inflating it, and zlib's inflate reads them like any deflate stream.
@Suite("Store payload frames: the fixed-Huffman fast path")
struct FastPathFrameTests {
    /// Bits 0-2 of a deflate stream: BFINAL, then BTYPE (01 fixed, 10 dynamic codes).
    private func blockHeader(_ frame: [UInt8]) -> UInt8 { frame[header] & 0b111 }
    private let header = Int(CSUPPORT_ZFRAME_HEADER_SIZE)

    @Test("A short record is one final fixed-Huffman block: a, b, c, then <length 21, distance 3>, end of block")
    func knownBytes() throws {
        // A dictionary without a, b or c: nothing in it to refer to. (Coded, the record is shorter: CodedFrameTests.)
        let codec = PayloadCodec(dictionaries: [1: Array(repeating: UInt8(ascii: "z"), count: 64)], current: 1, codesShortRecords: false)
        let frame = try codec.encode(Array("abcabcabcabcabcabcabcabc".utf8))
        #expect(frame[1] == 1 && frame[2] == 1)
        #expect(Array(frame[header...]) == [0x4B, 0x4C, 0x4A, 0xC6, 0x8A, 0x00])
        #expect(try codec.decode(frame) == Array("abcabcabcabcabcabcabcabc".utf8))
    }

    @Test("Records up to 2,048 bytes take the fast path, longer ones their own codes (LongRecordFrameTests), and limits 0 turn both off")
    func whichPath() throws {
        let codec = PayloadCodec(longLimit: 0, codesShortRecords: false)
        let zlibOnly = PayloadCodec(fastLimit: 0, longLimit: 0)
        for contact in AddressBook.contacts(50, seed: 5) {
            #expect(contact.count <= 2048)
            #expect(blockHeader(try codec.encode(contact)) == 0b011)
        }
        let long = Array(AddressBook.contacts(8, seed: 6).joined())
        #expect(long.count > 2048)
        #expect(try codec.encode(long) == zlibOnly.encode(long))
        let edge = Array(long[..<2048]), over = Array(long[..<2049])
        #expect(blockHeader(try codec.encode(edge)) == 0b011)
        #expect(try codec.encode(over) == zlibOnly.encode(over))
        #expect(codec.fastPathRejections == 0)
        // Without a dictionary every record goes to zlib (fixed codes would lose ~10 % there).
        let plain = PayloadCodec(useDictionary: false)
        for contact in AddressBook.contacts(5, seed: 5) {
            #expect(try plain.encode(contact) == PayloadCodec(useDictionary: false, fastLimit: 0, longLimit: 0).encode(contact))
        }
    }

    @Test("Every length from 2 to 2,100 bytes round-trips, for text, runs, near repeats, dictionary pieces and noise")
    func everyLength() throws {
        for codec in [PayloadCodec(), PayloadCodec(codesShortRecords: false)] { try everyLength(codec) }
    }

    private func everyLength(_ codec: PayloadCodec) throws {
        let zlibOnly = PayloadCodec(fastLimit: 0, longLimit: 0)
        let dictionary = PayloadDictionary.bytes(for: PayloadDictionary.current)!
        let text = Array(AddressBook.contacts(10, seed: 9).joined())
        var rng = SeededGenerator(seed: 2026)
        for length in 2...2100 {
            let samples: [[UInt8]] = [
                Array(text[(length % 97)..<(length % 97 + length)]),
                Array(repeating: UInt8(truncatingIfNeeded: length), count: length),  // distance 1, lengths up to 258
                (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) },   // stored: nothing to gain
                Self.nearRepeats(length, using: &rng),
                Self.dictionaryPieces(length, dictionary: dictionary, using: &rng),       // the farthest distances here
            ]
            for sample in samples {
                let frame = try codec.encode(sample)
                #expect(frame.count <= sample.count + header)
                #expect(try codec.decode(frame) == sample, "length \(length)")
                // One decoder reads both encoders' frames.
                #expect(try zlibOnly.decode(frame) == sample)
            }
        }
        #expect(codec.fastPathRejections == 0)
    }

    @Test("On a generated address book the fast path keeps within 5 % of zlib's frame sizes")
    func ratio() throws {
        let contacts = AddressBook.contacts(2000, seed: 13)
        let fast = try contacts.reduce(0) { try $0 + PayloadCodec().encode($1).count }
        let zlib = try contacts.reduce(0) { try $0 + PayloadCodec(fastLimit: 0, longLimit: 0).encode($1).count }
        let raw = contacts.reduce(0) { $0 + $1.count }
        print("fast path: \(fast / contacts.count) B/frame, zlib: \(zlib / contacts.count) B/frame, records \(raw / contacts.count) B")
        #expect(Double(fast) <= Double(zlib) * 1.05)
    }

    /// Short random sequences repeated with small changes: many short matches at many distances.
    static func nearRepeats(_ length: Int, using rng: inout SeededGenerator) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        while bytes.count < length {
            let back = Int.random(in: 1...max(1, min(bytes.count, 300)), using: &rng)
            if bytes.count < 4 || Int.random(in: 0..<5, using: &rng) == 0 {
                bytes.append(UInt8.random(in: 32...126, using: &rng))
            } else {
                bytes.append(bytes[bytes.count - back])
            }
        }
        return bytes
    }

    /// Pieces of the dictionary in random order: matches that reach back into it.
    static func dictionaryPieces(_ length: Int, dictionary: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        while bytes.count < length {
            let start = Int.random(in: 0..<dictionary.count, using: &rng)
            let count = min(Int.random(in: 3...300, using: &rng), dictionary.count - start, length - bytes.count)
            bytes.append(contentsOf: dictionary[start..<(start + count)])
        }
        return bytes
    }
}
