import Foundation
@testable import SyncMLCodec
import SyncMLSampleData
import TestSupport
import Testing

/// The decoder's fast paths (WBXML units recorded in bulk, a value read
/// straight from the input) give what the general, token-by-token path gives:
/// the same events, the same errors at the same offsets.
@Suite("Decoder fast paths agree with the general path")
struct DecoderFastPathTests {
    /// Every event with the bytes it stands for, or the error that ended the decode.
    enum Outcome: Equatable {
        case events([SyncMLDecoder.Event], byteCounts: [Int])
        case failed(SyncMLDecodingError)
    }

    static func decode(_ bytes: [UInt8], chunk: Int, inBulk: Bool) -> Outcome {
        var decoder = SyncMLDecoder()
        decoder.recordsInBulk = inBulk
        var events: [SyncMLDecoder.Event] = []
        var byteCounts: [Int] = []
        do {
            var start = 0
            repeat {
                let end = min(bytes.count, start + chunk)
                decoder.feed(bytes[start..<end])
                start = end
                if start == bytes.count { decoder.finish() }
                while let event = try decoder.next() {
                    events.append(event)
                    byteCounts.append(decoder.lastEventByteCount)
                }
            } while start < bytes.count
            return .events(events, byteCounts: byteCounts)
        } catch {
            return .failed(error)
        }
    }

    static func expectSame(_ bytes: [UInt8], chunks: [Int] = [.max, 1, 7, 4096], _ what: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        for chunk in chunks {
            let general = decode(bytes, chunk: max(1, min(chunk, bytes.count)), inBulk: false)
            let bulk = decode(bytes, chunk: max(1, min(chunk, bytes.count)), inBulk: true)
            #expect(bulk == general, "\(what), chunks of \(chunk)", sourceLocation: sourceLocation)
        }
    }

    @Test("Every recorded message: the same events, whole and in chunks", arguments: Fixtures.messages())
    func fixtures(_ url: URL) throws {
        let bytes = try Fixtures.bytes(url)
        Self.expectSame(bytes, Fixtures.name(url))
        guard case .events(let events, _) = Self.decode(bytes, chunk: bytes.count, inBulk: true) else {
            Issue.record("\(Fixtures.name(url)) does not decode")
            return
        }
        #expect(events.last == .endOfMessage)
    }

    @Test("Generated slow syncs (SyncML 1.1 and 1.2) in WBXML and XML")
    func generated() {
        for version in [SyncMLVersion.v1_2, .v1_1] {
            let message = SampleMessages.slowSync(contacts: 60, seed: 7, version: version)
            for encoding in [SyncMLEncoding.wbxml, .xml] {
                Self.expectSame(message.encoded(as: encoding), "\(version) \(encoding)")
            }
        }
    }

    @Test("Truncated and corrupted messages: the same error at the same offset, or the same events")
    func damaged() throws {
        let bytes = try Fixtures.bytes("01-slow-first-wbxml/002-c2s.wbxml")
        for length in stride(from: 0, to: bytes.count, by: 3) {
            Self.expectSame(Array(bytes[..<length]), chunks: [.max, 5], "prefix of \(length) bytes")
        }
        var random = SeededGenerator(seed: 0xB01C)
        for round in 0..<300 {
            var damaged = bytes
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                damaged[Int.random(in: 0..<damaged.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            Self.expectSame(damaged, chunks: [.max, 11], "flip round \(round)")
        }
    }

    @Test("Values padded with white space, split and empty read the same from WBXML as from XML")
    func paddedValues() throws {
        // XML text arrives as side slices (the general path); the same message
        // in WBXML has each value as one input range (the direct read).
        let xml = """
            <SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD> 1.2 </VerDTD><VerProto>SyncML/1.2</VerProto>\
            <SessionID>
            77
            </SessionID><MsgID>1</MsgID><Target><LocURI>http://x/</LocURI></Target>\
            <Source><LocURI>dev&#x41;1</LocURI></Source></SyncHdr><SyncBody>\
            <Add><CmdID>\t3 </CmdID><Meta><Type xmlns="syncml:metinf"> text/vcard</Type></Meta>\
            <Item><Source><LocURI>  a b  </LocURI></Source><Data>  BEGIN:VCARD&#13;
            END:VCARD  </Data></Item></Add>\
            <Alert><CmdID>4</CmdID><Data>200</Data><Item><Target><LocURI></LocURI></Target>\
            <Meta><Anchor xmlns="syncml:metinf"><Last> </Last><Next>n</Next></Anchor></Meta></Item></Alert>\
            <Final/></SyncBody></SyncML>
            """
        let xmlBytes = Array(xml.utf8)
        let wbxml = try SyncMLTranscoder.transcode(xmlBytes, to: .wbxml)
        let fromXML = try SyncMLMessage(decoding: xmlBytes)
        let fromWBXML = try SyncMLMessage(decoding: wbxml)
        #expect(fromWBXML == fromXML)
        #expect(fromWBXML.header.sessionID == "77")
        guard case .add(let add)? = fromWBXML.commands.first else {
            Issue.record("no Add first")
            return
        }
        #expect(add.cmdID == "3")
        #expect(add.meta?.type == "text/vcard")
        #expect(add.items.first?.source?.locURI == "a b")
        #expect(add.items.first?.data?.text == "  BEGIN:VCARD\r\nEND:VCARD  ")
        Self.expectSame(wbxml, "padded values")
    }
}
