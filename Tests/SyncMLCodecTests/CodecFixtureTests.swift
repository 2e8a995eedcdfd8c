import Foundation
@testable import SyncMLCodec
import TestSupport
import Testing
/// Every message SyncEvolution 2.0.0 and its reference server exchanged decodes,
/// streams, round-trips, and agrees with libwbxml2.
@Suite("SyncML codec on recorded SyncEvolution sessions")
struct CodecFixtureTests {
    static let all = Fixtures.messages()
    static let wbxml = Fixtures.messages(wbxml: true)
    static let xml = Fixtures.messages(wbxml: false)
    /// WBXML messages with libsynthesis' one-line XML translation beside them
    /// (case 01 has only a pretty-printed one, whose line ends were rewritten).
    static let translated = wbxml.filter {
        FileManager.default.fileExists(atPath: $0.deletingPathExtension().appendingPathExtension("trm.xml").path)
    }

    @Test("The fixtures are there")
    func fixturesPresent() {
        #expect(Self.wbxml.count >= 20, "WBXML fixtures under \(Fixtures.syncEvolution.path)")
        #expect(Self.xml.count >= 40)
        #expect(Self.translated.count >= 20)
    }

    @Test("Every message decodes into a header and commands", arguments: all)
    func decodes(_ url: URL) throws {
        let message = try SyncMLMessage(decoding: try Fixtures.bytes(url))
        #expect(["1.1", "1.2"].contains(message.header.verDTD))
        #expect(!message.header.sessionID.isEmpty)
        #expect(!message.commands.isEmpty, "\(Fixtures.name(url)) has a body")
        // Every message has a Status or Alert or Put; a SyncHdr status comes first in replies.
        if url.lastPathComponent != "002-c2s.wbxml", url.lastPathComponent != "002-c2s.xml",
           case .status(let first)? = message.commands.first {
            #expect(first.cmd == "SyncHdr")
        }
    }

    @Test("Fed byte by byte, in random chunks and whole, the events are the same", arguments: all)
    func chunkingDoesNotMatter(_ url: URL) throws {
        let bytes = try Fixtures.bytes(url)
        let whole = try Self.events(bytes, chunks: [bytes.count])
        #expect(whole.last == .endOfMessage)
        #expect(try Self.events(bytes, chunks: Array(repeating: 1, count: bytes.count)) == whole)
        var random = SeededGenerator(seed: UInt64(bytes.count))
        for _ in 0..<10 {
            var sizes: [Int] = []
            var left = bytes.count
            while left > 0 {
                let size = min(left, Int.random(in: 1...max(1, bytes.count / 7), using: &random))
                sizes.append(size)
                left -= size
            }
            #expect(try Self.events(bytes, chunks: sizes) == whole)
        }
    }

