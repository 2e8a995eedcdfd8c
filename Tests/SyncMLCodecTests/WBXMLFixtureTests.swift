import CSupport
import Foundation
@testable import SyncMLCodec
import TestSupport
import Testing

// The WBXML scanner on the recorded SyncEvolution sessions (helpers in
// WBXMLScannerTests.swift).

extension Fixtures {
    /// Every `*/*.wbxml`, sorted by path.
    static var wbxml: [URL] { messages(wbxml: true) }

    static var names: [String] { wbxml.map(name) }
}

/// Element names in document order; OPAQUE that is itself a WBXML document
/// (embedded DevInf) is expanded, as the fixtures' XML dumps show it.
func elementNames(_ tokens: [MarkupToken]) -> [String] {
    var names: [String] = []
    for token in tokens {
        switch token {
        case .start(.known(let tag)): names.append(CodePages.name(of: tag) ?? "?")
        case .start(.unknown(_, let name)): names.append(name)
        case .opaque(let data) where data.first.map({ $0 <= 3 }) == true:
            if let nested = try? tokenize(Array(data)) { names += elementNames(nested.tokens) }
        default: break
        }
    }
    return names
}

@Suite("WBXML scanner: SyncEvolution fixtures")
struct WBXMLFixtureTests {
    @Test("There are fixtures")
    func fixturesExist() {
        #expect(Fixtures.wbxml.count >= 20)
    }

    @Test("Each fixture tokenizes the same whole, byte by byte and in 50 random chunkings", arguments: Fixtures.names)
    func fixture(_ name: String) throws {
        let bytes = try Fixtures.bytes(name)
        let seed = name.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        let result = try tokenizeEveryWay(bytes, random: 50, seed: seed)
        #expect(result.info?.encoding == .wbxml)
        #expect(result.info?.publicID == .number(0x1201))
        #expect(result.tokens.first == .start(.known(.syncML)))
        #expect(result.offset == bytes.count)
        // Every start has its end.
        var depth = 0
        for token in result.tokens {
            if case .start = token { depth += 1 }
            if token == .end { depth -= 1 }
            #expect(depth >= 0)
        }
        #expect(depth == 0)
        // The same elements, in the same order, as the XML dump beside the fixture.
        let base = String(name.dropLast(".wbxml".count))
        var compared = 0
        for suffix in [".pretty.xml", ".trm.xml"] {
            let url = Fixtures.syncEvolution.appendingPathComponent(base + suffix)
            guard let xml = try? String(contentsOf: url, encoding: .utf8) else { continue }
            let regex = try Regex("<([A-Za-z][A-Za-z0-9._-]*)")
            let xmlNames = xml.matches(of: regex).map { String(xml[$0.range].dropFirst()) }
            #expect(xmlNames.count > 10)
            #expect(elementNames(result.tokens) == xmlNames, "\(base + suffix)")
            compared += 1
        }
        #expect(compared == 1)
    }

    @Test("Every truncation point throws truncated", arguments: [
        "01-slow-first-wbxml/007-s2c.wbxml", "01-slow-first-wbxml/006-c2s.wbxml", "01-slow-first-wbxml/002-c2s.wbxml",
    ])
    func truncation(_ name: String) throws {
        let bytes = try Fixtures.bytes(name)
        for length in 0..<bytes.count {
            var tokenizer = WBXMLTokenizer()
            tokenizer.feed(bytes[0..<length])
            tokenizer.finish()
            do {
                while try tokenizer.next() != .endOfDocument {}
                Issue.record("prefix of \(length) bytes tokenized")
            } catch {
                #expect(error.kind == .truncated, "prefix \(length): \(error)")
                #expect(error.offset <= length)
            }
        }
    }

    @Test("Random byte flips never crash or hang")
    func byteFlips() throws {
        var rng = SeededGenerator(seed: 0x5EED)
        let sources = try ["01-slow-first-wbxml/007-s2c.wbxml", "01-slow-first-wbxml/010-c2s.wbxml"].map(Fixtures.bytes)
        var failures = 0
        for variant in 0..<3000 {
            var bytes = sources[variant % sources.count]
            for _ in 0...(rng.next() % 3) {
                let at = Int(rng.next() % UInt64(bytes.count))
                bytes[at] = rng.next() % 2 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : bytes[at] ^ (1 << (rng.next() % 8))
            }
            let chunks = variant % 10 == 0 ? byteByByte(bytes.count) : randomChunks(bytes.count, using: &rng)
            do {
                _ = try tokenize(bytes, chunks: chunks)
            } catch {
                failures += 1
                #expect(error.offset >= 0 && error.offset <= bytes.count)
            }
        }
        #expect(failures > 0)
    }

    @Test("The DevInf in the first Put is itself a WBXML document")
    func embeddedDevInf() throws {
        let outer = try tokenize(try Fixtures.bytes("01-slow-first-wbxml/002-c2s.wbxml"))
        guard let put = outer.tokens.firstIndex(of: .start(.known(.put))),
            let data = outer.tokens[put...].firstIndex(of: .start(.known(.data))),
            case .opaque(let devInf) = outer.tokens[data + 1]
        else {
            Issue.record("no OPAQUE in the first Put's Data")
            return
        }
        var nested = WBXMLTokenizer()
        nested.feed(devInf)
        nested.finish()
        #expect(try nested.next() == .token(.start(.known(DevInfTag.devInf))))
        #expect(nested.documentInfo?.publicID == .number(0x1203))
        #expect(try nested.next() == .token(.start(.known(DevInfTag.verDTD))))
        let all = try tokenizeEveryWay(Array(devInf))
        #expect(all.tokens.contains(.start(.known(DevInfTag.dataStore))))
        #expect(all.offset == devInf.count)
    }
}
