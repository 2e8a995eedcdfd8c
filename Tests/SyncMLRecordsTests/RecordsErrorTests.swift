@testable import SyncMLRecords
import TestSupport
import Testing
/// Malformed records are rejected with a kind and the line where the trouble starts.
@Suite("Records: parser errors")
struct RecordsErrorTests {
    typealias S = RecordsSupport

    @Test("A BEGIN without END: missingEnd at the BEGIN's line")
    func missingEnd() {
        let error = S.error("BEGIN:VCARD\r\nFN:A\r\nBEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\n")
        #expect(error?.kind == .missingEnd)
        #expect(error?.line == 3)
        #expect(error?.description == "line 3: BEGIN:VCALENDAR has no END:VCALENDAR")
    }

    @Test("END:VEVENT closing a VCARD, and END without BEGIN: unexpectedEnd")
    func unexpectedEnd() {
        let error = S.error("BEGIN:VCARD\r\nFN:A\r\nEND:VEVENT\r\n")
        #expect(error?.kind == .unexpectedEnd)
        #expect(error?.line == 3)
        #expect(error?.description == "line 3: END:VEVENT closes BEGIN:VCARD from line 1")
        let stray = S.error("\r\nEND:VCARD\r\n")
        #expect(stray?.kind == .unexpectedEnd)
        #expect(stray?.line == 2)
    }

    @Test("A broken quoted-printable escape")
    func badQuotedPrintable() {
        let error = S.error("BEGIN:VCARD\r\nVERSION:2.1\r\nN:A\r\nNOTE;ENCODING=QUOTED-PRINTABLE:ab=\r\ncd=G1\r\nEND:VCARD\r\n")
        #expect(error?.kind == .badQuotedPrintable)
        #expect(error?.line == 4)
        #expect(error?.description == "line 4: broken quoted-printable escape \"=G1\" in NOTE")
        #expect(S.error("BEGIN:VCARD\nNOTE;QUOTED-PRINTABLE:ab=4\nEND:VCARD\n")?.kind == .badQuotedPrintable)
    }

    @Test("Bad base64 characters and padding")
    func badBase64() {
        let error = S.error("BEGIN:VCARD\nFN:A\nPHOTO;ENCODING=b:AAAA\n AA%A\nEND:VCARD\n")
        #expect(error?.kind == .badBase64)
        #expect(error?.line == 3)
        #expect(S.error("BEGIN:VCARD\nPHOTO;ENCODING=b:AA=A\nEND:VCARD\n")?.kind == .badBase64)
    }

    @Test("Invalid UTF-8 in a value and in a parameter value")
    func invalidUTF8() {
        let value = S.error(Array("BEGIN:VCARD\r\nFN:ok\r\nN:M".utf8) + [0xFC] + Array("ller\r\nEND:VCARD\r\n".utf8))
        #expect(value?.kind == .invalidUTF8)
        #expect(value?.line == 3)
        let qp = S.error("BEGIN:VCARD\nN;ENCODING=QUOTED-PRINTABLE:M=FCller\nEND:VCARD\n")
        #expect(qp?.kind == .invalidUTF8)
        #expect(qp?.line == 2)
        let parameter = S.error(Array("BEGIN:VCARD\nTEL;X=".utf8) + [0xFF] + Array(":1\nEND:VCARD\n".utf8))
        #expect(parameter?.kind == .invalidUTF8)
        #expect(parameter?.line == 2)
    }

    @Test("An unknown CHARSET")
    func unsupportedCharset() {
        let error = S.error("BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=KOI8-R:x\nEND:VCARD\n")
        #expect(error?.kind == .unsupportedCharset)
        #expect(error?.line == 3)
        #expect(error?.description == "line 3: unsupported CHARSET=KOI8-R in N")
    }

