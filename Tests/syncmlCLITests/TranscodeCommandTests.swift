import Foundation
import TestSupport
import Testing

/// `syncml decode` and `syncml encode` show a message as it was on the wire:
/// element order, DevInf flags and unknown elements as received. libwbxml2 is
/// the reference for the WBXML ↔ XML mapping. Serialized: a hundred messages
/// at once would be several hundred processes, starving the timing-sensitive
/// server tests that run beside them.
@Suite("syncml decode and encode keep the wire order", .serialized)
struct TranscodeCommandTests {
    static let messages = Fixtures.messages()
    static let wbxml = messages.filter { $0.pathExtension == "wbxml" } + [
        Fixtures.packageRoot.appendingPathComponent("Examples/client-init.wbxml"),
        Fixtures.packageRoot.appendingPathComponent("Examples/client-slow-sync.wbxml"),
    ]
    static let xml = messages.filter { $0.pathExtension == "xml" }

    @Test("The recorded messages are there")
    func fixturesPresent() {
        #expect(Self.wbxml.count >= 30, "under \(Fixtures.syncEvolution.path)")
        #expect(Self.xml.count >= 60)
    }

    @Test("WBXML to XML is what wbxml2xml writes (its prolog and attribute quotes aside), and WBXML to WBXML is the same bytes",
          arguments: wbxml)
    func wbxmlAsXML(_ url: URL) async throws {
        try #require(Peers.available("wbxml2xml", package: "libwbxml2-utils"))
        let original = [UInt8](try Data(contentsOf: url))
        let cli = try CLI()
        defer { cli.remove() }
        let xml = try await cli.run(["encode", "--xml", url.path])
        #expect(xml.status == 0, "\(xml.error)")
        #expect(Self.comparable(Array(xml.output.utf8)) == Self.comparable(try await Peers.wbxml2xml(original)), "\(url.lastPathComponent)")
        let wbxml = try await cli.runBytes(["encode", "--wbxml", url.path])
        #expect(wbxml == original)
    }

    @Test("XML to WBXML is xml2wbxml's bytes exactly, and XML to XML is the same bytes", arguments: xml)
    func xmlAsWBXML(_ url: URL) async throws {
        try #require(Peers.available("xml2wbxml", package: "libwbxml2-utils"))
        let original = [UInt8](try Data(contentsOf: url))
        let cli = try CLI()
        defer { cli.remove() }
        #expect(try await cli.runBytes(["encode", "--wbxml", url.path]) == (try await Peers.xml2wbxml(original)), "\(url.lastPathComponent)")
        #expect(try await cli.runBytes(["encode", "--xml", url.path]) == original)
    }

    @Test("decode's indented XML encodes back to the message's compact form", arguments: [
        "01-slow-first-wbxml/002-c2s.wbxml", "01-slow-first-wbxml/003-s2c.wbxml", "08-syncml11-xml/002-c2s.xml",
        "07-large-object-chunked-xml/014-c2s.xml",
    ])
    func decodeRoundTrips(_ name: String) async throws {
        let url = Fixtures.syncEvolution.appendingPathComponent(name)
        let cli = try CLI()
        defer { cli.remove() }
        let decoded = try await cli.run(["decode", url.path])
        #expect(decoded.status == 0, "\(decoded.error)")
        #expect(decoded.output.contains("\n    <"), "indented")
        try Data(decoded.output.utf8).write(to: cli.directory.appendingPathComponent("decoded.xml"))
        #expect(try await cli.runBytes(["encode", "--xml", "decoded.xml"]) == (try await cli.runBytes(["encode", "--xml", url.path])))
    }

    @Test("A DevInf's flags out of DTD order and an unknown element stay where the peer put them, through WBXML and back")
    func keepsOrder() async throws {
        let message = """
            <?xml version="1.0" encoding="UTF-8"?><SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD>\
            <VerProto>SyncML/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>http://s/</LocURI></Target>\
            <Source><LocURI>dev</LocURI></Source></SyncHdr><SyncBody><Put><CmdID>1</CmdID><Meta><Type xmlns='syncml:metinf'>\
            application/vnd.syncml-devinf+xml</Type></Meta><Item><Source><LocURI>./devinf12</LocURI></Source><Data>\
            <DevInf xmlns='syncml:devinf'><VerDTD>1.2</VerDTD><DevID>dev</DevID><DevTyp>phone</DevTyp>\
            <SupportNumberOfChanges/><SupportLargeObjs/><UTC/></DevInf></Data></Item></Put>\
            <Alert><CmdID>2</CmdID><X-Vendor xmlns='urn:vendor'>1</X-Vendor><Data>200</Data></Alert><Final/></SyncBody></SyncML>
            """
        let cli = try CLI()
        defer { cli.remove() }
        try Data(message.utf8).write(to: cli.directory.appendingPathComponent("in.xml"))
        #expect(try await cli.runBytes(["encode", "--xml", "in.xml"]) == Array(message.utf8))
        try Data(try await cli.runBytes(["encode", "--wbxml", "in.xml"])).write(to: cli.directory.appendingPathComponent("in.wbxml"))
        let back = try await cli.run(["encode", "--xml", "in.wbxml"]).output
        #expect(back.contains("<SupportNumberOfChanges/><SupportLargeObjs/><UTC/></DevInf>"), "\(back)")
        #expect(back.contains("application/vnd.syncml-devinf+xml"), "the DevInf type names the encoding, as libwbxml2 writes it")
        // WBXML has no foreign namespaces: the vendor element comes back as a literal of the SyncML namespace, in its place.
        #expect(back.contains("<CmdID>2</CmdID><X-Vendor>1</X-Vendor><Data>200</Data>"), "\(back)")
    }

    @Test("A truncated message is one line with the byte offset, exit 1")
    func truncated() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let url = Fixtures.syncEvolution.appendingPathComponent("01-slow-first-wbxml/006-c2s.wbxml")
        try Data(try Data(contentsOf: url).prefix(300)).write(to: cli.directory.appendingPathComponent("cut.wbxml"))
        for command in [["decode", "cut.wbxml"], ["encode", "--xml", "cut.wbxml"]] {
            let result = try await cli.run(command)
            #expect(result.status == 1)
            #expect(result.error.hasPrefix("syncml: cut.wbxml: truncated at byte "), "\(result.error)")
            #expect(result.error.split(separator: "\n").count == 1)
        }
    }

    /// XML with the prolog (and libwbxml2's DOCTYPE) left out and `xmlns='…'` written as `xmlns="…"`.
    static func comparable(_ xml: [UInt8]) -> String {
        var text = String(decoding: xml, as: UTF8.self)
        for prefix in ["<?xml", "<!DOCTYPE"] where text.hasPrefix(prefix) {
            if let end = text.firstIndex(of: ">") { text = String(text[text.index(after: end)...]) }
        }
        return text.replacingOccurrences(of: "xmlns='", with: "xmlns=\"").replacingOccurrences(of: "'>", with: "\">")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension CLI {
    /// Runs `syncml ARGUMENTS` and returns its standard output as bytes (WBXML is not text); a failure throws.
    func runBytes(_ arguments: [String]) async throws -> [UInt8] {
        let process = Process()
        guard let executable = Self.executable else { throw CLIError(message: "syncml is not built next to the tests") }
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = try OutputFile(), error = try OutputFile()
        process.standardOutput = output.handle
        process.standardError = error.handle
        process.standardInput = FileHandle.nullDevice
        try await process.start().wait()
        guard process.terminationStatus == 0 else {
            throw CLIError(message: "syncml \(arguments.joined(separator: " ")): \(error.text)")
        }
        return [UInt8](output.data)
    }
}
