import Testing
@testable import SyncMLRecords

@Suite("Match keys: the index encoding")
struct MatchKeyIndexTests {
    @Test("Every kind of entry reads back from its stored form with its kind and value", arguments: MatchKey.IndexKey.Kind.allCases)
    func roundTrip(kind: MatchKey.IndexKey.Kind) throws {
        let isPair = kind == .nameAndEmail || kind == .nameAndPhone
        let written = isPair ? MatchKey.IndexKey(kind, "muller|jorg", point: "jm@example.com") : MatchKey.IndexKey(kind, "muller|jorg")
        #expect(written.storedForm == kind.rawValue + ":muller|jorg" + (isPair ? "|jm@example.com" : ""))
        let read = try #require(MatchKey.IndexKey(storedForm: written.storedForm))
        #expect(read == written)
        #expect(read.kind == kind)
        #expect(read.value == (isPair ? "muller|jorg|jm@example.com" : "muller|jorg"))
        #expect(kind.isSinglePoint == (kind == .email || kind == .phone))
    }

    @Test("Text that is no entry does not read back; an empty value, as indexKeys can write it, does")
    func malformed() {
        for text in ["", "muller|jorg", ":x", "x:muller|jorg", "N:muller|jorg", "ne:muller", "np:", "nep:a|b"] {
            #expect(MatchKey.IndexKey(storedForm: text) == nil, "\(text)")
        }
        let emptyEmail = MatchKey(primary: "", emails: [""]).indexKeys
        #expect(emptyEmail.map(\.storedForm) == ["e:"])
        #expect(MatchKey.IndexKey(storedForm: "e:") == emptyEmail.first)
        #expect(MatchKey.IndexKey(storedForm: "n:org:acme")?.value == "org:acme")
    }

    /// The stored forms as the store wrote them before the encoding moved here
    /// (`ItemChange.keys(for:)`/`lookupKeys(for:)`): existing stores hold these bytes.
    static func previousIndexKeys(_ key: MatchKey) -> [String] {
        var keys: [String] = []
        if !key.primary.isEmpty { keys.append("n:" + key.primary) }
        keys += key.emails.sorted().map { "e:" + $0 }
        keys += key.phones.sorted().map { "p:" + $0 }
        if !key.primary.isEmpty {
            keys += key.emails.sorted().map { "ne:" + key.primary + "|" + $0 }
            keys += key.phones.sorted().map { "np:" + key.primary + "|" + $0 }
        }
        return keys
    }

    static func previousLookupKeys(_ key: MatchKey) -> [String] {
        var keys: [String] = []
        let points = key.emails.count + key.phones.count
        if !key.primary.isEmpty {
            keys += key.emails.sorted().map { "ne:" + key.primary + "|" + $0 }
            keys += key.phones.sorted().map { "np:" + key.primary + "|" + $0 }
            if points == 0 { keys.append("n:" + key.primary) }
        }
        if points >= 2 {
            keys += key.emails.sorted().map { "e:" + $0 }
            keys += key.phones.sorted().map { "p:" + $0 }
        }
        return keys
    }

    static let samples = [
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Jörg;;;\r\nEMAIL:jm@example.com\r\nEMAIL:Joerg@Example.org\r\nTEL:+49 30 1234567\r\nTEL:030 7654321\r\nEND:VCARD\r\n",
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ann Smith\r\nTEL;CELL:555-0102\r\nEND:VCARD\r\n",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nORG:Acme Inc.\r\nEND:VCARD\r\n",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\nEND:VCARD\r\n",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Review\r\nDTSTART:20240101T090000Z\r\nDTEND:20240101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nSUMMARY:Call back\r\nDUE:20240102T120000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
    ]

    @Test("The stored forms of sample records are the ones stores already hold", arguments: samples)
    func storedFormUnchanged(record: String) throws {
        let key = try RecordSignature(parsing: Array(record.utf8)).matchKey
        #expect(key.indexKeys.map(\.storedForm) == Self.previousIndexKeys(key))
        #expect(key.lookupKeys.map(\.storedForm) == Self.previousLookupKeys(key))
        #expect(key.indexKeys.allSatisfy { MatchKey.IndexKey(storedForm: $0.storedForm) == $0 })
    }

    @Test("An entry keeps its parts and writes its stored form when asked: equal, hashed and digested as the stored form read back", arguments: MatchKey.IndexKey.Kind.allCases)
    func partsAgreeWithStoredForm(kind: MatchKey.IndexKey.Kind) throws {
        let isPair = kind == .nameAndEmail || kind == .nameAndPhone
        for (value, point) in [("muller|jorg", "jm@example.com"), ("", ""), ("müller|jörg", "☎ 1234567"), ("a|b", "c")] {
            let written = MatchKey.IndexKey(kind, value, point: isPair ? point : nil)
            let read = try #require(MatchKey.IndexKey(storedForm: written.storedForm))
            #expect(written.digest == MatchKey.IndexKey.digest(ofStoredForm: written.storedForm))
            #expect(read == written && read.hashValue == written.hashValue && read.digest == written.digest)
            #expect(!(read < written) && !(written < read))
        }
        // The same stored form from parts split elsewhere is the same entry.
        let split = MatchKey.IndexKey(.nameAndEmail, "a|b", point: "c"), other = MatchKey.IndexKey(.nameAndEmail, "a", point: "b|c")
        #expect(split == other && Set([split, other]).count == 1 && split.storedForm == "ne:a|b|c")
        #expect(MatchKey.IndexKey(.name, "a") != MatchKey.IndexKey(.email, "a"))
        #expect(MatchKey.IndexKey(.nameAndEmail, "a", point: "b") != MatchKey.IndexKey(.nameAndEmail, "a", point: "c"))
    }

    @Test("A contact's entries, spelled out")
    func contactEntries() throws {
        let key = try RecordSignature(parsing: Array(Self.samples[0].utf8)).matchKey
        #expect(key.indexKeys.map(\.storedForm) == [
            "n:muller|jorg", "e:jm@example.com", "e:joerg@example.org", "p:1234567", "p:7654321",
            "ne:muller|jorg|jm@example.com", "ne:muller|jorg|joerg@example.org", "np:muller|jorg|1234567", "np:muller|jorg|7654321",
        ])
        #expect(key.lookupKeys.map(\.kind) == [.nameAndEmail, .nameAndEmail, .nameAndPhone, .nameAndPhone, .email, .email, .phone, .phone])
    }
}
