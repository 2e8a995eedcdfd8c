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

// MARK: - Malformed input

@Suite("WBXML scanner: malformed input")
struct WBXMLMalformedTests {
    @Test("END without an open element")
    func endWithoutElement() {
        let error = decodingError(syncML12Header + [0x01])
        #expect(error == SyncMLDecodingError(.malformedWBXML, at: 5, "END without open element"))
    }

    @Test("A multi-byte integer of 6 bytes, and one above 32 bits")
    func longMultiByteInteger() throws {
        #expect(
            decodingError([0x02, 0x80, 0x80, 0x80, 0x80, 0x81, 0x01, 0x6A, 0x00])
                == SyncMLDecodingError(.malformedWBXML, at: 1, "multi-byte integer longer than 5 bytes"))
        #expect(
            decodingError(syncML12Header + [0x6D, 0x02, 0x80, 0x80, 0x80, 0x80, 0x80, 0x41, 0x01])
                == SyncMLDecodingError(.malformedWBXML, at: 7, "multi-byte integer longer than 5 bytes"))
        #expect(
            decodingError([0x02, 0x90, 0x80, 0x80, 0x80, 0x00, 0x6A, 0x00])
                == SyncMLDecodingError(.malformedWBXML, at: 1, "multi-byte integer does not fit in 32 bits"))
        // 0xFFFFFFFF in 5 bytes is fine.
        #expect(try tokenize([0x02, 0x8F, 0xFF, 0xFF, 0xFF, 0x7F, 0x6A, 0x00, 0x2D]).info?.publicID == .number(0xFFFF_FFFF))
    }

    @Test("STR_T, LITERAL and public id indexes past the string table")
    func tableIndexPastEnd() {
        let header: [UInt8] = [0x02, 0xA4, 0x01, 0x6A, 0x03, 0x61, 0x62, 0x00]
        #expect(
            decodingError(header + [0x6D, 0x83, 0x03, 0x01])
                == SyncMLDecodingError(.malformedWBXML, at: 10, "string table index past the end of the string table"))
        #expect(
            decodingError(header + [0x44, 0x05, 0x01])
                == SyncMLDecodingError(.malformedWBXML, at: 9, "string table index past the end of the string table"))
        #expect(
            decodingError([0x02, 0x00, 0x03, 0x6A, 0x03, 0x61, 0x62, 0x00, 0x2D])
                == SyncMLDecodingError(.malformedWBXML, at: 2, "public identifier index past the end of the string table"))
        // A table entry without its NUL.
        #expect(decodingError([0x02, 0xA4, 0x01, 0x6A, 0x02, 0x61, 0x62, 0x6D, 0x83, 0x00, 0x01])?.kind == .malformedWBXML)
    }

    @Test("OPAQUE longer than the input is truncated at the OPAQUE")
    func opaqueTooLong() {
        #expect(
            decodingError(syncML12Header + [0x6D, 0xC3, 0x05, 0x01, 0x02])
                == SyncMLDecodingError(.truncated, at: 6, "document ends inside an element (1 open)"))
    }

    @Test("Depth, string, opaque and string table limits")
    func limits() {
        let depth = WBXMLLimits(maxDepth: 2)
        #expect(
            decodingError(syncML12Header + [0x6D, 0x6B, 0x6A, 0x01, 0x01, 0x01], limits: depth)
                == SyncMLDecodingError(.limitExceeded, at: 7, "elements nested deeper than the depth limit"))
        #expect(decodingError(syncML12Header + [0x6D, 0x6B, 0x2A, 0x01, 0x01], limits: depth)?.offset == 7)
        #expect(throws: Never.self) { try tokenize(syncML12Header + [0x6D, 0x6B, 0x01, 0x01], limits: depth) }

        let strings = WBXMLLimits(maxStringLength: 4)
        #expect(throws: Never.self) { try tokenize(syncML12Header + [0x6D, 0x03] + "abcd" + [nul, 0x01], limits: strings) }
        #expect(
            decodingError(syncML12Header + [0x6D, 0x03] + "abcde" + [nul, 0x01], limits: strings)
                == SyncMLDecodingError(.limitExceeded, at: 7, "inline string longer than the string limit"))

        #expect(
            decodingError(syncML12Header + [0x6D, 0xC3, 0x05, 1, 2, 3, 4, 5, 0x01], limits: WBXMLLimits(maxOpaqueLength: 4))
                == SyncMLDecodingError(.limitExceeded, at: 7, "opaque data longer than the opaque limit"))

        #expect(
            decodingError([0x02, 0xA4, 0x01, 0x6A, 0x05, 1, 2, 3, 4, 0, 0x2D], limits: WBXMLLimits(maxTableLength: 4))
                == SyncMLDecodingError(.limitExceeded, at: 4, "string table length exceeds limit"))
    }

    @Test("Global tokens where they do not belong")
    func misplacedGlobalTokens() {
        #expect(
            decodingError(syncML12Header + [0xED, 0x05, 0x44, 0x01, 0x01])
                == SyncMLDecodingError(.malformedWBXML, at: 7, "global token not allowed in an attribute list"))
        #expect(
            decodingError(syncML12Header + [0xED, 0x85, 0x01, 0x01])
                == SyncMLDecodingError(.malformedWBXML, at: 6, "attribute list must begin with an attribute start"))
        #expect(
            decodingError(syncML12Header + [0x03] + "x" + [nul])
                == SyncMLDecodingError(.malformedWBXML, at: 5, "content outside the root element"))
        #expect(
            decodingError([0x04, 0x01, 0x6A, 0x00, 0x2D])
                == SyncMLDecodingError(.malformedWBXML, at: 0, "unsupported WBXML version (expected 1.0 to 1.3)"))
    }

    @Test("Entities must be Unicode scalar values")
    func entityRange() {
        #expect(
            decodingError(syncML12Header + [0x6D, 0x02, 0xC4, 0x80, 0x00, 0x01])
                == SyncMLDecodingError(.malformedWBXML, at: 7, "entity is not a Unicode scalar value"))
        #expect(decodingError(syncML12Header + [0x6D, 0x02, 0x83, 0xB0, 0x00, 0x01])?.offset == 7)
        #expect(throws: Never.self) { try tokenize(syncML12Header + [0x6D, 0x02, 0xC3, 0xFF, 0x7F, 0x01]) }
    }

    @Test("Errors are sticky")
    func sticky() throws {
        var tokenizer = WBXMLTokenizer()
        tokenizer.feed(syncML12Header + [0x01, 0x6D])
        let error = SyncMLDecodingError(.malformedWBXML, at: 5, "END without open element")
        #expect(throws: error) { try tokenizer.next() }
        tokenizer.feed([0x01])
        #expect(throws: error) { try tokenizer.next() }
    }
}

