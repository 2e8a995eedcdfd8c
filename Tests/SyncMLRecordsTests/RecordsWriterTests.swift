import Testing
@testable import SyncMLRecords
/// The writer: exact bytes for each transport rule, and round trips for every format.
@Suite("Records: writer specification")
struct RecordsWriterTests {
    typealias S = RecordsSupport

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Physical lines (without CRLF) of writer output, which must use CRLF only.
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var start = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0D {
                #expect(i + 1 < bytes.count && bytes[i + 1] == 0x0A)
                result.append(bytes[start..<i])
                i += 2
                start = i
            } else {
                #expect(bytes[i] != 0x0A, "bare LF in writer output")
                i += 1
            }
        }
        #expect(start == bytes.count, "output does not end with CRLF")
        return result
    }

    @Test("vCard 3.0: exact bytes, CRLF, parameters quoted when they hold : ; ,")
    func exactVCard30() {
        let card = VComponent(name: "VCARD", properties: [
            VProperty(name: "VERSION", value: "3.0"),
            VProperty(name: "N", value: "Doe;John;;;"),
            VProperty(group: "item1", name: "EMAIL", parameters: [VParameter("TYPE", "INTERNET", "pref")], value: "j@x"),
            VProperty(name: "X-A", parameters: [VParameter("X-P", "a:b", "c"), VParameter("X-Q", "say \"hi\", bye")], value: "v"),
            VProperty(name: "NOTE", parameters: [VParameter("CHARSET", "UTF-8")], value: "two\nlines"),
        ])
        #expect(Self.text(VObjectWriter.write(card, as: .vCard30)) == """
            BEGIN:VCARD\r
            VERSION:3.0\r
            N:Doe;John;;;\r
            item1.EMAIL;TYPE=INTERNET,pref:j@x\r
            X-A;X-P="a:b",c;X-Q="say hi, bye":v\r
            NOTE:two\\nlines\r
            END:VCARD\r

            """)
    }

    @Test("Folding at 75 octets, never inside a UTF-8 sequence; parsing undoes it")
    func folding() throws {
        let value = String(repeating: "aé€😀", count: 40) + String(repeating: "x", count: 200)
        let card = VComponent(name: "VCARD", properties: [VProperty(name: "NOTE", value: value)])
        for format in [VFormat.vCard30, .vCard40, .iCalendar20] {
            let bytes = VObjectWriter.write(card, as: format)
            let lines = Self.lines(bytes)
            #expect(lines.count > 5)
            for line in lines {
                #expect(line.count <= 75)
                #expect(String(validating: line, as: UTF8.self) != nil, "a fold split a UTF-8 sequence")
            }
            #expect(try VObjectParser.parse(bytes) == [card])
        }
    }

    @Test("vCard 2.1: CHARSET=UTF-8 for non-ASCII, bare TYPEs, 8-bit text as is")
    func exactVCard21() {
        let card = VComponent(name: "VCARD", properties: [
            VProperty(name: "VERSION", value: "2.1"),
            VProperty(name: "N", value: "Müller;Jörg;;;"),
            VProperty(name: "TEL", parameters: [VParameter("TYPE", "WORK"), VParameter("TYPE", "VOICE")], value: "1"),
            VProperty(name: "TEL", parameters: [VParameter("TYPE", "CELL", "PREF")], value: "2"),
            VProperty(name: "X-T", parameters: [VParameter("TYPE", "URL"), VParameter("TYPE", "a,b")], value: "3"),
            VProperty(name: "EMAIL", parameters: [VParameter("CHARSET", "ISO-8859-1"), VParameter("ENCODING", "8BIT")], value: "a@b"),
        ])
        #expect(Self.text(VObjectWriter.write(card, as: .vCard21)) == """
            BEGIN:VCARD\r
            VERSION:2.1\r
            N;CHARSET=UTF-8:Müller;Jörg;;;\r
            TEL;WORK;VOICE:1\r
            TEL;CELL;PREF:2\r
            X-T;TYPE=URL;TYPE="a,b":3\r
            EMAIL:a@b\r
            END:VCARD\r

            """)
    }

    @Test("vCard 2.1: quoted-printable for line breaks, soft breaks keep lines ≤ 76 octets")
    func quotedPrintable() throws {
        let note = "First line\r\nSecond line with = and ünïcödé " + String(repeating: "long text ", count: 20) + "end "
        let card = VComponent(name: "VCARD", properties: [
            VProperty(name: "VERSION", value: "2.1"),
            VProperty(name: "NOTE", value: note),
            VProperty(name: "X-SHORT", value: "a\r\nb"),
        ])
        let bytes = VObjectWriter.write(card, as: .vCard21)
        let lines = Self.lines(bytes)
        #expect(lines[2].starts(with: Array("NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:First line=0D=0ASecond".utf8)))
        #expect(lines.contains { Array($0) == Array("X-SHORT;ENCODING=QUOTED-PRINTABLE:a=0D=0Ab".utf8) })
        for line in lines {
            #expect(line.count <= 76)
            #expect(line.allSatisfy { $0 < 0x80 })
            #expect(line.first != 0x20 && line.first != 0x09)
        }
        #expect(try VObjectParser.parse(bytes) == [card])
    }

    @Test("vCard 2.1 base64 is folded and followed by a blank line")
    func legacyBase64() throws {
        let photo = String(repeating: "QUJD", count: 50)
        let card = VComponent(name: "VCARD", properties: [
            VProperty(name: "PHOTO", parameters: [VParameter("ENCODING", "BASE64"), VParameter("TYPE", "JPEG")], value: photo),
        ])
        let bytes = VObjectWriter.write(card, as: .vCard21)
        let text = Self.text(bytes)
        #expect(text.hasPrefix("BEGIN:VCARD\r\nPHOTO;ENCODING=BASE64;JPEG:QUJD"))
        #expect(text.hasSuffix("\r\n\r\nEND:VCARD\r\n"))
        #expect(try VObjectParser.parse(bytes) == [card])
    }

    static let samples: [(VFormat, String)] = [
        (.vCard21, "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8:M\u{FC}ller;J\u{F6}rg\r\nTEL;HOME;VOICE:+49 30 1234\r\nitem1.EMAIL;INTERNET:a@b\r\nNOTE;ENCODING=QUOTED-PRINTABLE:a=0D=0Ab=3Dc\r\nX-UNKNOWN;X-PARAM=1:x\r\nPHOTO;ENCODING=BASE64;TYPE=GIF:\r\n R0lGODlh\r\n\r\nEND:VCARD\r\n"),
        (.vCard30, "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\nFN:John Doe\r\nNOTE:a\\nb\\, c\r\nTEL;TYPE=CELL,PREF:1\r\nitem2.X-ABLABEL:x\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ\r\nX-FOO;X-BAR=\"a;b\":baz\r\nEND:VCARD\r\n"),
        (.vCard40, "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jörg\r\nTEL;VALUE=uri;TYPE=\"voice,home\":tel:+1-555\r\nEND:VCARD\r\n"),
        (.vCalendar10, "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nTZ:+01:00\r\nDAYLIGHT:TRUE;+02;20240331T010000Z;20241027T010000Z;CET;CEST\r\nBEGIN:VEVENT\r\nSUMMARY;CHARSET=UTF-8:Träff\r\nDESCRIPTION;ENCODING=QUOTED-PRINTABLE:x=0D=0Ay\r\nDTSTART:20240601T090000Z\r\nAALARM:20240601T084500Z;;;\r\nEND:VEVENT\r\nBEGIN:VTODO\r\nSTATUS:NEEDS ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"),
        (.iCalendar20, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Europe/Berlin:20240603T090000\r\nRRULE:FREQ=WEEKLY;COUNT=5\r\nATTENDEE;CN=\"Doe, J\":mailto:j@x\r\nDESCRIPTION:" + String(repeating: "long ü ", count: 30) + "\r\nBEGIN:VALARM\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"),
    ]

    @Test("parse → write → parse is the identity for each format", arguments: 0..<5)
    func roundTrip(_ index: Int) throws {
        let (format, text) = Self.samples[index]
        let parsed = try VObjectParser.parse(Array(text.utf8))
        #expect(parsed.count == 1)
        #expect(parsed.first?.format == format)
        let written = VObjectWriter.write(parsed, as: format)
        _ = Self.lines(written)
        #expect(try VObjectParser.parse(written) == parsed)
        // Written again, the bytes are stable.
        #expect(VObjectWriter.write(try VObjectParser.parse(written), as: format) == written)
    }
}
