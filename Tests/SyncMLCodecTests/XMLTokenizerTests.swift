import Foundation
@testable import SyncMLCodec
import TestSupport
import Testing
// MARK: - Harness

/// A token with text as owned bytes, so sequences from different runs compare.
enum XMLTok: Equatable, CustomStringConvertible {
    case start(ElementName)
    case end
    case text([UInt8])
    case character(Unicode.Scalar)

    static func text(_ string: String) -> XMLTok { .text(Array(string.utf8)) }
    static func start(_ tag: SyncMLCodec.Tag) -> XMLTok { .start(.known(tag)) }

    var description: String {
        switch self {
        case .start(.known(let tag)): "<\(tag)>"
        case .start(.unknown(let namespace, let name)): "<{\(namespace)}\(name)>"
        case .end: "</>"
        case .text(let bytes): "text(\(String(decoding: bytes, as: UTF8.self).debugDescription))"
        case .character(let scalar): "char(\(scalar.escaped(asASCII: true)))"
        }
    }
}

enum XMLOutcome: Equatable {
    case document([XMLTok])
    case failed(SyncMLDecodingError)
    case hung(String)

    var tokens: [XMLTok]? {
        if case .document(let tokens) = self { tokens } else { nil }
    }

    var error: SyncMLDecodingError? {
        if case .failed(let error) = self { error } else { nil }
    }
}


/// Feeds `input` in pieces of the sizes `chunkSize` gives, joins adjacent text
/// pieces and checks the pull contract (progress, no `.needsInput` after finish).
func xmlTokenize(
    _ input: [UInt8], limits: XMLLimits = XMLLimits(), chunkSize: (inout SeededGenerator) -> Int = { _ in .max },
    seed: UInt64 = 0
) -> XMLOutcome {
    var tokenizer = XMLTokenizer(limits: limits)
    var rng = SeededGenerator(seed: seed)
    var fed = 0
    var finished = false
    var tokens: [XMLTok] = []
    var pendingText: [UInt8]?
    // Every event consumes input, emits a pending end or is followed by a feed.
    let maxSteps = 3 * input.count + 64
    for _ in 0 ..< maxSteps {
        let event: TokenizerEvent
        do {
            event = try tokenizer.next()
        } catch {
            // The error sticks: asking again throws it again.
            #expect(throws: error) { try tokenizer.next() }
            return .failed(error)
        }
        if case .token(.text(let bytes)) = event {
            if pendingText == nil { pendingText = [] }
            pendingText!.append(contentsOf: bytes)
            continue
        }
        if let text = pendingText, case .token = event {
            tokens.append(.text(text))
            pendingText = nil
        }
        switch event {
        case .needsInput:
            if finished { return .hung("needsInput after finish() at byte \(tokenizer.offset)") }
            if fed < input.count {
                let count = min(max(1, chunkSize(&rng)), input.count - fed)
                tokenizer.feed(input[fed ..< fed + count])
                fed += count
            } else {
                tokenizer.finish()
                finished = true
            }
        case .endOfDocument:
            if let text = pendingText { tokens.append(.text(text)) }
            #expect(tokenizer.documentInfo == DocumentInfo(encoding: .xml))
            #expect((try? tokenizer.next()) == .endOfDocument)
            return .document(tokens)
        case .token(.start(let name)): tokens.append(.start(name))
        case .token(.end): tokens.append(.end)
        case .token(.character(let scalar)): tokens.append(.character(scalar))
        case .token(.text), .token(.opaque): return .hung("unexpected token \(event)")
        }
    }
    return .hung("no progress after \(maxSteps) steps at byte \(tokenizer.offset)")
}

func xmlTokenize(_ string: String, limits: XMLLimits = XMLLimits()) -> XMLOutcome {
    xmlTokenize(Array(string.utf8), limits: limits)
}

/// Chunk sizes mixing single bytes, small and large pieces.
func randomChunk(_ rng: inout SeededGenerator) -> Int {
    switch rng.next() % 4 {
    case 0: 1
    case 1: Int(rng.next() % 8) + 1
    case 2: Int(rng.next() % 64) + 1
    default: Int(rng.next() % 4096) + 1
    }
}

