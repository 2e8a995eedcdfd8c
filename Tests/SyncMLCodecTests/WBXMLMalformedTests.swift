import CSupport
import Foundation
@testable import SyncMLCodec
import TestSupport
import Testing

// Malformed WBXML: each error names its kind and the byte offset of the problem
// (helpers in WBXMLScannerTests.swift).

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