// MARK: - The C scanner directly

@Suite("WBXML scanner: C contract")
struct WBXMLCContractTests {
    @Test("Header fields, extension tokens, NEED_MORE leaves the position alone")
    func cTokens() {
        let doc: [UInt8] = [0x03, 0x00, 0x02, 0x6A, 0x04, 0x61, 0x00, 0x62, 0x00, 0x6D, 0x41, 0x78, 0x00, 0x82, 0x87, 0x68, 0xC0, 0x01]
        var scanner = csupport_wbxml_scanner()
        csupport_wbxml_init(&scanner, nil)
        #expect(scanner.limits.max_depth == 64 && scanner.limits.max_table_length == 65536)
        var token = csupport_wbxml_token()
        var position = 0
        var seen: [csupport_wbxml_token] = []
        doc.withUnsafeBufferPointer { bytes in
            var count = 0
            while count <= bytes.count {
                let before = position
                let status = csupport_wbxml_next(&scanner, bytes.baseAddress, count, &position, &token)
                if status == CSUPPORT_WBXML_NEED_MORE {
                    #expect(position == before)
                    count += 1
                } else if status == CSUPPORT_WBXML_OK {
                    #expect(UInt64(position) == scanner.consumed)
                    seen.append(token)
                } else {
                    #expect(status == CSUPPORT_WBXML_END)
                    #expect(csupport_wbxml_next(&scanner, bytes.baseAddress, bytes.count, &position, &token) == CSUPPORT_WBXML_END)
                    break
                }
            }
        }
        #expect(seen.count == 6)
        guard seen.count == 6 else { return }
        #expect(seen[0].kind == UInt8(CSUPPORT_WBXML_HEADER.rawValue))
        #expect(seen[0].version == 3 && seen[0].value == 0 && seen[0].index == 2 && seen[0].charset == 106)
        #expect(seen[0].data_offset == 5 && seen[0].data_length == 4)
        #expect(seen[1].kind == UInt8(CSUPPORT_WBXML_START.rawValue) && seen[1].tag == 0x2D && seen[1].flags == 0x01)
        #expect(seen[2].kind == UInt8(CSUPPORT_WBXML_EXTENSION.rawValue) && seen[2].tag == 0x41)
        #expect(seen[2].data_offset == 11 && seen[2].data_length == 1)
        #expect(seen[3].tag == 0x82 && seen[3].value == 0x3E8)
        #expect(seen[4].tag == 0xC0)
        #expect(seen[5].kind == UInt8(CSUPPORT_WBXML_ENDTAG.rawValue))
        #expect(scanner.error_reason == nil)
    }