func expectFailure(
    _ input: String, _ kind: SyncMLDecodingError.Kind, at offset: Int, limits: XMLLimits = XMLLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let bytes = Array(input.utf8)
    for (label, outcome) in [
        ("whole", xmlTokenize(bytes, limits: limits)),
        ("byte by byte", xmlTokenize(bytes, limits: limits, chunkSize: { _ in 1 })),
    ] {
        guard let error = outcome.error else {
            Issue.record("\(label): expected \(kind) at \(offset), got \(outcome)", sourceLocation: sourceLocation)
            continue
        }
        #expect(error.kind == kind, "\(label): \(error)", sourceLocation: sourceLocation)
        #expect(error.offset == offset, "\(label): \(error)", sourceLocation: sourceLocation)
    }
}

extension Fixtures {
    /// Every `.xml` file (exact messages, `.trm.xml` and `.pretty.xml`), relative paths.
    static let xmlFiles: [String] = {
        guard let enumerator = FileManager.default.enumerator(atPath: syncEvolution.path) else { return [] }
        return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".xml") }.sorted()
    }()

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: syncEvolution.appendingPathComponent(path)))
    }
}

let syncML12 = "xmlns='SYNCML:SYNCML1.2'"

// MARK: - Specification

@Suite("XML tokenizer")
struct XMLTokenizerTests {
    @Test("An empty-element tag is a start and an end; the root's end ends the document")
    func minimalDocument() throws {
        var tokenizer = XMLTokenizer()
        #expect(try tokenizer.next() == .needsInput)
        tokenizer.feed(Array("<SyncML \(syncML12)><Final/></SyncML>trailing junk".utf8))
        #expect(tokenizer.documentInfo == nil)
        #expect(try tokenizer.next() == .token(.start(.known(.syncML))))
        #expect(tokenizer.documentInfo == DocumentInfo(encoding: .xml))
        #expect(tokenizer.offset == 33)
        #expect(try tokenizer.next() == .token(.start(.known(.final))))
        #expect(try tokenizer.next() == .token(.end))
        #expect(try tokenizer.next() == .token(.end))
        #expect(try tokenizer.next() == .endOfDocument)
        #expect(try tokenizer.next() == .endOfDocument)
        #expect(xmlTokenize("<SyncML/>") == .document([.start(.syncML), .end]))
    }

