@testable import SyncMLRecords
import SyncMLSampleData
import TestSupport
import Testing

/// Fingerprints are stored: a faster canonicalizer must produce the same
/// canonical bytes and fingerprints, bit for bit, as the one that wrote the
/// stores on disk. These were computed before the allocation work of issue #16
/// (Fingerprint.version 2); a failure here means a change of the canonical form,
/// which needs a new `Fingerprint.version`, not a new pin.
@Suite("Canonical forms and fingerprints pinned")
struct CanonicalPinTests {
    /// The hand-written records of the conversion tests, by name.
    static let pinned: [String: String] = [
        "card40": "f9f8cafee686e680be51de12ba026cc1",
        "fnOnly21": "ab9d402316569ab8723e0d20b351c7d0",
        "full30": "b2c7b4e631e7217cd8a995f3ae41346b",
        "nOnly21": "1790fb8354f34281780a901a6d198a71",
        "qp21": "f1b6717fa5b4871a412ab9125efc34e2",
        "alarms20": "ffbba2e945ac44db50cb251e21ae7ac1",
        "allDay20": "7e876761d8e9674fc9de280295cad1b4",
        "allDayNoEnd20": "975bfaf55ab265cd810c5ff5c1affcb8",
        "legacy10": "73d2ffb3bb7a55df8f627a2a3e1bbeb0",
        "legacyTask10": "61a5862c89cdefb1b87daba3c355e4ab",
        "task20": "c73a350834451ca16f30371b1bac02a7",
        "taskLow20": "6508abab0cbfd17097eca181ed05a0d7",
        "rrule D1 #5": "00fd94bf320358fa7c525fa33d8ee639",
        "rrule FREQ=DAILY;COUNT=5": "00fd94bf320358fa7c525fa33d8ee639",
        "rrule W1 MO TU #0": "adb7adef560d2ff749eea863cdf1c5d4",
        "rrule FREQ=WEEKLY;BYDAY=MO,TU": "adb7adef560d2ff749eea863cdf1c5d4",
        "rrule W2 FR #10": "6c2b1c05e63294b5696972431f1c36d5",
        "rrule FREQ=WEEKLY;BYDAY=FR;INTERVAL=2;COUNT=10": "6c2b1c05e63294b5696972431f1c36d5",
        "rrule MD1 15 #0": "a224f6584825354382bd3524a9ca3019",
        "rrule FREQ=MONTHLY;BYMONTHDAY=15": "a224f6584825354382bd3524a9ca3019",
        "rrule MD1 1- #3": "5a8bce7d037adaff67dc73db9b7f5d2e",
        "rrule FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3": "5a8bce7d037adaff67dc73db9b7f5d2e",
        "rrule MP1 1+ MO #0": "8044b686cd895b7c46cde9c0e591e275",
        "rrule FREQ=MONTHLY;BYDAY=1MO": "8044b686cd895b7c46cde9c0e591e275",
        "rrule MP2 1- FR 20241231T000000Z": "9dc75671657b2f011cb045089428f357",
        "rrule FREQ=MONTHLY;BYDAY=-1FR;INTERVAL=2;UNTIL=20241231T000000Z": "9dc75671657b2f011cb045089428f357",
        "rrule YM1 6 #0": "3884d33d815d44f7c2831510515d178a",
        "rrule FREQ=YEARLY;BYMONTH=6": "3884d33d815d44f7c2831510515d178a",
        "rrule YD1 #0": "4eb025494cf50a89efca8108e8f1c0c1",
        "rrule FREQ=YEARLY": "4eb025494cf50a89efca8108e8f1c0c1",
        "rrule YD1 100 #4": "ff544287e1c26992fa3fd2ce103adc41",
        "rrule FREQ=YEARLY;BYYEARDAY=100;COUNT=4": "ff544287e1c26992fa3fd2ce103adc41",
    ]

    /// MurmurHash3 (seed 0) over every record's name, canonical bytes and
    /// fingerprint: generated contacts (seed 1, 300) and the SyncEvolution fixtures.
    static let generatedDigest = "9397ec9b364adbf225e361b870a4f8f6"
    static let fixtureDigest = "f64377390b58a8fc576fac8a6ad0b74a"

    static func digest(_ records: [(name: String, record: VComponent)]) -> String {
        var bytes: [UInt8] = []
        for (name, record) in records {
            let canonical = CanonicalRecord(record)
            bytes += Array(name.utf8) + [0] + canonical.bytes + canonical.fingerprint.bytes
        }
        return Fingerprint.hash(bytes, seed: 0).description
    }

    static func generated() throws -> [(name: String, record: VComponent)] {
        var generator = ContactGenerator(seed: 1)
        return try (0..<300).map { index in ("generated \(index)", try VObjectParser.parse(generator.next())[0]) }
    }

    @Test("Structured values read piece by piece give what split gives", arguments: [
        "", ";", ";;;", "Doe;John;;;", ",a,,b;", "a\\;b,c\\,d;e\\nf", "trailing\\", "Müller;Jörg;;Dr.;",
    ])
    func piecesAgreeWithSplit(_ value: String) {
        var pieces: [[String]] = []
        VText.forEachPiece(value) { component, piece in
            if component == pieces.count { pieces.append([]) }
            pieces[component].append(piece)
        }
        #expect(pieces == VText.split(value))
    }

    @Test("The hand-written records keep their fingerprints")
    func handWritten() throws {
        let records = try RecordsConversionTests.handWritten()
        #expect(records.count == Self.pinned.count)
        for (name, record) in records {
            #expect(CanonicalRecord(record).fingerprint.description == Self.pinned[name], "\(name)")
        }
    }

    @Test("300 generated contacts keep their canonical bytes and fingerprints")
    func generatedContacts() throws {
        #expect(Self.digest(try Self.generated()) == Self.generatedDigest)
    }

    @Test("SyncEvolution's fixture records keep their canonical bytes and fingerprints")
    func fixtures() throws {
        let records = try RecordsConversionTests.fixtureRecords()
        try #require(!records.isEmpty, "no fixtures under shared/fixtures/syncevolution")
        #expect(Self.digest(records) == Self.fixtureDigest)
    }
}
