@testable import SyncMLRecords
import Testing

/// `ContactField`: a property name's rules, worked out once. The table of
/// common names must answer exactly what the rules answer, in any case, and
/// names it does not hold must get the rules.
@Suite("What the contact rules know of a property name")
struct ContactFieldTests {
    static func field(_ bytes: String) -> ContactField {
        Array(bytes.utf8).withUnsafeBufferPointer { ContactField(nameBytes: $0) }
    }

    @Test("Every common name, as written in any case, gets what the rules give its uppercased form")
    func tableIsTheRules() {
        for name in ContactField.commonNames {
            let rules = ContactField(rulesFor: name)
            #expect(ContactField(name) == rules, "\(name)")
            #expect(Self.field(name) == rules, "\(name)")
            #expect(Self.field(name.lowercased()) == rules, "\(name)")
            let mixed = String(name.enumerated().map { $0.offset % 2 == 0 ? Character($0.element.lowercased()) : $0.element })
            #expect(Self.field(mixed) == rules, "\(mixed)")
        }
    }

    @Test("Names outside the table get the rules: vendor names, near misses, empty")
    func otherNames() {
        for name in ["X-CUSTOM", "X-EVOLUTION-SOMETHING-NEW", "X-SYNCEVOLUTION-FOO", "EMAILS", "TE", "TELL", "N2", "X-GENDERS", ""] {
            #expect(Self.field(name) == ContactField(rulesFor: name), "\(name)")
            #expect(Self.field(name.lowercased()) == ContactField(rulesFor: name), "\(name)")
        }
    }

    @Test("The rules: line names, volatile names, media, value rules and key sources")
    func rules() {
        #expect(ContactField("X-GENDER").lineName == "GENDER")
        #expect(ContactField("X-GENDER").valueRule == .gender)
        #expect(ContactField("X-EVOLUTION-FILE-AS").isVolatile && ContactField("REV").isVolatile && ContactField("UID").isVolatile)
        #expect(!ContactField("NOTE").isVolatile && ContactField("NOTE").valueRule == .text)
        #expect(ContactField("PHOTO").isMedia && ContactField("KEY").isMedia && !ContactField("URL").isMedia)
        #expect(ContactField("ADR").isAddress && ContactField("ADR").valueRule == .structured)
        #expect(ContactField("X-ANNIVERSARY").valueRule == .date && ContactField("BDAY").valueRule == .date)
        #expect([ContactField("N"), ContactField("FN"), ContactField("ORG"), ContactField("EMAIL"), ContactField("TEL")].map(\.keySource)
                == [.n, .fn, .org, .email, .tel])
        #expect(ContactField("NICKNAME").keySource == .none)
    }

    @Test("Structured values with escaped separators, empty pieces and a trailing backslash: bytes and String lines agree")
    func structuredEscapes() throws {
        let values = [
            #"N:M\;ller;J\,rg;;Dr.;"#, #"N:;;;;"#, #"N:a\\;b\\\;c;d"#, #"ORG:Acme\, Inc.;R\&D;\n"#,
            #"ADR;TYPE=HOME:;;Street 1\nFloor 2;City;;12345;"#, #"CATEGORIES:a,,b\,c, d ,e"#, #"NICKNAME:x\"#, #"GEO:1.5;2.5"#,
            "N:  Spaced   out ; Given\t; ;;", "ORG:Ünïcödé;Ångström",
        ]
        for value in values {
            let bytes = Array("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\n\(value)\r\nEND:VCARD\r\n".utf8)
            let card = try VObjectParser.parse(bytes)[0]
            let canonical = CanonicalRecord(card)
            #expect(canonical.lines == ContactCanonicalizer.lines(card), "\(value)")
            #expect(CanonicalRecord.scanningContact(bytes) == canonical, "\(value)")
        }
    }
}