    @Test("An inline string fed in pieces is not searched again from its start")
    func inlineStringHint() throws {
        var scanner = csupport_wbxml_scanner()
        csupport_wbxml_init(&scanner, nil)
        var token = csupport_wbxml_token()
        var position = 0
        let doc: [UInt8] = syncML12Header + [0x6D, 0x03] + String(repeating: "x", count: 1000) + [nul, 0x01]
        doc.withUnsafeBufferPointer { bytes in
            #expect(csupport_wbxml_next(&scanner, bytes.baseAddress, 6, &position, &token) == CSUPPORT_WBXML_OK)
            #expect(csupport_wbxml_next(&scanner, bytes.baseAddress, 6, &position, &token) == CSUPPORT_WBXML_OK)
            #expect(csupport_wbxml_next(&scanner, bytes.baseAddress, 500, &position, &token) == CSUPPORT_WBXML_NEED_MORE)
            #expect(scanner.hint_at == 6 && scanner.hint_length == 493)
            #expect(csupport_wbxml_next(&scanner, bytes.baseAddress, bytes.count, &position, &token) == CSUPPORT_WBXML_OK)
            #expect(token.kind == UInt8(CSUPPORT_WBXML_STRING.rawValue) && token.data_offset == 7 && token.data_length == 1000)
        }
        // 256 KiB fed byte by byte stays linear.
        let long: [UInt8] = syncML12Header + [0x6D, 0x03] + [UInt8](repeating: 0x61, count: 256 << 10) + [nul, 0x01]
        let result = try tokenize(long, chunks: byteByByte(long.count))
        #expect(result.tokens.count == 3)
    }

