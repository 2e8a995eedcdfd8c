import Foundation
@testable import SyncMLCodec
import TestSupport
import Testing
/// `SyncMLTranscoder`: token by token, in the order of the wire.
@Suite("SyncML transcoder")
struct TranscoderTests {
    @Test("Fed byte by byte, in random chunks or whole, the output is the same", arguments: [
        "01-slow-first-wbxml/002-c2s.wbxml", "02-two-way-edit-delete-add-xml/002-c2s.xml", "07-large-object-chunked-xml/014-c2s.xml",
    ])
    func chunkingDoesNotMatter(_ name: String) throws {
        let bytes = try Fixtures.bytes(Fixtures.syncEvolution.appendingPathComponent(name))
        for encoding in SyncMLEncoding.allCases {
            let whole = try SyncMLTranscoder.transcode(bytes, to: encoding)
            #expect(!whole.isEmpty)
            #expect(try Self.transcode(bytes, to: encoding, chunks: Array(repeating: 1, count: bytes.count)) == whole)
            var random = SeededGenerator(seed: UInt64(bytes.count))
            var sizes: [Int] = []
            var left = bytes.count
            while left > 0 {
                sizes.append(min(left, Int.random(in: 1...max(1, bytes.count / 9), using: &random)))
                left -= sizes.last!
            }
            #expect(try Self.transcode(bytes, to: encoding, chunks: sizes) == whole)
        }
    }

    @Test("What the model would reorder stays: DevInf flags, an unknown element, a Meta before CmdID; the typed decoder reads the result alike")
    func keepsOrder() throws {
        let message = """
            <SyncML xmlns='SYNCML:SYNCML1.1'><SyncHdr><VerDTD>1.1</VerDTD><VerProto>SyncML/1.1</VerProto><SessionID>7</SessionID>\
            <MsgID>1</MsgID><Target><LocURI>http://s/</LocURI></Target><Source><LocURI>dev</LocURI></Source></SyncHdr><SyncBody>\
            <Results><Meta><Type xmlns='syncml:metinf'>application/vnd.syncml-devinf+xml</Type></Meta><CmdID>1</CmdID><MsgRef>1</MsgRef>\
            <CmdRef>1</CmdRef><Item><Source><LocURI>./devinf11</LocURI></Source><Data><DevInf xmlns='syncml:devinf'><VerDTD>1.1</VerDTD>\
            <DevID>dev</DevID><DevTyp>phone</DevTyp><SupportLargeObjs/><UTC/><X-Foo>bar</X-Foo></DevInf></Data></Item></Results>\
            <Final/></SyncBody></SyncML>
            """
        let wbxml = try SyncMLTranscoder.transcode(Array(message.utf8), to: .wbxml)
        #expect(wbxml[0...2] == [0x02, 0x9F, 0x53], "WBXML 1.2, SyncML 1.1's public id")
        #expect(wbxml.starts(with: [0x02, 0x9F, 0x53, 0x6A]))
        let back = String(decoding: try SyncMLTranscoder.transcode(wbxml, to: .xml), as: UTF8.self)
        #expect(back == #"<?xml version="1.0" encoding="UTF-8"?>"# + message)
        // The nested DevInf document carries DevInf 1.1's public id (0x0FD4).
        #expect(wbxml.indices.contains { wbxml[$0...].starts(with: [0x02, 0x9F, 0x54, 0x6A]) })
        let decoded = try SyncMLMessage(decoding: wbxml)
        guard case .results(let results)? = decoded.commands.first, case .devInf(let info)? = results.items.first?.data else {
            Issue.record("no DevInf in \(decoded.commands)")
            return
        }
        #expect(info.supportsLargeObjects && info.utc && !info.supportsNumberOfChanges)
    }

    @Test("Whitespace between elements is dropped, text and CDATA kept; indenting adds it back for people")
    func whitespace() throws {
        let indented = """
            <SyncML xmlns="SYNCML:SYNCML1.2">
              <SyncHdr>
                <VerDTD>1.2</VerDTD>
              </SyncHdr>
              <SyncBody>
                <Add><CmdID>2</CmdID><Item><Data><![CDATA[ a  b ]]></Data></Item></Add>
                <Final>
                </Final>
              </SyncBody>
            </SyncML>
            """
        let compact = String(decoding: try SyncMLTranscoder.transcode(Array(indented.utf8), to: .xml), as: UTF8.self)
        #expect(compact == #"<?xml version="1.0" encoding="UTF-8"?><SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD></SyncHdr>"#
            + "<SyncBody><Add><CmdID>2</CmdID><Item><Data><![CDATA[ a  b ]]></Data></Item></Add><Final/></SyncBody></SyncML>")
        let pretty = String(decoding: try SyncMLTranscoder.transcode(Array(compact.utf8), to: .xml, indent: true), as: UTF8.self)
        #expect(pretty.contains("\n  <SyncHdr>\n    <VerDTD>1.2</VerDTD>\n  </SyncHdr>"), "\(pretty)")
    }

    @Test("Bad input is a typed error: not SyncML, truncated, malformed, empty")
    func badInput() {
        for (input, kind) in [
            ("<html><body/></html>", SyncMLDecodingError.Kind.unexpectedElement),
            ("<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2", .truncated),
            ("<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr></SyncBody>", .malformedXML),
            ("", .truncated),
        ] {
            let error = #expect(throws: SyncMLDecodingError.self, "\(input)") {
                _ = try SyncMLTranscoder.transcode(Array(input.utf8), to: .wbxml)
            }
            #expect(error?.kind == kind, "\(input): \(String(describing: error))")
        }
    }

    static func transcode(_ bytes: [UInt8], to encoding: SyncMLEncoding, chunks: [Int]) throws -> [UInt8] {
        var transcoder = SyncMLTranscoder(to: encoding)
        var output: [UInt8] = []
        var start = 0
        for size in chunks {
            try transcoder.feed(bytes[start..<(start + size)])
            start += size
            output += transcoder.takeOutput()
        }
        try transcoder.finish()
        return output + transcoder.takeOutput()
    }
}
