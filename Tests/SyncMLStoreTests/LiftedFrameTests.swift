import CSupport
import SyncMLSampleData
import Testing
@testable import SyncMLStore

/// Long base64 values (a contact's `PHOTO`) are kept in the frame as their bytes and
/// the layout that writes their text back (method 2, `CSupport/src/base64_lift.h`);
/// the record must come back byte for byte whatever its shape.
@Suite("Store payload frames: base64 kept as bytes")
struct LiftedFrameTests {
    private static let lifted = UInt8(CSUPPORT_ZFRAME_METHOD_LIFTED)
    private static let separators = ["\r\n ", "\n ", "\r\n", "\n", "\r\n\t", "\r\n    ", " "]

    @Test("A generated contact's folded PHOTO is lifted: byte-exact, and its frames smaller than without")
    func generatedPhotos() throws {
        var generator = ContactGenerator(seed: 16)
        var photos: [[UInt8]] = []
        while photos.count < 40 {
            let contact = generator.next()
            if contact.count > 2048 { photos.append(contact) }
        }
        let codec = PayloadCodec(), plain = PayloadCodec(liftsBase64: false)
        var liftedBytes = 0, plainBytes = 0
        for photo in photos {
            let frame = try codec.encode(photo)
            #expect(frame[1] == Self.lifted)
            #expect(try codec.decode(frame) == photo)
            #expect(try plain.decode(frame) == photo)
            liftedBytes += frame.count
            plainBytes += try plain.encode(photo).count
        }
        let raw = photos.reduce(0) { $0 + $1.count }
        print("lifted: \(liftedBytes / photos.count) B/frame, not lifted: \(plainBytes / photos.count) B/frame, records \(raw / photos.count) B")
        #expect(Double(liftedBytes) < Double(plainBytes) * 0.97)
        #expect(codec.fastPathRejections == 0)
        // Contacts without a long base64 value are written as before.
        for contact in AddressBook.contacts(50, seed: 4) { #expect(try codec.encode(contact) == plain.encode(contact)) }
    }

    @Test("Folded and unfolded base64 of every remainder, first-line and line lengths, CRLF or LF, round-trips byte for byte",
          arguments: separators)
    func layouts(separator: String) throws {
        let codec = PayloadCodec(), noDictionary = PayloadCodec(useDictionary: false)
        var rng = SeededGenerator(seed: 77)
        for count in [60, 96, 97, 98, 250, 1000, 3001] {
            for (first, line) in [(10_000, 0), (1, 1), (3, 4), (48, 74), (75, 75), (20, 76), (64, 64), (100, 72)] {
                let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let record = Array("BEGIN:VCARD\r\nVERSION:3.0\r\nPHOTO;ENCODING=b;TYPE=JPEG:".utf8)
                    + Self.base64(bytes, first: first, line: line, separator: separator) + Array("\r\nEND:VCARD\r\n".utf8)
                for codec in [codec, noDictionary] {
                    let frame = try codec.encode(record)
                    #expect(try codec.decode(frame) == record, "\(count) bytes, \(first)/\(line)")
                    // 128 characters (96 bytes) and up are lifted.
                    #expect((frame[1] == Self.lifted) == (count >= 96), "\(count) bytes, \(first)/\(line)")
                }
            }
        }
        #expect(codec.fastPathRejections == 0 && noDictionary.fastPathRejections == 0)
    }

    @Test("The shortest values lifted: 94 and 95 bytes are 128 characters with two and one '=', 126 and 127 of the alphabet",
          arguments: [(10_000, 0), (75, 75), (20, 76), (64, 64)])
    func shortestLifted(first: Int, line: Int) throws {
        // Every record is first read for a stretch of that many alphabet characters (separators
        // and '=' between them); a record without one is passed over, so the count must be exact.
        let codec = PayloadCodec()
        var rng = SeededGenerator(seed: 94)
        for count in [93, 94, 95] {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Bytes outside the alphabet on both sides ("END" after a line break would count).
            let record = Array("BEGIN:VCARD\r\nVERSION:3.0\r\nKEY;ENCODING=b:".utf8)
                + Self.base64(bytes, first: first, line: line, separator: "\r\n ") + Array(";\r\n".utf8)
            let frame = try codec.encode(record)
            #expect(try codec.decode(frame) == record)
            #expect((frame[1] == Self.lifted) == (count >= 94), "\(count) bytes, \(first)/\(line)")
        }
    }

    @Test("A vCard 2.1 with quoted-printable neighbours and two BASE64 values round-trips, both values lifted")
    func vCard21() throws {
        var rng = SeededGenerator(seed: 21)
        let photo = (0..<2500).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let key = (0..<301).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let record = Array("""
            BEGIN:VCARD\r
            VERSION:2.1\r
            N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=B6rg\r
            NOTE;ENCODING=QUOTED-PRINTABLE:Erste Zeile=0D=0AZweite Zeile mit einem sehr langen Text, der umbro=\r
            chen wird=3D=3D\r
            PHOTO;ENCODING=BASE64;TYPE=JPEG:\r

            """.utf8) + Self.base64(photo, first: 0, line: 72, separator: "\r\n    ", lead: "    ")
            + Array("\r\n\r\nKEY;ENCODING=BASE64:".utf8) + Self.base64(key, first: 10_000, line: 0, separator: "")
            + Array("\r\nNOTE;ENCODING=QUOTED-PRINTABLE:=41=42=43=3D=\r\n=3D\r\nEND:VCARD\r\n".utf8)
        let codec = PayloadCodec()
        let frame = try codec.encode(record)
        #expect(frame[1] == Self.lifted)
        #expect(frame[Int(CSUPPORT_ZFRAME_HEADER_SIZE) + 1] == 2, "two segments")
        #expect(try codec.decode(frame) == record)
        #expect(frame.count < (try PayloadCodec(liftsBase64: false).encode(record)).count)
    }

    @Test("Malformed or irregular base64 is kept verbatim: the record round-trips, and what is not canonical stays text")
    func malformed() throws {
        var rng = SeededGenerator(seed: 5)
        let codec = PayloadCodec(), plain = PayloadCodec(liftsBase64: false)
        let bytes = (0..<600).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let good = Self.base64(bytes, first: 48, line: 74, separator: "\r\n ")
        func record(_ value: [UInt8]) -> [UInt8] {
            Array("BEGIN:VCARD\r\nPHOTO;ENCODING=b:".utf8) + value + Array("\r\nEND:VCARD\r\n".utf8)
        }
        var samples: [[UInt8]] = []
        // Padding bits not zero ("xR==" cannot come from any byte): the last quad stays text.
        var unpadded = Self.base64(Array(bytes[..<301]), first: 10_000, line: 0, separator: "")
        unpadded[unpadded.count - 3] = UInt8(ascii: "R")
        samples.append(unpadded)
        // One line short in the middle, separators that differ, a stray byte, '=' inside, the URL-safe alphabet.
        var short = good
        short.remove(at: 200)
        samples.append(short)
        samples.append(Self.base64(Array(bytes[..<150]), first: 48, line: 74, separator: "\n ") + Array("\r\n ".utf8)
                       + Self.base64(Array(bytes[150...]), first: 74, line: 74, separator: "\r\n "))
        for stray in [UInt8(ascii: "*"), UInt8(ascii: "="), 0x00, 0xC3] {
            var damaged = good
            damaged[333] = stray
            samples.append(damaged)
        }
        samples.append(good.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0 })
        // No padding where it is due, three '=' at the end, a value cut mid-quad.
        let odd = Self.base64(Array(bytes[..<299]), first: 48, line: 74, separator: "\r\n ")
        samples.append(Array(odd.dropLast()))
        samples.append(odd + [UInt8(ascii: "=")])
        samples.append(Array(good.dropLast(2)))
        for value in samples {
            let sample = record(value)
            let frame = try codec.encode(sample)
            #expect(try codec.decode(frame) == sample)
            #expect(try plain.decode(frame) == sample)
        }
        // The non-canonical quad is not lifted: re-encoding the bytes would change it.
        let frame = try codec.encode(record(unpadded))
        #expect(frame[1] == Self.lifted)
        #expect(try codec.decode(frame) == record(unpadded))
        // Base64 of text (bytes far from random): left to deflate, which does better with it.
        let text = Array(AddressBook.contacts(3, seed: 1).joined())
        let ofText = record(Self.base64(text, first: 48, line: 74, separator: "\r\n "))
        #expect(try codec.encode(ofText) == plain.encode(ofText))
        #expect(codec.fastPathRejections == 0)
    }

