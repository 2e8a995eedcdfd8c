import Foundation
@testable import SyncMLRecords
import TestSupport
import Testing
/// The records SyncEvolution keeps and sends, from `shared/fixtures/syncevolution`.
enum RecordFixtures {
    /// Every file under `*/client-data-before/`, as (name, bytes), sorted.
    static let clientFiles: [(String, [UInt8])] = {
        let manager = FileManager.default
        var result: [(String, [UInt8])] = []
        let root = Fixtures.syncEvolution
        guard let cases = try? manager.contentsOfDirectory(atPath: root.path) else { return [] }
        for name in cases.sorted() {
            let base = root.appendingPathComponent(name).appendingPathComponent("client-data-before")
            guard let enumerator = manager.enumerator(atPath: base.path) else { continue }
            var files: [String] = []
            while let path = enumerator.nextObject() as? String { files.append(path) }
            for path in files.sorted() {
                let url = base.appendingPathComponent(path)
                var isDirectory: ObjCBool = false
                guard manager.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                      let bytes = try? Fixtures.bytes(url) else { continue }
                result.append(("\(name)/\(path)", bytes))
            }
        }
        return result
    }()

    /// Every `<![CDATA[BEGIN:…]]>` record inside the exact XML messages, as (name, bytes).
    /// Chunked items (`<MoreData/>`, case 07) are joined with their continuation chunks from
    /// the following messages of the same direction.
    static let messageRecords: [(String, [UInt8])] = {
        var result: [(String, [UInt8])] = []
        let open = Array("<![CDATA[".utf8), close = Array("]]>".utf8), more = Array("]]></Data><MoreData/>".utf8)
        let begin = Array("BEGIN:".utf8)
        var pending: [String: (String, [UInt8])] = [:]  // per case and direction
        for url in Fixtures.messages(wbxml: false) {
            guard let bytes = try? Fixtures.bytes(url) else { continue }
            let key = url.deletingLastPathComponent().lastPathComponent + (url.lastPathComponent.contains("c2s") ? ">" : "<")
            var i = 0, n = 0
            while let start = find(open, in: bytes, from: i) {
                let dataStart = start + open.count
                guard let end = find(close, in: bytes, from: dataStart) else { break }
                i = end
                let chunk = Array(bytes[dataStart..<end])
                let continues = find(more, in: bytes, from: end) == end
                var record: (String, [UInt8])
                if let open = pending.removeValue(forKey: key) {
                    record = (open.0, open.1 + chunk)
                } else if chunk.starts(with: begin) {
                    n += 1
                    record = ("\(Fixtures.name(url))#\(n)", chunk)
                } else {
                    continue
                }
                if continues { pending[key] = record } else { result.append(record) }
            }
        }
        return result
    }()

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
        outer: for i in from...(haystack.count - needle.count) {
            for j in 0..<needle.count where haystack[i + j] != needle[j] { continue outer }
            return i
        }
        return nil
    }

    /// The format to write a parsed component in: its own, or 3.0 / 2.0 when it declares none.
    static func format(of component: VComponent) -> VFormat {
        component.format ?? (component.name == "VCARD" ? .vCard30 : .iCalendar20)
    }
}

@Suite("Records: SyncEvolution fixtures")
struct RecordsFixtureTests {
    @Test("Every client-data-before file parses, and parse → write → parse is the identity")
    func clientFiles() throws {
        let files = RecordFixtures.clientFiles
        #expect(files.count >= 40)
        for (name, bytes) in files {
            let parsed = try VObjectParser.parse(bytes)
            #expect(!parsed.isEmpty, "\(name)")
            for component in parsed {
                let written = VObjectWriter.write(component, as: RecordFixtures.format(of: component))
                #expect(try VObjectParser.parse(written) == [component], "\(name)")
            }
        }
    }

    @Test("Files written in their own format come back byte for byte (they are CRLF, unfolded, short)")
    func clientFilesBytes() throws {
        for (name, bytes) in RecordFixtures.clientFiles {
            let parsed = try VObjectParser.parse(bytes)
            #expect(VObjectWriter.write(parsed, as: RecordFixtures.format(of: parsed[0])) == bytes, "\(name)")
        }
    }

