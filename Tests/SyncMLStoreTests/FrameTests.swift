import CSupport
import Foundation
import Testing
@testable import SyncMLStore

@Suite("Store payload frames")
struct FrameTests {
    let samples: [[UInt8]] = [[], [0x41], Array("BEGIN:VCARD\r\nEND:VCARD\r\n".utf8)] + AddressBook.contacts(5)
        + [(0..<600).map { _ in UInt8.random(in: 0...255) }]

    @Test("Round trip: empty, tiny, vCards, incompressible bytes (stored), with and without the dictionary")
    func roundTrip() throws {
        for useDictionary in [true, false] {
            let codec = PayloadCodec(useDictionary: useDictionary)
            for sample in samples {
                let frame = try codec.encode(sample)
                #expect(try codec.decode(frame) == sample)
                #expect(frame.count <= sample.count + 11)
                #expect(PayloadCodec.payloadLength(of: frame) == sample.count)
            }
            // The codec's streams are reused: many records in a row, interleaved decodes.
            let contacts = AddressBook.contacts(50, seed: 7)
            let frames = try contacts.map { try codec.encode($0) }
            #expect(try frames.map { try codec.decode($0) } == contacts)
        }
    }

    @Test("Each record starts from the primed state: a frame does not depend on the records before it")
    func framesIndependentOfHistory() throws {
        let contacts = AddressBook.contacts(20, seed: 11) + [(0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }]
        let busy = PayloadCodec()
        for contact in contacts { _ = try busy.encode(contact) }
        for contact in contacts.reversed() {
            // The codec that compressed everything else gives what a fresh one gives.
            #expect(try busy.encode(contact) == PayloadCodec().encode(contact))
        }
        // A record larger than the window still round-trips and still names the dictionary.
        let large = Array(AddressBook.contacts(40, seed: 3).joined())
        let frame = try busy.encode(large)
        #expect(frame[1] == 1 && frame[2] == PayloadDictionary.current)
        #expect(try busy.decode(frame) == large)
    }

    @Test("Frame layout: magic/version, method, dictionary id, length, CRC-32")
    func layout() throws {
        let contact = AddressBook.contacts(1)[0]
        let frame = try PayloadCodec().encode(contact)
        #expect(frame[0] == 0xD1)
        #expect(frame[1] == 3) // coded: deflate with the implied codes
        #expect(frame[2] == PayloadDictionary.current)
        let length = UInt32(frame[3]) | UInt32(frame[4]) << 8 | UInt32(frame[5]) << 16 | UInt32(frame[6]) << 24
        #expect(Int(length) == contact.count)
        let crc = UInt32(frame[7]) | UInt32(frame[8]) << 8 | UInt32(frame[9]) << 16 | UInt32(frame[10]) << 24
        #expect(crc == csupport_crc32(contact, contact.count))
        let random = (0..<100).map { _ in UInt8.random(in: 0...255) }
        let stored = try PayloadCodec().encode(random)
        #expect(stored[1] == 0 && stored[2] == 0 && Array(stored[11...]) == random)
    }

    @Test("Every corrupted byte of a frame gives a typed error, never wrong data")
    func everyByteCorrupted() throws {
        let codec = PayloadCodec()
        for sample in [AddressBook.contacts(1, seed: 3)[0], Array("short".utf8), (0..<64).map { UInt8($0) }] {
            let frame = try codec.encode(sample)
            let silent = try expectDamageCaught(in: frame, of: sample, codec: codec)
            #expect(silent <= 3, "\(silent) corruptions decoded (to the original)")
        }
    }

    @Test("A frame naming an unknown dictionary, or a different dictionary under its id, is an error")
    func dictionaryMismatch() throws {
        let contact = AddressBook.contacts(1)[0]
        let frame = try PayloadCodec().encode(contact)
        var renamed = frame
        renamed[2] = 9
        #expect { try PayloadCodec().decode(renamed) } throws: { ($0 as? StoreError)?.kind == .unknownDictionary }
        // A build whose dictionary 1 has other bytes: the CRC (or deflate) catches it.
        let other = PayloadCodec(dictionaries: [1: Array(repeating: 0x41, count: 4096)], current: 1)
        #expect { try other.decode(frame) } throws: { ($0 as? StoreError)?.kind == .corruptFrame }
        // A build that lacks dictionary 1.
        let none = PayloadCodec(dictionaries: [:], current: 0)
        #expect { try none.decode(frame) } throws: { ($0 as? StoreError)?.kind == .unknownDictionary }
    }