    @Test("Every corrupted byte of a lifted frame gives a typed error, and so do truncations and an appended byte")
    func everyByteCorrupted() throws {
        var rng = SeededGenerator(seed: 9)
        let codec = PayloadCodec()
        let photo = (0..<200).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for separator in ["\r\n ", ""] {
            let record = Array("BEGIN:VCARD\r\nFN:A\r\nPHOTO;ENCODING=b:".utf8)
                + Self.base64(photo, first: separator.isEmpty ? 10_000 : 40, line: separator.isEmpty ? 0 : 74, separator: separator)
                + Array("\r\nEND:VCARD\r\n".utf8)
            let frame = try codec.encode(record)
            #expect(frame[1] == Self.lifted)
            try expectDamageCaught(in: frame, of: record, codec: codec)
        }
    }

    /// Standard base64 with padding: `lead` first, then `first` characters, then `separator`
    /// before every further `line` of them (`first` 0: a separator-free first line of `line`).
    static func base64(_ bytes: [UInt8], first: Int, line: Int, separator: String, lead: String = "") -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var characters: [UInt8] = []
        for start in stride(from: 0, to: bytes.count, by: 3) {
            let group = bytes[start..<min(start + 3, bytes.count)]
            let value = group.enumerated().reduce(0) { $0 | Int($1.element) << (16 - 8 * $1.offset) }
            for index in 0..<4 { characters.append(index <= group.count ? alphabet[(value >> (18 - 6 * index)) & 63] : UInt8(ascii: "=")) }
        }
        var out = Array(lead.utf8)
        var left = first == 0 ? line : first
        for character in characters {
            if left == 0 {
                out += Array(separator.utf8)
                left = line
            }
            out.append(character)
            left -= 1
        }
        return out
    }
}
