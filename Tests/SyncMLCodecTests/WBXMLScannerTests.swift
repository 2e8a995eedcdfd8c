import CSupport
import Foundation
@testable import SyncMLCodec
import TestSupport
import Testing
// Tests of the WBXML scanner (CSupport/src/wbxml_scanner.c) and WBXMLTokenizer,
// written against WAP-192-WBXML. Every document is fed whole, byte by byte and in
// random chunks (swift-nio's ByteToMessageDecoderVerifier habit), and must give
// the same tokens each way.

// MARK: - Helpers


/// The result of tokenizing a whole document.
struct Tokenized: Equatable {
    var tokens: [MarkupToken]
    var info: DocumentInfo?
    var offset: Int
}

/// Feeds `bytes` in pieces of the given sizes (the last piece takes the rest),
/// calls `finish()` when all are fed, and collects tokens up to `.endOfDocument`.
func tokenize(
    _ bytes: [UInt8], chunks: [Int] = [], limits: WBXMLLimits = .default
) throws(SyncMLDecodingError) -> Tokenized {
    var tokenizer = WBXMLTokenizer(limits: limits)
    var tokens: [MarkupToken] = []
    var fed = 0
    var sizes = chunks.makeIterator()
    // Each token but a synthesized end consumes at least one byte.
    for _ in 0..<(4 * bytes.count + 16) {
        switch try tokenizer.next() {
        case .token(let token):
            tokens.append(token)
        case .endOfDocument:
            let again = try tokenizer.next()  // sticky
            #expect(again == .endOfDocument)
            return Tokenized(tokens: tokens, info: tokenizer.documentInfo, offset: tokenizer.offset)
        case .needsInput:
            if fed < bytes.count {
                let size = min(max(sizes.next() ?? bytes.count, 1), bytes.count - fed)
                tokenizer.feed(bytes[fed..<fed + size])
                fed += size
            } else {
                tokenizer.finish()
            }
        }
    }
    Issue.record("tokenizer did not finish")
    return Tokenized(tokens: tokens, info: tokenizer.documentInfo, offset: tokenizer.offset)
}

func byteByByte(_ count: Int) -> [Int] { Array(repeating: 1, count: count) }

func randomChunks(_ count: Int, using rng: inout SeededGenerator) -> [Int] {
    var sizes: [Int] = []
    var total = 0
    while total < count {
        let size: Int =
            switch rng.next() % 4 {
            case 0: 1
            case 1: Int(rng.next() % 8) + 1
            case 2: Int(rng.next() % 64) + 1
            default: Int(rng.next() % UInt64(max(count / 4, 1))) + 1
            }
        sizes.append(size)
        total += size
    }
    return sizes
}

