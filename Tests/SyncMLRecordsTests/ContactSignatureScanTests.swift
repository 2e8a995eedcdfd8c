import Foundation
@testable import SyncMLRecords
import SyncMLSampleData
import TestSupport
import Testing

/// The signature's byte scan (`ContactSignatureScan`) signs a plain vCard
/// without the parser's model; it must give what the model's path gives, bit
/// for bit, and leave every other payload to that path.
@Suite("A contact's signature straight from its bytes")
struct ContactSignatureScanTests {
    /// Checks one payload: when the scan signs it, the model's path parses it
    /// to one record with the same canonical bytes, fingerprint and keys.
    /// Returns whether the scan took it.
    @discardableResult
    static func check(_ name: String, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let scanned = RecordSignature.scanningContact(bytes)
        let canonicalOnly = CanonicalRecord.scanningContact(bytes)
        #expect((scanned == nil) == (canonicalOnly == nil), "\(name)", sourceLocation: sourceLocation)
        guard let scanned else { return false }
        guard let records = try? VObjectParser.parse(bytes) else {
            Issue.record("\(name): the scan signed what the parser rejects", sourceLocation: sourceLocation)
            return true
        }
        #expect(records.count == 1, "\(name)", sourceLocation: sourceLocation)
        guard let record = records.first else { return true }
        let modelled = RecordSignature(record)
        #expect(scanned.canonical.bytes == modelled.canonical.bytes, "\(name)", sourceLocation: sourceLocation)
        #expect(scanned.canonical.lineRanges == modelled.canonical.lineRanges, "\(name)", sourceLocation: sourceLocation)
        #expect(scanned == modelled, "\(name)", sourceLocation: sourceLocation)
        #expect(SignaturePinTests.keyDigest(scanned) == SignaturePinTests.keyDigest(modelled), "\(name)",
                sourceLocation: sourceLocation)
        #expect(canonicalOnly == modelled.canonical, "\(name)", sourceLocation: sourceLocation)
        #expect((try? RecordSignature(parsing: bytes)) == modelled, "\(name)", sourceLocation: sourceLocation)
        return true
    }

    /// A record written in every vCard version, as it is and converted.
    static func rewritten(_ record: VComponent) -> [(String, [UInt8])] {
        guard record.name == "VCARD" else { return [] }
        var payloads: [(String, [UInt8])] = []
        for format in [VFormat.vCard21, .vCard30, .vCard40] {
            payloads.append(("as \(format)", VObjectWriter.write(record, as: format)))
            if let converted = try? RecordConverter.convert(record, to: format) {
                payloads.append(("to \(format)", VObjectWriter.write(converted, as: format)))
            }
        }
        return payloads
    }

    @Test("Every pinned record and its rewrites sign the same by both paths")
    func pinnedRecords() throws {
        var taken = 0
        for (name, bytes) in SignaturePinTests.odd {
            if Self.check(name, bytes) { taken += 1 }
            for record in (try? VObjectParser.parse(bytes)) ?? [] {
                for (how, payload) in Self.rewritten(record) where Self.check("\(name) \(how)", payload) { taken += 1 }
            }
        }
        for (name, record) in try RecordsConversionTests.handWritten() + RecordsConversionTests.fixtureRecords() {
            for (how, payload) in Self.rewritten(record) where Self.check("\(name) \(how)", payload) { taken += 1 }
        }
        let manager = FileManager.default
        let files = manager.enumerator(atPath: Fixtures.syncEvolution.path)?.compactMap { $0 as? String } ?? []
        for file in files.sorted() where file.contains("client-data") {
            let url = Fixtures.syncEvolution.appendingPathComponent(file)
            guard let bytes = try? Fixtures.bytes(url), !bytes.isEmpty else { continue }
            if Self.check(file, bytes) { taken += 1 }
        }
        // Most of these are plain cards; if none were, the comparison proved nothing.
        #expect(taken > 100)
    }

    @Test("Generated contacts sign the same by both paths, and all take the scan")
    func generated() {
        for seed in [1, 7, 11] as [UInt64] {
            var generator = ContactGenerator(seed: seed)
            for index in 0..<1000 {
                let bytes = generator.next()
                #expect(Self.check("seed \(seed) #\(index)", bytes), "seed \(seed) #\(index) fell back")
            }
        }
    }

    @Test("Ordinary cards of every version take the scan")
    func ordinaryCards() {
        let cards = [
            "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;John\r\nFN:John Doe\r\nTEL;WORK;VOICE:+1 555 0102\r\nEMAIL;INTERNET:J@X.org\r\nEND:VCARD\r\n",
            "BEGIN:VCARD\nVERSION:3.0\nN:M\\u00fcller;Hans;;;\nFN:Hans Müller\nitem1.EMAIL;type=INTERNET;type=pref:h@m.de\nEND:VCARD\n",
            "begin:vcard\nversion:4.0\nfn:Ann\nn:;Ann;;;\ntel;value=uri;pref=1:tel:+49-30-1234567\nadr;type=home:;;Street 1;City;;12345;DE\nend:vcard",
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Photo Person\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ\r\n SkZJRgABAQ==\r\nCATEGORIES:a,b\\,c\r\nNOTE:line\\nline\r\nEND:VCARD\r\n",
            "\u{FEFF}BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8:Zoë;\r\nFN;CHARSET=utf-8:Zoë\r\nBDAY:1980-02-03\r\nX-GENDER:F\r\nEND:VCARD\r\n\r\n",
        ]
        for card in cards { #expect(Self.check(card, Array(card.utf8)), "\(card)") }
    }

    @Test("What the scan does not handle is left to the model's path")
    func fallsBack() {
        let cards = [
            // Quoted-printable, a legacy charset, no FN, a nested card, a 4.0 data URI, ADR;LABEL=, two cards, a calendar.
            "BEGIN:VCARD\nVERSION:2.1\nFN;ENCODING=QUOTED-PRINTABLE:A=20B\nEND:VCARD\n",
            "BEGIN:VCARD\nVERSION:2.1\nFN;CHARSET=ISO-8859-1:Zo\u{EB}\nEND:VCARD\n",
            "BEGIN:VCARD\nVERSION:3.0\nN:Doe;John\nEND:VCARD\n",
            "BEGIN:VCARD\nVERSION:3.0\nFN:A\nBEGIN:VCARD\nFN:B\nEND:VCARD\nEND:VCARD\n",
            "BEGIN:VCARD\nVERSION:4.0\nFN:A\nPHOTO:data:image/jpeg;base64,/9j/\nEND:VCARD\n",
            "BEGIN:VCARD\nVERSION:4.0\nFN:A\nADR;LABEL=\"1 Street\":;;1 Street;;;;\nEND:VCARD\n",
            "BEGIN:VCARD\nFN:A\nEND:VCARD\nBEGIN:VCARD\nFN:B\nEND:VCARD\n",
            "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n",
            // Malformed: the parser's errors are its own to report.
            "BEGIN:VCARD\nFN:A\n",
            "FN:A\nBEGIN:VCARD\nEND:VCARD\n",
            "BEGIN:VCARD\nFN:A\nPHOTO;ENCODING=b:ab$d\nEND:VCARD\n",
            "BEGIN:VCARD\nFN;TYPE=\"x:A\nEND:VCARD\n",
            "BEGIN:VCARD\nFN:A\nEND:VEVENT\n",
        ]
        for card in cards {
            let bytes = card.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
            #expect(RecordSignature.scanningContact(bytes) == nil, "\(card)")
            #expect(CanonicalRecord.scanningContact(bytes) == nil, "\(card)")
        }
        let invalidUTF8: [UInt8] = Array("BEGIN:VCARD\nFN:A".utf8) + [0xC3, 0x28] + Array("\nEND:VCARD\n".utf8)
        #expect(RecordSignature.scanningContact(invalidUTF8) == nil)
    }

    @Test("Cut, re-folded and re-cased generated contacts sign the same by both paths (or are left to it)")
    func mutated() {
        var generator = ContactGenerator(seed: 3)
        var random = SplitMix64(seed: 5)
        for index in 0..<300 {
            let bytes = generator.next()
            let cut = Int(random.next() % UInt64(bytes.count))
            Self.check("#\(index) cut at \(cut)", Array(bytes[..<cut]))
            Self.check("#\(index) without \(cut)", Array(bytes[..<cut] + bytes[(cut + 1)...]))
            Self.check("#\(index) LF", bytes.filter { $0 != 0x0D })
            Self.check("#\(index) lower-cased", bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 })
            var folded: [UInt8] = []
            for (offset, byte) in bytes.enumerated() {
                folded.append(byte)
                if offset % 7 == 3, byte != 0x0D, byte != 0x0A, byte & 0xC0 != 0x80 { folded += [0x0D, 0x0A, 0x09] }
            }
            Self.check("#\(index) folded", folded)
        }
    }
}