    @Test("Events account for the message's bytes (for `syncml decode --stats`)", arguments: all)
    func byteCounts(_ url: URL) throws {
        let bytes = try Fixtures.bytes(url)
        var decoder = SyncMLDecoder()
        decoder.feed(bytes)
        decoder.finish()
        var total = 0
        while let event = try decoder.next() {
            if case .command = event { #expect(decoder.lastEventByteCount > 0) }
            total += decoder.lastEventByteCount
        }
        // Everything but the prolog and the SyncML/SyncBody tags and closes.
        #expect(total <= bytes.count)
        #expect(total >= bytes.count - 160, "\(total) of \(bytes.count)")
    }

    static func events(_ bytes: [UInt8], chunks: [Int]) throws -> [SyncMLDecoder.Event] {
        var decoder = SyncMLDecoder()
        var events: [SyncMLDecoder.Event] = []
        var start = 0
        for size in chunks {
            decoder.feed(bytes[start..<(start + size)])
            start += size
            while let event = try decoder.next() { events.append(event) }
        }
        decoder.finish()
        while let event = try decoder.next() { events.append(event) }
        return events
    }

    @Test("WBXML decodes to the same model as libwbxml2's XML translation of it", arguments: wbxml)
    func agreesWithLibwbxml(_ url: URL) async throws {
        try #require(Peers.available("wbxml2xml", package: "libwbxml2-utils"))
        let bytes = try Fixtures.bytes(url)
        let ours = try SyncMLMessage(decoding: bytes)
        let theirs = try SyncMLMessage(decoding: try await Peers.wbxml2xml(bytes))
        #expect(ours.normalizingDevInfType() == theirs.normalizingDevInfType())
    }

    @Test("WBXML decodes to the same model as libsynthesis' own XML translation of it", arguments: translated)
    func agreesWithLibsynthesis(_ url: URL) throws {
        let translation = url.deletingPathExtension().appendingPathExtension("trm.xml")
        let ours = try SyncMLMessage(decoding: try Fixtures.bytes(url))
        let theirs = try SyncMLMessage(decoding: try Fixtures.bytes(translation))
        #expect(ours.normalizingDevInfType() == theirs.normalizingDevInfType())
    }

    @Test("Our WBXML, translated by libwbxml2, gives the same model", arguments: all)
    func libwbxmlReadsOurWBXML(_ url: URL) async throws {
        try #require(Peers.available("wbxml2xml", package: "libwbxml2-utils"))
        let message = try SyncMLMessage(decoding: try Fixtures.bytes(url))
        let ours = message.encoded(as: .wbxml)
        let theirs = try SyncMLMessage(decoding: try await Peers.wbxml2xml(ours))
        #expect(theirs.normalizingDevInfType() == message.normalizingDevInfType())
    }

    @Test("Round trips through WBXML and XML are identity", arguments: all)
    func roundTrips(_ url: URL) throws {
        let message = try SyncMLMessage(decoding: try Fixtures.bytes(url))
        let viaXML = try SyncMLMessage(decoding: message.encoded(as: .xml))
        #expect(viaXML.normalizingDevInfType() == message.normalizingDevInfType())
        let viaWBXML = try SyncMLMessage(decoding: message.encoded(as: .wbxml))
        #expect(viaWBXML.normalizingDevInfType() == message.normalizingDevInfType())
        // And back again: encoding is deterministic.
        #expect(viaWBXML.encoded(as: .wbxml) == message.encoded(as: .wbxml))
        #expect(viaXML.encoded(as: .xml) == message.encoded(as: .xml))
        #expect(try SyncMLMessage(decoding: viaWBXML.encoded(as: .xml)) == viaXML)
    }

    @Test("Every truncation gives a typed error, never a crash", arguments: [
        "01-slow-first-wbxml/002-c2s.wbxml", "01-slow-first-wbxml/006-c2s.wbxml",
        "02-two-way-edit-delete-add-xml/006-c2s.xml", "07-large-object-chunked-xml/014-c2s.xml",
    ])
    func truncations(_ name: String) throws {
        let bytes = try Fixtures.bytes(Fixtures.syncEvolution.appendingPathComponent(name))
        for length in 0..<bytes.count {
            #expect(throws: SyncMLDecodingError.self, "prefix of \(length) bytes") {
                _ = try SyncMLMessage(decoding: bytes[..<length])
            }
        }
    }

    @Test("Random byte flips give a message or a typed error, never a crash", arguments: [
        "01-slow-first-wbxml/002-c2s.wbxml", "03-slow-receive-map-wbxml/007-s2c.wbxml",
        "04a-two-way-replace-delete-wbxml/006-c2s.wbxml", "02-two-way-edit-delete-add-xml/002-c2s.xml",
    ])
    func byteFlips(_ name: String) throws {
        let original = try Fixtures.bytes(Fixtures.syncEvolution.appendingPathComponent(name))
        var random = SeededGenerator(seed: 0x5EED)
        var failures = 0
        for _ in 0..<1500 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            do {
                _ = try SyncMLMessage(decoding: bytes)
            } catch {
                failures += 1
            }
        }
        #expect(failures > 0, "some flips must be caught")
    }
}

extension SyncMLMessage {
    /// libwbxml2 (like SyncEvolution) rewrites a DevInf's MIME type to match the
    /// encoding it writes (`+wbxml` ↔ `+xml`); our encoders do too. Compare
    /// models with that one difference folded.
    func normalizingDevInfType() -> SyncMLMessage {
        var copy = self
        copy.commands = commands.map { $0.normalizingDevInfType() }
        return copy
    }
}

extension Command {
    func normalizingDevInfType() -> Command {
        func fold(_ meta: Meta?) -> Meta? {
            guard var meta, let type = meta.type else { return meta }
            meta.type = Meta.devInfType(type, wbxml: false)
            return meta
        }
        switch self {
        case .put(var put): put.meta = fold(put.meta); return .put(put)
        case .get(var get): get.meta = fold(get.meta); return .get(get)
        case .results(var results): results.meta = fold(results.meta); return .results(results)
        default: return self
        }
    }
}
