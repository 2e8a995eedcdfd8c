import Testing
@testable import SyncMLRecords
/// Inputs the fuzz targets found (Fuzz/, docs/FUZZING.md), minimized: each must give a
/// result or a typed error, and what the writers make of it must read back.
@Suite("Fuzz regressions: records")
struct FuzzRegressionTests {
    /// `Fuzz/run.sh records`: a bare parameter value ending in `"` was written as it was,
    /// and on reading the writer's vCard 2.1 back, the soft-break check took that `"` for
    /// the start of a quoted value, missed the `:` and with it `ENCODING=QUOTED-PRINTABLE`:
    /// the next line became a property of its own ("expected NAME:value").
    @Test("A stray quote in a parameter value: every version written reads back, without the quote")
    func strayQuoteInParameterValue() throws {
        let input = Array("BEGIN:VCARD\nVi;TE=iStrin\":".utf8) + [0x06, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0x01, 0x0D]
            + Array("END:VCARD".utf8)
        let record = try #require(try VObjectParser.parse(input).first)
        #expect(record.first("VI")?.parameterValues("TE") == ["iStrin\""])
        for format in [VFormat.vCard21, .vCard30, .vCard40] {
            let written = VObjectWriter.write(try RecordConverter.convert(record, to: format), as: format)
            #expect(!written.contains(UInt8(ascii: "\"")), "\(format.displayName)")
            let again = try #require(try VObjectParser.parse(written).first, "\(format.displayName)")
            #expect(again.first("VI")?.parameterValues("TE") == ["iStrin"], "\(format.displayName)")
        }
    }

    @Test("A quote inside a bare parameter value does not hide a quoted-printable soft break")
    func quoteBeforeSoftBreak() throws {
        let card = try RecordsSupport.one(
            "BEGIN:VCARD\r\nVERSION:2.1\r\nNOTE;X-A=b\";ENCODING=QUOTED-PRINTABLE:one=\r\ntwo\r\nEND:VCARD\r\n")
        #expect(card.first("NOTE")?.value == "onetwo")
        #expect(card.first("NOTE")?.parameterValues("X-A") == ["b\""])
        // A quoted value still hides what it holds: its `:` does not end the header.
        let quoted = try RecordsSupport.one(
            "BEGIN:VCARD\r\nVERSION:2.1\r\nNOTE;X-A=\"a:b\";ENCODING=QUOTED-PRINTABLE:one=\r\ntwo\r\nEND:VCARD\r\n")
        #expect(quoted.first("NOTE")?.value == "onetwo")
        #expect(quoted.first("NOTE")?.parameterValues("X-A") == ["a:b"])
    }
}