    @Test("The built-in dictionary is at most 4 KiB and its bytes are pinned to its id")
    func dictionaryPinned() {
        for id in UInt8(1)...PayloadDictionary.current {
            let bytes = PayloadDictionary.bytes(for: id)!
            #expect(bytes.count <= 4096)
            #expect(csupport_crc32(bytes, bytes.count) == PayloadDictionary.pinnedCRC[id],
                    "dictionary \(id) changed: add a new id instead (CRC now \(String(csupport_crc32(bytes, bytes.count), radix: 16)), \(bytes.count) bytes)")
        }
    }

    @Test("Compression ratio on a generated address book, with and without the dictionary")
    func compressionRatio() throws {
        let contacts = AddressBook.contacts(5000)
        let raw = contacts.reduce(0) { $0 + $1.count }
        var report = "compression of \(contacts.count) generated vCards, \(raw / contacts.count) B average:"
        for (name, codec) in [("no dictionary", PayloadCodec(useDictionary: false)), ("dictionary v\(PayloadDictionary.current)", PayloadCodec())] {
            let start = ContinuousClock.now
            var framed = 0
            for contact in contacts { framed += try codec.encode(contact).count }
            let encode = ContinuousClock.now - start
            let frames = try contacts.map { try codec.encode($0) }
            let decodeStart = ContinuousClock.now
            for frame in frames { _ = try codec.decode(frame) }
            let decode = ContinuousClock.now - decodeStart
            let ratio = Double(raw) / Double(framed)
            report += "\n  \(name): \(framed / contacts.count) B/frame (header included), ratio \((ratio * 100).rounded() / 100)"
                + ", encode \(microseconds(encode, contacts.count)) µs/record, decode \(microseconds(decode, contacts.count)) µs/record"
            #expect(ratio > 1.2)
        }
        print(report)
    }

    /// The records SyncEvolution keeps (`shared/fixtures/syncevolution/*/client-data-before/`):
    /// real vCard 2.1/3.0 and iCalendar/vCalendar text the dictionary was not written from.
    static let fixtureRecords: [[UInt8]] = {
        let shared = ProcessInfo.processInfo.environment["SYNCML_SHARED"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared")
        let root = shared.appendingPathComponent("fixtures/syncevolution")
        let manager = FileManager.default
        var records = Set<[UInt8]>()
        for name in (try? manager.contentsOfDirectory(atPath: root.path)) ?? [] {
            let base = root.appendingPathComponent(name).appendingPathComponent("client-data-before")
            guard let enumerator = manager.enumerator(atPath: base.path) else { continue }
            while let path = enumerator.nextObject() as? String {
                if let data = manager.contents(atPath: base.appendingPathComponent(path).path), data.starts(with: Array("BEGIN:".utf8)) {
                    records.insert([UInt8](data))
                }
            }
        }
        return records.sorted { $0.lexicographicallyPrecedes($1) }
    }()

    @Test("Compression ratio on SyncEvolution's fixture records, with and without the dictionary")
    func fixtureRatio() throws {
        let records = Self.fixtureRecords
        try #require(!records.isEmpty, "no fixtures under shared/fixtures/syncevolution")
        let raw = records.reduce(0) { $0 + $1.count }
        let plain = try records.reduce(0) { try $0 + PayloadCodec(useDictionary: false).encode($1).count }
        let primed = try records.reduce(0) { try $0 + PayloadCodec().encode($1).count }
        print("compression of \(records.count) distinct SyncEvolution fixture records, \(raw / records.count) B average: "
              + "no dictionary ratio \((Double(raw) / Double(plain) * 100).rounded() / 100), "
              + "dictionary v\(PayloadDictionary.current) ratio \((Double(raw) / Double(primed) * 100).rounded() / 100)")
        #expect(primed < plain)
    }

    private func microseconds(_ duration: Duration, _ count: Int) -> Double {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return (seconds * 1e7 / Double(count)).rounded() / 10
    }
}