    @Test("Every record SyncEvolution sent or received in an XML message parses and round-trips")
    func messageRecords() throws {
        let records = RecordFixtures.messageRecords
        #expect(records.count >= 10)
        var formats: Set<VFormat> = []
        for (name, bytes) in records {
            let parsed = try VObjectParser.parse(bytes)
            #expect(parsed.count == 1, "\(name)")
            for component in parsed {
                let format = RecordFixtures.format(of: component)
                formats.insert(format)
                let written = VObjectWriter.write(component, as: format)
                #expect(try VObjectParser.parse(written) == [component], "\(name)")
            }
        }
        #expect(formats.isSuperset(of: [.vCard21, .vCard30, .vCalendar10, .iCalendar20]))
    }

    @Test("The vCard 2.1 and vCalendar 1.0 SyncEvolution sent in case 09 decode to the right Unicode")
    func case09Legacy() throws {
        let records = RecordFixtures.messageRecords.filter { $0.0.hasPrefix("09-vcard21-vcal10-refresh-from-client-xml/006-c2s.xml") }
        #expect(records.count == 3)
        let card = try #require(try VObjectParser.parse(records[0].1).first)
        #expect(card.format == .vCard21)
        #expect(card.first("N")?.components == [["Müller"], ["Jörg"], [""], [""], [""]])
        #expect(card.first("N")?.parameters == [])
        #expect(card.first("FN")?.text == "Jörg Müller")
        #expect(card.first("TEL")?.parameters == [VParameter("TYPE", "HOME")])
        // Written back as 2.1 it is what SyncEvolution sent.
        #expect(VObjectWriter.write(card, as: .vCard21) == records[0].1)

        let event = try #require(try VObjectParser.parse(records[1].1).first)
        #expect(event.format == .vCalendar10)
        #expect(event.first("TZ")?.value == "+00:00")
        #expect(event.first("DAYLIGHT")?.value == "FALSE")
        #expect(event.components.map(\.name) == ["VEVENT"])
        #expect(VObjectWriter.write(event, as: .vCalendar10) == records[1].1)

        let todo = try #require(try VObjectParser.parse(records[2].1).first)
        #expect(todo.components.first?.first("STATUS")?.value == "NEEDS ACTION")

        // The same contact as the client keeps it (3.0).
        let stored = try #require(RecordFixtures.clientFiles.first { $0.0.hasSuffix("09-vcard21-vcal10-refresh-from-client-xml/contacts/jm.vcf") })
        let kept = try #require(try VObjectParser.parse(stored.1).first)
        #expect(kept.format == .vCard30)
        #expect(kept.first("N")?.value == card.first("N")?.value)
    }

    @Test("Seeded random byte flips of fixture records never crash; what parses also writes and re-parses")
    func randomFlips() {
        let corpus = (RecordFixtures.clientFiles + RecordFixtures.messageRecords).map(\.1)
        guard !corpus.isEmpty else { Issue.record("no fixtures"); return }
        var generator = SeededGenerator(seed: 0x5EC0_4D5)
        let interesting: [UInt8] = [0x0D, 0x0A, 0x20, 0x09, 0x3A, 0x3B, 0x3D, 0x2C, 0x22, 0x2E, 0x5C, 0x80, 0xC3, 0xFF, 0x00]
        var parsedCount = 0
        for _ in 0..<4000 {
            var bytes = corpus[Int.random(in: 0..<corpus.count, using: &generator)]
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: bytes[position] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes[position] = interesting[Int.random(in: 0..<interesting.count, using: &generator)]
                case 2: bytes.remove(at: position)
                default: bytes.insert(interesting[Int.random(in: 0..<interesting.count, using: &generator)], at: position)
                }
                if bytes.isEmpty { bytes = [0x0A] }
            }
            guard let parsed = try? VObjectParser.parse(bytes) else { continue }
            parsedCount += 1
            for component in parsed {
                let written = VObjectWriter.write(component, as: RecordFixtures.format(of: component))
                #expect(throws: Never.self) { try VObjectParser.parse(written) }
            }
        }
        #expect(parsedCount > 100)
    }
}
