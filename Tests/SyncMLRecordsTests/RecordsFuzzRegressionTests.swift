import SyncMLRecords
import Testing

/// Inputs the fuzzers found, kept so the bug they showed stays fixed.
@Suite("Records: fuzzer findings")
struct RecordsFuzzRegressionTests {
    @Test("A TEL carrying ENCODING=b becomes a tel: URI in vCard 4.0 without the encoding, and our 4.0 parses back")
    func telWithEncodingToVCard40() throws {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Jörg;;;\r\nFN:Jörg Müller\r\nTEL;ENCODING=b;TYPE=HOME:+49 30 1234\r\nEND:VCARD\r\n"
        let written = try RecordsConversionTests.converted(text, to: .vCard40)
        #expect(written.contains("TEL;VALUE=uri;TYPE=home:tel:+49301234") || !written.contains("ENCODING"))
        let again = try RecordsConversionTests.parse(written)
        #expect(again.properties.contains { $0.name == "TEL" })
    }
}
