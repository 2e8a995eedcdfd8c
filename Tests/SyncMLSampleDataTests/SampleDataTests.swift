import SyncMLCodec
import SyncMLSampleData
import Testing

@Suite("Sample data")
struct SampleDataTests {
    @Test("The same seed gives the same contacts; another seed, others")
    func deterministic() {
        var a = ContactGenerator(seed: 7), b = ContactGenerator(seed: 7), c = ContactGenerator(seed: 8)
        for _ in 0..<100 {
            let x = a.next()
            #expect(x == b.next())
            #expect(x != c.next())
        }
    }

    @Test("SplitMix64 matches the reference implementation")
    func splitMix() {
        // First outputs of the reference C code (Vigna, splitmix64.c) for seed 0.
        var random = SplitMix64(seed: 0)
        #expect(random.next() == 0xE220_A839_7B1D_CDAF)
        #expect(random.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test("Contacts are valid vCard 3.0: CRLF lines, folded at 75 octets, required properties")
    func wellFormed() throws {
        var generator = ContactGenerator(seed: 1)
        var cultures: Set<String> = []
        var photos = 0, notes = 0, multiLineNotes = 0
        for _ in 0..<2_000 {
            let bytes = generator.next()
            let text = try #require(String(validating: bytes, as: UTF8.self))
            #expect(text.hasPrefix("BEGIN:VCARD\r\nVERSION:3.0\r\n"))
            #expect(text.hasSuffix("END:VCARD\r\n"))
            // Every LF is preceded by CR; no physical line exceeds 75 octets + CRLF.
            var physical: [ArraySlice<UInt8>] = []
            var start = 0
            for (index, byte) in bytes.enumerated() where byte == 0x0A {
                #expect(index > 0 && bytes[index - 1] == 0x0D)
                physical.append(bytes[start..<(index - 1)])
                start = index + 1
            }
            #expect(start == bytes.count)
            for line in physical { #expect(line.count <= 75) }
            // Unfold and look at the properties.
            let logical = text.replacingOccurrences("\r\n ", with: "").split(separator: "\r\n")
            let names = logical.map { $0.prefix { $0 != ":" && $0 != ";" } }
            for required in ["N", "FN", "TEL", "EMAIL", "UID"] { #expect(names.contains(Substring(required))) }
            #expect((1...3).contains(names.filter { $0 == "TEL" }.count))
            #expect((1...2).contains(names.filter { $0 == "EMAIL" }.count))
            #expect((0...2).contains(names.filter { $0 == "ADR" }.count))
            if names.contains("PHOTO") { photos += 1 }
            if let note = logical.first(where: { $0.hasPrefix("NOTE:") }) {
                notes += 1
                if note.contains("\\n") { multiLineNotes += 1 }
            }
            let fn = logical.first { $0.hasPrefix("FN:") }!
            if fn.contains(where: { "äöüß".contains($0) }) { cultures.insert("de") }
            if fn.contains(where: { "éèêëçô".contains($0) }) { cultures.insert("fr") }
            if fn.unicodeScalars.contains(where: { (0x3040...0x9FFF).contains($0.value) || (0xAC00...0xD7AF).contains($0.value) }) {
                cultures.insert("cjk")
            }
            if fn.allSatisfy(\.isASCII) { cultures.insert("ascii") }
        }
        #expect(cultures == ["de", "fr", "cjk", "ascii"])
        #expect((40...160).contains(photos), "about 5 % with a photo, got \(photos)")
        #expect((300...500).contains(notes), "about 20 % with a note, got \(notes)")
        #expect(multiLineNotes > 0)
    }

    @Test("Average size is about 500 bytes without photos")
    func averageSize() {
        var generator = ContactGenerator(seed: 1)
        var plain = 0, plainBytes = 0, photos = 0, photoBytes = 0
        for _ in 0..<10_000 {
            let card = generator.next()
            if card.count > 2_000 {
                photos += 1
                photoBytes += card.count
            } else {
                plain += 1
                plainBytes += card.count
            }
        }
        let average = Double(plainBytes) / Double(plain)
        print("Sample contacts (seed 1, 10,000): \(plain) without photo, average \(Int(average.rounded())) B; "
            + "\(photos) with photo, average \(photoBytes / max(photos, 1)) B; "
            + "overall \((plainBytes + photoBytes) / 10_000) B")
        #expect((420...600).contains(average))
    }

    @Test("The slow-sync message has the documented shape")
    func slowSyncShape() throws {
        let message = SampleMessages.slowSync(contacts: 25, seed: 3)
        #expect(message.header.msgID == "2")
        #expect(message.header.target.locURI == "http://127.0.0.1:9600/sync")
        #expect(message.isFinal)
        let syncs = message.commands.compactMap { if case .sync(let sync) = $0 { sync } else { nil } }
        let sync = try #require(syncs.first)
        #expect(syncs.count == 1)
        #expect(sync.target?.locURI == "addressbook")
        #expect(sync.source?.locURI == "./addressbook")
        #expect(sync.numberOfChanges == 25)
        #expect(sync.commands.count == 25)
        var generator = ContactGenerator(seed: 3)
        for (index, command) in sync.commands.enumerated() {
            guard case .add(let add) = command else { Issue.record("not an Add"); continue }
            #expect(add.meta?.type == "text/vcard")
            #expect(add.items.first?.source?.locURI == "\(index + 1).vcf")
            #expect(add.items.first?.data == .bytes(generator.next()[...]))
        }
    }

    @Test("Encoding the message whole and event by event gives the same bytes", arguments: SyncMLEncoding.allCases)
    func streamedEncodingMatches(encoding: SyncMLEncoding) {
        let whole = SampleMessages.slowSync(contacts: 50, seed: 9).encoded(as: encoding)
        var encoder = SyncMLEncoder(encoding: encoding, version: .v1_2)
        var streamed: [UInt8] = []
        for event in SampleMessages.slowSyncEvents(contacts: 50, seed: 9) {
            encoder.encode(event)
            // WBXML output is only complete (and only taken) at the end.
            if encoding == .xml { streamed += encoder.takeOutput() }
        }
        if encoding == .wbxml { streamed = encoder.takeOutput() }
        let firstDifference = zip(whole, streamed).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil && whole.count == streamed.count, "sizes \(whole.count) / \(streamed.count), first difference at \(String(describing: firstDifference)): \(firstDifference.map { Array(whole[max(0, $0 - 20)..<min(whole.count, $0 + 20)]) } ?? []) vs \(firstDifference.map { Array(streamed[max(0, $0 - 20)..<min(streamed.count, $0 + 20)]) } ?? [])")
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