/// Tokenizes whole, byte by byte and in `random` random chunkings; all must agree.
func tokenizeEveryWay(
    _ bytes: [UInt8], random: Int = 10, seed: UInt64 = 1, limits: WBXMLLimits = .default,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> Tokenized {
    let whole = try tokenize(bytes, limits: limits)
    #expect(try tokenize(bytes, chunks: byteByByte(bytes.count), limits: limits) == whole, sourceLocation: sourceLocation)
    var rng = SeededGenerator(seed: seed)
    for _ in 0..<random {
        let chunks = randomChunks(bytes.count, using: &rng)
        #expect(try tokenize(bytes, chunks: chunks, limits: limits) == whole, sourceLocation: sourceLocation)
    }
    return whole
}

/// The error a document gives, fed whole and byte by byte (they must agree).
func decodingError(
    _ bytes: [UInt8], limits: WBXMLLimits = .default, sourceLocation: SourceLocation = #_sourceLocation
) -> SyncMLDecodingError? {
    var errors: [SyncMLDecodingError] = []
    for chunks in [[], byteByByte(bytes.count)] {
        do {
            let result = try tokenize(bytes, chunks: chunks, limits: limits)
            Issue.record("expected an error, got \(result.tokens)", sourceLocation: sourceLocation)
            return nil
        } catch {
            errors.append(error)
        }
    }
    #expect(errors[0] == errors[1], sourceLocation: sourceLocation)
    return errors[0]
}

extension Array where Element == UInt8 {
    /// `bytes + "text"` without the NUL; use `.nul` to terminate.
    static func + (bytes: [UInt8], text: String) -> [UInt8] { bytes + Array(text.utf8) }
}

let nul: UInt8 = 0

/// `02 A4 01 6A 00`: WBXML 1.2, SyncML 1.2 (0x1201), UTF-8, empty string table.
let syncML12Header: [UInt8] = [0x02, 0xA4, 0x01, 0x6A, 0x00]

func text(_ string: String) -> MarkupToken { .text(ArraySlice(string.utf8)) }

// MARK: - Hand-built documents

@Suite("WBXML scanner: hand-built documents")
struct WBXMLHandBuiltTests {
    @Test("Numeric public id, tags, inline strings, an empty element")
    func numericPublicID() throws {
        let doc: [UInt8] =
            syncML12Header + [0x6D, 0x6C, 0x71, 0x03] + "1.2" + [nul, 0x01, 0x01, 0x6B, 0x12, 0x01, 0x01]
        let result = try tokenizeEveryWay(doc)
        #expect(result.info == DocumentInfo(encoding: .wbxml, wbxmlVersion: 2, publicID: .number(0x1201), charset: 106))
        #expect(
            result.tokens == [
                .start(.known(.syncML)), .start(.known(.syncHdr)), .start(.known(.verDTD)), text("1.2"), .end, .end,
                .start(.known(.syncBody)), .start(.known(.final)), .end, .end, .end,
            ])
        #expect(result.offset == doc.count)
    }

    @Test("Public id as a string table reference (WBXML 1.3)")
    func stringPublicID() throws {
        let id = "-//SYNCML//DTD SyncML 1.2//EN"
        let doc: [UInt8] = [0x03, 0x00, 0x00, 0x6A, UInt8(id.utf8.count + 1)] + id + [nul, 0x6D, 0x12, 0x01]
        let result = try tokenizeEveryWay(doc)
        #expect(result.info == DocumentInfo(encoding: .wbxml, wbxmlVersion: 3, publicID: .string(id), charset: 106))
        #expect(result.tokens == [.start(.known(.syncML)), .start(.known(.final)), .end, .end])
    }

    @Test("A DevInf public id string makes page 0 the DevInf vocabulary")
    func devInfStringPublicID() throws {
        let id = "-//SYNCML//DTD DevInf 1.1//EN"
        let doc: [UInt8] = [0x02, 0x00, 0x00, 0x6A, UInt8(id.utf8.count + 1)] + id + [nul, 0x4A, 0x51, 0x03] + "x" + [nul, 0x01, 0x01]
        let result = try tokenizeEveryWay(doc)
        #expect(result.info?.publicID == .string(id))
        #expect(result.tokens == [.start(.known(DevInfTag.devInf)), .start(.known(DevInfTag.man)), text("x"), .end, .end])
    }

    @Test("WBXML 1.0 has no charset field")
    func wbxml10() throws {
        let doc: [UInt8] = [0x00, 0xA4, 0x01, 0x00, 0x6D, 0x03] + "x" + [nul, 0x01]
        let result = try tokenizeEveryWay(doc)
        #expect(result.info == DocumentInfo(encoding: .wbxml, wbxmlVersion: 0, publicID: .number(0x1201), charset: 0))
        #expect(result.tokens == [.start(.known(.syncML)), text("x"), .end])
    }

    @Test("Unknown public id: page 0 defaults to SyncML, page 1 is MetInf")
    func unknownPublicID() throws {
        let doc: [UInt8] = [0x01, 0x01, 0x6A, 0x00, 0x6D, 0x00, 0x01, 0x13, 0x01]
        let result = try tokenizeEveryWay(doc)
        #expect(result.info?.publicID == .number(1))
        #expect(result.tokens == [.start(.known(.syncML)), .start(.known(.type)), .end, .end])
    }

    @Test("An empty root element ends the document")
    func emptyRoot() throws {
        let result = try tokenizeEveryWay(syncML12Header + [0x2D, 0xFF, 0xFF])
        #expect(result.tokens == [.start(.known(.syncML)), .end])
        #expect(result.offset == 6)
    }

    @Test("Every global token, SWITCH_PAGE, attributes, PIs, LITERAL, unknown tokens")
    func everyGlobalToken() throws {
        var doc: [UInt8] = [0x02, 0xA4, 0x01, 0x6A, 0x08] + "Foo" + [nul] + "bar" + [nul]
        doc += [0x43, 0x05, 0x03] + "p" + [nul, 0x01]  // PI before the root: skipped
        doc += [0x6D]  // <SyncML>
        doc += [0x5A]  // <Meta>
        doc += [0x00, 0x01, 0x53]  // SWITCH_PAGE 1, <Type> (MetInf)
        doc += [0x03] + "a" + [nul]  // STR_I
        doc += [0x83, 0x04]  // STR_T "bar"
        doc += [0x02, 0x81, 0x69]  // ENTITY U+00E9
        doc += [0x02, 0x84, 0x8C, 0x20]  // ENTITY U+10620 (3-byte mb_u_int32)
        doc += [0x40] + "ext" + [nul]  // EXT_I_0: skipped
        doc += [0x81, 0x05]  // EXT_T_1: skipped
        doc += [0xC2]  // EXT_2: skipped
        doc += [0x43, 0x06, 0x01]  // PI in content: skipped
        doc += [0xC3, 0x03, 0x01, 0x00, 0x03]  // OPAQUE, 3 bytes
        doc += [0x01]  // </Type>
        doc += [0x00, 0x00, 0x01]  // SWITCH_PAGE 0, </Meta>
        doc += [0x04, 0x00]  // LITERAL "Foo", no content
        doc += [0x44, 0x04, 0x03] + "z" + [nul, 0x01]  // LITERAL_C "bar"
        doc += [0x84, 0x00, 0x05, 0x03] + "v" + [nul, 0x01]  // LITERAL_A "Foo" with one attribute
        doc += [0xC4, 0x04, 0x05, 0x85, 0x00, 0x01, 0x06, 0x04, 0x00, 0x83, 0x04, 0xC3, 0x01, 0xFF, 0x01]  // LITERAL_AC "bar", attributes
        doc += [0x03] + "t" + [nul, 0x01]
        doc += [0x92, 0x05, 0x01]  // <Final attr/>
        doc += [0xD4, 0x05, 0x02, 0x81, 0x69, 0x80, 0x01, 0xC0, 0x01, 0x03] + "i" + [nul, 0x01]  // <Item attr>i</Item>
        doc += [0x7E, 0x01]  // token 0x3E on page 0: unassigned
        doc += [0x30]  // token 0x30 on page 0: unassigned, no content
        doc += [0x00, 0x05, 0x4F, 0x01, 0x00, 0x00]  // page 5
        doc += [0x00, 0x01, 0x7F, 0x01, 0x00, 0x00]  // page 1 token 0x3F: not in MetInf
        doc += [0x01]  // </SyncML>
        doc += [0x43, 0x05, 0x01, 0x99]  // after the root: never looked at

        let result = try tokenizeEveryWay(doc, random: 50)
        let expected: [MarkupToken] = [
            .start(.known(.syncML)),
            .start(.known(.meta)),
            .start(.known(.type)), text("a"), text("bar"), .character("\u{E9}"), .character("\u{10620}"),
            .opaque([0x01, 0x00, 0x03]), .end,
            .end,
            .start(.unknown(namespace: "", name: "Foo")), .end,
            .start(.unknown(namespace: "", name: "bar")), text("z"), .end,
            .start(.unknown(namespace: "", name: "Foo")), .end,
            .start(.unknown(namespace: "", name: "bar")), text("t"), .end,
            .start(.known(.final)), .end,
            .start(.known(.item)), text("i"), .end,
            .start(.unknown(namespace: "", name: "page-0-token-0x3E")), .end,
            .start(.unknown(namespace: "", name: "page-0-token-0x30")), .end,
            .start(.unknown(namespace: "", name: "page-5-token-0x0F")), .end,
            .start(.unknown(namespace: "", name: "page-1-token-0x3F")), .end,
            .end,
        ]
        #expect(result.tokens == expected)
        #expect(result.offset == doc.count - 4)
    }

    @Test("ISO-8859-1 text is converted to UTF-8; other charsets are unsupported")
    func charsets() throws {
        let latin1: [UInt8] = [0x02, 0xA4, 0x01, 0x04, 0x03, 0xE9, 0x74, 0x00, 0x6D, 0x03, 0x63, 0x61, 0x66, 0xE9, 0x00, 0x83, 0x00, 0x01]
        let result = try tokenizeEveryWay(latin1)
        #expect(result.info?.charset == 4)
        #expect(result.tokens == [.start(.known(.syncML)), text("café"), text("ét"), .end])

        let ascii: [UInt8] = [0x02, 0xA4, 0x01, 0x03, 0x00, 0x6D, 0x03, 0x61, 0x00, 0x01]
        #expect(try tokenizeEveryWay(ascii).tokens == [.start(.known(.syncML)), text("a"), .end])

        let utf16: [UInt8] = [0x02, 0xA4, 0x01, 0x87, 0x77, 0x00, 0x6D, 0x01]  // MIBenum 1015
        #expect(decodingError(utf16)?.kind == .unsupported)
    }

    @Test("Text slices stay valid after later feeds")
    func slicesSurviveFeeds() throws {
        var tokenizer = WBXMLTokenizer()
        tokenizer.feed(syncML12Header + [0x6D, 0x03] + "hello" + [nul])
        #expect(try tokenizer.next() == .token(.start(.known(.syncML))))
        let hello = try tokenizer.next()
        #expect(try tokenizer.next() == .needsInput)
        tokenizer.feed([0x03] + "world" + [nul, 0x01])
        #expect(try tokenizer.next() == .token(text("world")))
        #expect(hello == .token(text("hello")))
        #expect(try tokenizer.next() == .token(.end))
        #expect(try tokenizer.next() == .endOfDocument)
    }

    @Test("An empty input and a header alone are truncated after finish()")
    func truncatedEarly() throws {
        var empty = WBXMLTokenizer()
        #expect(try empty.next() == .needsInput)
        empty.finish()
        #expect(throws: SyncMLDecodingError(.truncated, at: 0, "document ends inside the WBXML header")) { try empty.next() }

        var header = WBXMLTokenizer()
        header.feed(syncML12Header + [0x43, 0x05, 0x01])
        #expect(try header.next() == .needsInput)
        #expect(header.documentInfo?.publicID == .number(0x1201))
        header.finish()
        #expect(throws: SyncMLDecodingError(.truncated, at: 8, "document ends before the root element")) { try header.next() }
    }
}
