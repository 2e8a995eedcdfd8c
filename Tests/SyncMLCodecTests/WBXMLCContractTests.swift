import CSupport
import Foundation
@testable import SyncMLCodec
import TestSupport
import Testing

// The C scanner (CSupport/src/wbxml_scanner.c) driven directly, without the Swift
// tokenizer (helpers in WBXMLScannerTests.swift).

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