    @Test("Malformed is sticky and the offset is absolute across dropped bytes")
    func absoluteOffsets() {
        var scanner = csupport_wbxml_scanner()
        csupport_wbxml_init(&scanner, nil)
        var token = csupport_wbxml_token()
        var position = 0
        let first: [UInt8] = syncML12Header + [0x6D]
        first.withUnsafeBufferPointer { bytes in
            #expect(csupport_wbxml_next(&scanner, bytes.baseAddress, bytes.count, &position, &token) == CSUPPORT_WBXML_OK)
            #expect(csupport_wbxml_next(&scanner, bytes.baseAddress, bytes.count, &position, &token) == CSUPPORT_WBXML_OK)
        }
        // The caller dropped the consumed bytes: the next buffer starts at byte 6.
        let second: [UInt8] = [0x01, 0x01]
        position = 0
        second.withUnsafeBufferPointer { bytes in
            #expect(csupport_wbxml_next(&scanner, bytes.baseAddress, bytes.count, &position, &token) == CSUPPORT_WBXML_OK)
            #expect(csupport_wbxml_next(&scanner, bytes.baseAddress, bytes.count, &position, &token) == CSUPPORT_WBXML_END)
        }
        let bad: [UInt8] = [0x01]
        var other = csupport_wbxml_scanner()
        csupport_wbxml_init(&other, nil)
        position = 0
        (syncML12Header + [0x6D, 0x03, 0x61, 0x00]).withUnsafeBufferPointer { bytes in
            while csupport_wbxml_next(&other, bytes.baseAddress, bytes.count, &position, &token) == CSUPPORT_WBXML_OK {}
        }
        position = 0
        bad.withUnsafeBufferPointer { bytes in
            #expect(csupport_wbxml_next(&other, bytes.baseAddress, bytes.count, &position, &token) == CSUPPORT_WBXML_OK)
            #expect(other.consumed == 10)
        }
        bad.withUnsafeBufferPointer { bytes in
            position = 0
            #expect(csupport_wbxml_next(&other, bytes.baseAddress, bytes.count, &position, &token) == CSUPPORT_WBXML_END)
        }
        var broken = csupport_wbxml_scanner()
        csupport_wbxml_init(&broken, nil)
        position = 0
        (syncML12Header + [0x6D, 0x01, 0x01]).withUnsafeBufferPointer { bytes in
            var status = CSUPPORT_WBXML_OK
            while status == CSUPPORT_WBXML_OK {
                status = csupport_wbxml_next(&broken, bytes.baseAddress, bytes.count, &position, &token)
            }
            #expect(status == CSUPPORT_WBXML_END)
        }
        var failed = csupport_wbxml_scanner()
        csupport_wbxml_init(&failed, nil)
        position = 0
        (syncML12Header + [0x01]).withUnsafeBufferPointer { bytes in
            #expect(csupport_wbxml_next(&failed, bytes.baseAddress, bytes.count, &position, &token) == CSUPPORT_WBXML_OK)
            #expect(csupport_wbxml_next(&failed, bytes.baseAddress, bytes.count, &position, &token) == CSUPPORT_WBXML_MALFORMED)
            #expect(failed.error_offset == 5 && position == 5)
            #expect(String(cString: failed.error_reason) == "END without open element")
            #expect(csupport_wbxml_next(&failed, bytes.baseAddress, bytes.count, &position, &token) == CSUPPORT_WBXML_MALFORMED)
        }
        // An empty buffer with a NULL base address is fine.
        var fresh = csupport_wbxml_scanner()
        csupport_wbxml_init(&fresh, nil)
        position = 0
        #expect(csupport_wbxml_next(&fresh, nil, 0, &position, &token) == CSUPPORT_WBXML_NEED_MORE)
    }

    @Test("The raw scan baseline counts tokens by kind and their data bytes")
    func countTokens() {
        // SyncML(SyncHdr(VerDTD "1.2") SyncBody(Data OPAQUE "abc", Final/)), a PI and a
        // SWITCH_PAGE (not reported) inside SyncBody.
        let doc: [UInt8] =
            syncML12Header + [0x6D, 0x6C, 0x71, 0x03] + "1.2"
            + [nul, 0x01, 0x01, 0x6B, 0x43, 0x05, 0x01, 0x00, 0x00, 0x4F, 0xC3, 0x03] + "abc" + [0x01, 0x12, 0x01, 0x01]
        func count(_ bytes: [UInt8]) -> (csupport_wbxml_status, csupport_wbxml_counts) {
            var counts = csupport_wbxml_counts()
            let status = bytes.withUnsafeBufferPointer { csupport_wbxml_count_tokens($0.baseAddress, $0.count, nil, &counts) }
            return (status, counts)
        }
        let (status, counts) = count(doc)
        #expect(status == CSUPPORT_WBXML_END)
        #expect(counts.tokens == 14 && counts.data_bytes == 6)
        let byKind = withUnsafeBytes(of: counts.by_kind) { Array($0.bindMemory(to: UInt64.self)) }
        // header, start, end, string, table string, opaque, entity, extension
        #expect(byKind == [1, 6, 5, 1, 0, 1, 0, 0])
        #expect(count(Array(doc.dropLast())).0 == CSUPPORT_WBXML_NEED_MORE)
        #expect(count(syncML12Header + [0x01]).0 == CSUPPORT_WBXML_MALFORMED)
    }
}

// MARK: - SyncEvolution fixtures

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