    @Test("Lines that are not NAME:value, and properties outside a component")
    func malformedLines() {
        let noColon = S.error("BEGIN:VCARD\nFN:A\nhello world\nEND:VCARD\n")
        #expect(noColon?.kind == .malformedLine)
        #expect(noColon?.line == 3)
        #expect(S.error("BEGIN:VCARD\nFN\nEND:VCARD\n")?.kind == .malformedLine)
        #expect(S.error("BEGIN:VCARD\n:value\nEND:VCARD\n")?.kind == .malformedLine)
        #expect(S.error("BEGIN:VCARD\nTEL;X=\"unterminated:1\nEND:VCARD\n")?.kind == .malformedLine)
        #expect(S.error("BEGIN:VCARD\nEND:VCARD\nFN:A\n")?.line == 3)
        #expect(S.error("BEGIN:\nEND:\n")?.kind == .malformedLine)
        let continuation = S.error("\n FN:A\n")
        #expect(continuation?.kind == .malformedLine)
        #expect(continuation?.line == 2)
    }

    @Test("A 10 MB line is limitExceeded, quickly; so are deep nesting and too many properties")
    func limits() {
        var huge = Array("BEGIN:VCARD\r\nFN:A\r\nNOTE:".utf8)
        huge += [UInt8](repeating: 0x41, count: 10 << 20)
        huge += Array("\r\nEND:VCARD\r\n".utf8)
        let error = S.error(huge)
        #expect(error?.kind == .limitExceeded)
        #expect(error?.line == 3)

        // Folded into many physical lines, and as quoted-printable soft breaks.
        var folded = Array("BEGIN:VCARD\r\nNOTE:".utf8)
        for _ in 0..<(5 << 14) { folded += Array("\r\n ".utf8) + [UInt8](repeating: 0x42, count: 64) }
        #expect(S.error(folded)?.kind == .limitExceeded)
        var soft = Array("BEGIN:VCARD\r\nNOTE;QUOTED-PRINTABLE:".utf8)
        for _ in 0..<(5 << 14) { soft += [UInt8](repeating: 0x43, count: 64) + Array("=\r\n".utf8) }
        #expect(S.error(soft)?.kind == .limitExceeded)

        let deep = String(repeating: "BEGIN:X\n", count: 9) + String(repeating: "END:X\n", count: 9)
        let nesting = S.error(deep)
        #expect(nesting?.kind == .limitExceeded)
        #expect(nesting?.line == 9)
        #expect(S.error(String(repeating: "BEGIN:X\n", count: 8) + String(repeating: "END:X\n", count: 8)) == nil)

        let many = "BEGIN:VCARD\n" + String(repeating: "X-A:1\n", count: 11) + "END:VCARD\n"
        let count = S.error(many, limits: .init(maxPropertiesPerComponent: 10))
        #expect(count?.kind == .limitExceeded)
        #expect(count?.line == 12)
    }

    @Test("Header scanning stays linear on a header that never ends (no colon, many '=' folds)")
    func noQuadraticHeader() {
        var bytes = Array("BEGIN:VCARD\r\nNOTE;X=".utf8)
        for _ in 0..<200_000 { bytes += Array("\r\n =".utf8) }
        let clock = ContinuousClock()
        var error: RecordError?
        let elapsed = clock.measure { error = S.error(bytes) }
        #expect(error?.kind == .malformedLine)
        #expect(elapsed < .seconds(5))
    }

    @Test("The UTF-8 check agrees with the standard library on random and edge-case bytes")
    func utf8Check() {
        var generator = SeededGenerator(seed: 8)
        let edges: [[UInt8]] = [
            [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF0, 0x90, 0x80, 0x80],
            [0xEF, 0xBB, 0xBF], [0xC3], [0xE2, 0x82], [0xE2, 0x82, 0xAC], [0xF5, 0x80, 0x80, 0x80], [0x80],
        ]
        var samples = edges
        for _ in 0..<20_000 {
            samples.append((0..<Int.random(in: 0...6, using: &generator)).map { _ in
                Bool.random(using: &generator) ? UInt8.random(in: 0x80...0xF7, using: &generator) : UInt8.random(in: 0...255, using: &generator)
            })
        }
        for bytes in samples {
            let ours = bytes.withUnsafeBufferPointer { UTF8Check.isValid($0) }
            #expect(ours == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }
}
