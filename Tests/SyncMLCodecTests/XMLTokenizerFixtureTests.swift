import Foundation
@testable import SyncMLCodec
import TestSupport
import Testing

// The XML tokenizer on the recorded SyncEvolution sessions (harness in
// XMLTokenizerTests.swift).

@Suite("XML tokenizer on SyncEvolution fixtures")
struct XMLTokenizerFixtureTests {
    @Test("Tokenizes to the end the same whether fed whole, byte by byte or in 50 random chunkings",
          arguments: Fixtures.xmlFiles)
    func chunkingInvariance(path: String) throws {
        let input = try Fixtures.bytes(path)
        let whole = xmlTokenize(input)
        guard let tokens = whole.tokens else {
            Issue.record("\(path): \(whole)")
            return
        }
        #expect(tokens.first == .start(.syncML))
        // Every element of these messages is in the SyncML, MetInf or DevInf tables.
        let unknown = tokens.filter { if case .start(.unknown) = $0 { true } else { false } }
        #expect(unknown.isEmpty, "\(path): \(unknown.prefix(5))")
        #expect(tokens.filter { $0 == .end }.count == tokens.filter { if case .start = $0 { true } else { false } }.count)
        #expect(xmlTokenize(input, chunkSize: { _ in 1 }) == whole, "\(path) byte by byte")
        for seed in 0 ..< UInt64(50) {
            #expect(xmlTokenize(input, chunkSize: randomChunk, seed: seed) == whole, "\(path) seed \(seed)")
        }
    }

    @Test("Every truncation throws .truncated at the cut, never crashes",
          arguments: ["02-two-way-edit-delete-add-xml/006-c2s.xml", "01-slow-first-wbxml/006-c2s.pretty.xml"])
    func everyTruncation(path: String) throws {
        let input = try Fixtures.bytes(path)
        let rootEnd = try #require(input.lastIndex(of: UInt8(ascii: ">"))) + 1
        for cut in 0 ... input.count {
            let outcome = xmlTokenize(Array(input[..<cut]))
            if cut < rootEnd {
                #expect(outcome.error?.kind == .truncated, "cut at \(cut): \(outcome)")
                #expect(outcome.error?.offset == cut, "cut at \(cut): \(outcome)")
            } else {
                #expect(outcome.tokens != nil, "cut at \(cut): \(outcome)")
            }
        }
    }

    @Test("Thousands of seeded random byte flips never crash or hang")
    func randomFlips() throws {
        let paths = [
            "02-two-way-edit-delete-add-xml/006-c2s.xml", "02-two-way-edit-delete-add-xml/014-c2s.xml",
            "01-slow-first-wbxml/007-s2c.pretty.xml", "03-slow-receive-map-wbxml/014-c2s.trm.xml",
        ]
        let inputs = try paths.map(Fixtures.bytes)
        let interesting = Array("<>/&;'\"=![]-?:x#\0\u{7F}".utf8) + [0xEF, 0xBB, 0xBF, 0xFF]
        var rng = SeededGenerator(seed: 0x5EED)
        var outcomes = [0, 0]
        for _ in 0 ..< 3000 {
            var input = inputs[Int(rng.next() % UInt64(inputs.count))]
            for _ in 0 ... rng.next() % 4 {
                let at = Int(rng.next() % UInt64(input.count))
                input[at] = rng.next() % 2 == 0 ? interesting[Int(rng.next() % UInt64(interesting.count))] : UInt8(truncatingIfNeeded: rng.next())
            }
            let seed = rng.next()
            switch xmlTokenize(input, chunkSize: randomChunk, seed: seed) {
            case .document: outcomes[0] += 1
            case .failed(let error):
                outcomes[1] += 1
                #expect((0 ... input.count).contains(error.offset), "\(error)")
            case .hung(let why):
                Issue.record("seed \(seed): \(why)")
            }
        }
        #expect(outcomes[0] > 0 && outcomes[1] > 0)
    }
}
