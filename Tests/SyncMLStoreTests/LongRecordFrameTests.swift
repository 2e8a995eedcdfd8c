import CSupport
import SyncMLSampleData
import Testing
@testable import SyncMLStore

/// Records longer than the fast limit (2,048 bytes) and of at most 32,767 skip zlib's deflate too:
/// the same LZ77, then one block with Huffman codes built from the record's own symbol counts
/// (`csupport_dynamic_deflate`, RFC 1951 BTYPE 10), checked by inflating it like the short path.
@Suite("Store payload frames: long records with codes of their own")
struct LongRecordFrameTests {
    /// Bits 0-2 of a deflate stream: BFINAL, then BTYPE (01 fixed, 10 dynamic codes).
    private func blockHeader(_ frame: [UInt8]) -> UInt8 { frame[header] & 0b111 }
    private let header = Int(CSUPPORT_ZFRAME_HEADER_SIZE)
    private let fastLimit = Int(CSUPPORT_ZFRAME_FAST_LIMIT_MAX), longLimit = Int(CSUPPORT_ZFRAME_LONG_LIMIT_MAX)

    @Test("With the fast limit at 0 a short record takes the long path: one final block with its own codes for a, b, c, <21, 3>, end")
    func knownBytes() throws {
        let codec = PayloadCodec(dictionaries: [1: Array(repeating: UInt8(ascii: "z"), count: 64)], current: 1, fastLimit: 0)
        let record = Array("abcabcabcabcabcabcabcabc".utf8)
        let frame = try codec.encode(record)
        #expect(blockHeader(frame) == 0b101)
        // HLIT 257 + 19 (length symbol 275), HDIST 2 (distance symbol 1, and 0: every tree has two codes).
        #expect(Array(frame[header...]) == [0x6D, 0xC2, 0x01, 0x0D, 0x00, 0x00, 0x00, 0x82, 0xB0, 0xAC, 0x4A, 0xFF, 0x0E, 0x14, 0xE0,
                                            0xFB, 0x4E, 0x16])
        #expect(try PayloadCodec(dictionaries: [1: Array(repeating: UInt8(ascii: "z"), count: 64)], current: 1, fastLimit: 0, longLimit: 0)
            .decode(frame) == record)
        #expect(codec.fastPathRejections == 0)
    }

    @Test("Up to 2,048 bytes fixed or implied codes, 2,049 to 32,767 the record's own codes, longer zlib; longLimit 0 sends them to zlib")
    func whichPath() throws {
        let codec = PayloadCodec()
        let dynamicOnly = PayloadCodec(fastLimit: 0)
        let zlibOnly = PayloadCodec(fastLimit: 0, longLimit: 0)
        let text = Array(repeating: Array(AddressBook.contacts(80, seed: 21).joined()), count: 2).joined()
        #expect(text.count > longLimit + 1)
        let record = { (length: Int) in Array(text.prefix(length)) }
        #expect(try codec.encode(record(fastLimit))[1] == UInt8(CSUPPORT_ZFRAME_METHOD_CODED))
        for length in [fastLimit + 1, 4096, longLimit] {
            let frame = try codec.encode(record(length))
            #expect(blockHeader(frame) == 0b101)
            #expect(frame == (try dynamicOnly.encode(record(length))), "length \(length)")
            #expect(frame != (try zlibOnly.encode(record(length))), "length \(length)")
        }
        #expect(try codec.encode(record(longLimit + 1)) == zlibOnly.encode(record(longLimit + 1)))
        #expect(try PayloadCodec(longLimit: 0).encode(record(fastLimit + 1)) == zlibOnly.encode(record(fastLimit + 1)))
        #expect(codec.fastPathRejections == 0 && dynamicOnly.fastPathRejections == 0)
        // Without a dictionary every record goes to zlib, long ones too.
        #expect(try PayloadCodec(useDictionary: false).encode(record(4096))
            == PayloadCodec(useDictionary: false, fastLimit: 0, longLimit: 0).encode(record(4096)))
    }

    @Test("Around and above the limits, base64, text, runs, near repeats, dictionary pieces, skewed counts and noise round-trip")
    func lengthClasses() throws {
        let codec = PayloadCodec()
        let zlibOnly = PayloadCodec(fastLimit: 0, longLimit: 0)
        let dictionary = PayloadDictionary.bytes(for: PayloadDictionary.current)!
        let text = Array(Array(repeating: Array(AddressBook.contacts(80, seed: 9).joined()), count: 2).joined())
        var rng = SeededGenerator(seed: 16)
        let lengths = Array(2040...2060) + [3000, 4095, 4096, 4097, 4730, 8192, 16383, 16384, 16385, 30000]
            + Array(longLimit - 3...longLimit + 3)
        for length in lengths {
            let samples: [[UInt8]] = [
                Self.base64Lines(length, using: &rng),
                Array(text[(length % 97)..<(length % 97 + length)]),
                Array(repeating: UInt8(truncatingIfNeeded: length), count: length),
                (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) },
                FastPathFrameTests.nearRepeats(length, using: &rng),
                FastPathFrameTests.dictionaryPieces(length, dictionary: dictionary, using: &rng),
                Self.skewed(length, using: &rng),
            ]
            for sample in samples {
                let frame = try codec.encode(sample)
                #expect(frame.count <= sample.count + header)
                #expect(try codec.decode(frame) == sample, "length \(length)")
                #expect(try zlibOnly.decode(frame) == sample, "length \(length)")
            }
        }
        #expect(codec.fastPathRejections == 0)
    }

    @Test("Every length from 2 to 2,100 round-trips through the dynamic-code encoder (fast limit 0)")
    func shortBlocks() throws {
        let codec = PayloadCodec(fastLimit: 0)
        let zlibOnly = PayloadCodec(fastLimit: 0, longLimit: 0)
        let text = Array(AddressBook.contacts(10, seed: 3).joined())
        var rng = SeededGenerator(seed: 7)
        for length in 2...2100 {
            for sample in [Array(text[(length % 89)..<(length % 89 + length)]), Self.base64Lines(length, using: &rng),
                           Array(repeating: UInt8(ascii: "A"), count: length), Self.skewed(length, using: &rng)] {
                let frame = try codec.encode(sample)
                #expect(try zlibOnly.decode(frame) == sample, "length \(length)")
            }
        }
        #expect(codec.fastPathRejections == 0)
    }

    @Test("On generated contacts with a PHOTO the long path keeps within 3 % of zlib's frame sizes")
    func ratio() throws {
        var generator = ContactGenerator(seed: 16)
        var photos: [[UInt8]] = []
        while photos.count < 40 {
            let contact = generator.next()
            if contact.count > fastLimit { photos.append(contact) }
        }
        // Without lifting the photos' base64 (LiftedFrameTests): this compares the encoders on the text.
        let codec = PayloadCodec(liftsBase64: false)
        let zlibOnly = PayloadCodec(fastLimit: 0, longLimit: 0, liftsBase64: false)
        let long = try photos.reduce(0) { try $0 + codec.encode($1).count }
        let zlib = try photos.reduce(0) { try $0 + zlibOnly.encode($1).count }
        let raw = photos.reduce(0) { $0 + $1.count }
        print("long path: \(long / photos.count) B/frame, zlib: \(zlib / photos.count) B/frame, records \(raw / photos.count) B")
        #expect(Double(long) <= Double(zlib) * 1.03)
        for photo in photos { #expect(blockHeader(try codec.encode(photo)) == 0b101) }
        #expect(codec.fastPathRejections == 0)
    }

    /// Base64 of random bytes folded like a vCard PHOTO (75 octets, CRLF and a space): ~6 bits a character.
    static func base64Lines(_ length: Int, using rng: inout SeededGenerator) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var bytes: [UInt8] = Array("PHOTO;ENCODING=b;TYPE=JPEG:".utf8.prefix(length))
        var column = bytes.count
        while bytes.count < length {
            if column == 75 {
                bytes += [13, 10, 32].prefix(length - bytes.count)
                column = 1
            } else {
                bytes.append(alphabet[Int.random(in: 0..<64, using: &rng)])
                column += 1
            }
        }
        return bytes
    }

    /// Bytes drawn with Fibonacci-like weights over 24 values: deep Huffman trees, cut to 15 bits.
    static func skewed(_ length: Int, using rng: inout SeededGenerator) -> [UInt8] {
        var weights: [Int] = [1, 1]
        while weights.count < 24 { weights.append(weights[weights.count - 1] + weights[weights.count - 2]) }
        let total = weights.reduce(0, +)
        return (0..<length).map { _ in
            var pick = Int.random(in: 0..<total, using: &rng)
            var value = 0
            while pick >= weights[value] { pick -= weights[value]; value += 1 }
            return UInt8(value * 7)
        }
    }
}