    @Test("BOM, XML declaration, comments, processing instructions and DOCTYPE are skipped")
    func prologIsSkipped() {
        let document = "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- a <comment> -->\n"
            + "<?app data?>\n<!DOCTYPE SyncML PUBLIC \"-//SYNCML//DTD SyncML 1.2//EN\" 'x.dtd' [\n"
            + "  <!ENTITY gt2 \"]>\"> <!-- ]> ' \" --> <!ATTLIST a b CDATA '>'>\n]>\n"
            + "<SyncML \(syncML12)><!-- inside --><?pi inside?><Final/></SyncML>\n<!-- after -->\n"
        for chunk in [Int.max, 1, 3] {
            #expect(xmlTokenize(Array(document.utf8), chunkSize: { _ in chunk })
                == .document([.start(.syncML), .start(.final), .end, .end]))
        }
    }

    @Test("Attribute values may use either quote style and contain the other quote")
    func quoteStyles() {
        let expected: XMLOutcome = .document([.start(.syncML), .start(.final), .end, .end])
        #expect(xmlTokenize("<SyncML xmlns=\"SYNCML:SYNCML1.2\" a='say \"hi\"' b = \"it's\"><Final a='>'/></SyncML>") == expected)
        #expect(xmlTokenize("<SyncML\n\txmlns='SYNCML:SYNCML1.2'\n><Final\n/></SyncML\n>") == expected)
    }

    @Test("Prefixed names resolve through their declarations")
    func prefixes() {
        let document = "<s:SyncML xmlns:s='SYNCML:SYNCML1.1' xmlns:m=\"syncml:metinf\"><s:Meta>"
            + "<m:Type>t</m:Type><x:Type xmlns:x='syncml:devinf'/><m:Bogus/></s:Meta></s:SyncML>"
        #expect(xmlTokenize(document) == .document([
            .start(.syncML), .start(.meta),
            .start(.type), .text("t"), .end,
            .start(.unknown(namespace: "syncml:devinf", name: "Type")), .end,
            .start(.unknown(namespace: "syncml:metinf", name: "Bogus")), .end,
            .end, .end,
        ]))
    }

    @Test("A default namespace declared on a child applies to it and its descendants only")
    func defaultNamespaceScoping() {
        let document = "<SyncML \(syncML12)><Meta><Type xmlns='syncml:metinf'><Anchor/></Type><Type/></Meta>"
            + "<Data><DevInf xmlns='syncml:devinf'><SourceRef/></DevInf></Data><SourceRef/>"
            + "<Other xmlns='urn:example'/></SyncML>"
        #expect(xmlTokenize(document) == .document([
            .start(.syncML), .start(.meta),
            .start(.type), .start(.anchor), .end, .end,
            .start(.unknown(namespace: "SYNCML:SYNCML1.2", name: "Type")), .end,
            .end,
            .start(.data), .start(DevInfTag.devInf), .start(DevInfTag.sourceRef), .end, .end, .end,
            .start(.sourceRef), .end,
            .start(.unknown(namespace: "urn:example", name: "Other")), .end,
            .end,
        ]))
    }

    @Test("Without any namespace declaration names are looked up as SyncML")
    func noNamespace() {
        #expect(xmlTokenize("<SyncML><SyncHdr/><Nope/></SyncML>") == .document([
            .start(.syncML), .start(.syncHdr), .end, .start(.unknown(namespace: "", name: "Nope")), .end, .end,
        ]))
    }

    @Test("CDATA content is text, '<' and ']]' without '>' included; empty CDATA yields nothing")
    func cdata() {
        #expect(xmlTokenize("<SyncML><Data><![CDATA[a<b]]c]]]><![CDATA[]]></Data></SyncML>") == .document([
            .start(.syncML), .start(.data), .text("a<b]]c]"), .end, .end,
        ]))
    }

    @Test("References are single characters that split the surrounding text")
    func references() {
        let document = "<SyncML><Data>a&amp;b&lt;&gt;&quot;&apos;&#65;&#x1F600;&#x0d;z</Data></SyncML>"
        #expect(xmlTokenize(document) == .document([
            .start(.syncML), .start(.data),
            .text("a"), .character("&"), .text("b"), .character("<"), .character(">"), .character("\""),
            .character("'"), .character("A"), .character("\u{1F600}"), .character("\r"), .text("z"),
            .end, .end,
        ]))
    }

    @Test("Text is passed through as raw bytes, whitespace between elements included")
    func textIsRaw() {
        let document = "<SyncML>\n  <Data>BEGIN:VCARD\r\nN:Müller\r\n</Data>\n</SyncML>"
        #expect(xmlTokenize(document) == .document([
            .start(.syncML), .text("\n  "), .start(.data), .text("BEGIN:VCARD\r\nN:Müller\r\n"), .end, .text("\n"), .end,
        ]))
    }

    @Test("A text token is a slice of the buffer")
    func textIsSlice() throws {
        var tokenizer = XMLTokenizer()
        tokenizer.feed(Array("<SyncML>hello<".utf8))
        _ = try tokenizer.next()
        guard case .token(.text(let slice)) = try tokenizer.next() else {
            Issue.record("expected text")
            return
        }
        #expect(slice.startIndex == 8)
        #expect(Array(slice) == Array("hello".utf8))
        #expect(tokenizer.offset == 13)
    }

    @Test("The declared encoding must be UTF-8 (any case); ISO-8859-1 is unsupported")
    func encodings() {
        for declaration in ["<?xml version='1.0'?>", "<?xml version='1.0' encoding='UTF-8'?>", "<?xml version=\"1.0\" encoding = \"Utf-8\" standalone='yes'?>"] {
            #expect(xmlTokenize(declaration + "<SyncML/>") == .document([.start(.syncML), .end]))
        }
        expectFailure("<?xml version='1.0' encoding='ISO-8859-1'?><SyncML/>", .unsupported, at: 30)
    }

    @Test("Content after the root element is not read")
    func afterRoot() {
        #expect(xmlTokenize("<SyncML/>  <!-- c --> <?pi?> <Other>& not even XML") == .document([.start(.syncML), .end]))
    }

    @Test("Error offsets point at the offending construct")
    func malformed() {
        expectFailure("<SyncML><Data></Datum></SyncML>", .malformedXML, at: 14)
        expectFailure("<SyncML><Data>a&nbsp;</Data></SyncML>", .malformedXML, at: 15)
        expectFailure("<SyncML><Data>&#0;</Data></SyncML>", .malformedXML, at: 14)
        expectFailure("<SyncML><Data>&#xD800;</Data></SyncML>", .malformedXML, at: 14)
        expectFailure("<SyncML><Data>&amp</Data></SyncML>", .malformedXML, at: 14)
        expectFailure("<SyncML a='x<y'></SyncML>", .malformedXML, at: 12)
        expectFailure("<SyncML a=x></SyncML>", .malformedXML, at: 10)
        expectFailure("<SyncML a='1'b='2'></SyncML>", .malformedXML, at: 13)
        expectFailure("<SyncML><1/></SyncML>", .malformedXML, at: 9)
        expectFailure("<SyncML><x:Data/></SyncML>", .malformedXML, at: 9)
        expectFailure("<SyncML a='&bogus;'/>", .malformedXML, at: 11)
        expectFailure("hello<SyncML/>", .malformedXML, at: 0)
        expectFailure("</SyncML>", .malformedXML, at: 0)
        expectFailure("<SyncML><![CDATA[x]]><!DOCTYPE x></SyncML>", .malformedXML, at: 21)
        expectFailure(" <?xml version='1.0'?><SyncML/>", .malformedXML, at: 1)
        expectFailure("<SyncML><!ELEMENT x></SyncML>", .malformedXML, at: 8)
    }

    @Test("After finish() an incomplete document is truncated at the end of the input")
    func truncated() {
        expectFailure("<SyncML><!-- unterminated comment", .truncated, at: 33)
        expectFailure("<SyncML><Data>text", .truncated, at: 18)
        expectFailure("<SyncML><![CDATA[abc]]", .truncated, at: 22)
        expectFailure("<SyncML a='>", .truncated, at: 12)
        expectFailure("<SyncML>&am", .truncated, at: 11)
        expectFailure("", .truncated, at: 0)
        expectFailure("\u{FEFF}  ", .truncated, at: 5)
    }

    @Test("Depth, name length, attribute count and construct size are limited")
    func limits() {
        let nested = String(repeating: "<Item>", count: 5) + String(repeating: "</Item>", count: 5)
        #expect(xmlTokenize(nested, limits: XMLLimits(maxDepth: 5)).tokens != nil)
        expectFailure(nested, .limitExceeded, at: 24, limits: XMLLimits(maxDepth: 4))
        expectFailure(String(repeating: "<Item>", count: 100), .limitExceeded, at: 384)
        expectFailure("<SyncML><\(String(repeating: "N", count: 257))/></SyncML>", .limitExceeded, at: 9)
        let attributes = (0 ..< 65).map { " a\($0)='\($0)'" }.joined()
        expectFailure("<SyncML\(attributes)/>", .limitExceeded, at: 7 + attributes.utf8.count - 8)
        let big = "<SyncML><Data><![CDATA[\(String(repeating: "x", count: 2000))]]></Data></SyncML>"
        #expect(xmlTokenize(big, limits: XMLLimits(maxTokenSize: 2012)).tokens != nil)
        expectFailure(big, .limitExceeded, at: 14, limits: XMLLimits(maxTokenSize: 1000))
        // Plain text is streamed, so it never counts against the construct size.
        let text = "<SyncML><Data>\(String(repeating: "x", count: 2000))</Data></SyncML>"
        #expect(xmlTokenize(Array(text.utf8), limits: XMLLimits(maxTokenSize: 100), chunkSize: { _ in 10 }).tokens != nil)
    }

    @Test("A megabyte of CDATA or text fed in small chunks is scanned in linear time")
    func linearResume() {
        let payload = String(repeating: "0123456789abcde]", count: 1 << 16)
        for document in ["<SyncML><Data><![CDATA[\(payload)]]></Data></SyncML>", "<SyncML><Data>\(payload)</Data></SyncML>"] {
            let outcome = xmlTokenize(Array(document.utf8), chunkSize: { _ in 16 })
            #expect(outcome == .document([.start(.syncML), .start(.data), .text(payload), .end, .end]))
        }
    }

    @Test("A document using every feature tokenizes the same in every chunking")
    func everyFeatureEveryChunking() {
        let document = Array(("\u{FEFF}<?xml version='1.0' encoding='UTF-8'?><!DOCTYPE SyncML [ <!ENTITY a ']>'> ]>"
            + "<SyncML \(syncML12)><SyncHdr><Meta><m:MaxMsgSize xmlns:m=\"syncml:metinf\">1</m:MaxMsgSize></Meta></SyncHdr>"
            + "<!-- c --><SyncBody><Data>a&amp;b&#x41;<![CDATA[<x>]]]]></Data><Final/></SyncBody></SyncML>").utf8)
        let whole = xmlTokenize(document)
        #expect(whole.tokens?.count == 20)
        #expect(xmlTokenize(document, chunkSize: { _ in 1 }) == whole)
        for seed in 0 ..< UInt64(200) {
            #expect(xmlTokenize(document, chunkSize: { rng in Int(rng.next() % 12) + 1 }, seed: seed) == whole)
        }
    }
}
