/// What the contact rules need to know of a property, from its uppercased name:
/// worked out once per property instead of at every rule.
///
/// Why: the byte scan compared each line's name with about thirty strings
/// (volatile names, media, key sources, the value rules), and a failed `String`
/// comparison is a call into the standard library; those calls were a tenth of
/// a contact's signature (docs/BENCHMARKS.md, "Property names looked up once").
/// Names vCards commonly carry are looked up in a table made by the same rules
/// (`init(rulesFor:)`), so every name gets the same answer either way.
struct ContactField: Equatable {
    /// How the value is written into the canonical line (`ContactCanonicalizer.write`).
    enum ValueRule {
        case text, phone, email, gender, date, structured
    }

    /// Which match key the value feeds (`ContactKeys`).
    enum KeySource {
        case none, n, fn, org, email, tel
    }

    /// The name its canonical line carries (`X-GENDER` is `GENDER`).
    let lineName: String
    /// Left out of the canonical form (`ContactCanonicalizer.isVolatile`).
    let isVolatile: Bool
    /// `PHOTO`, `LOGO`, `SOUND`, `KEY` (`ContactCanonicalizer.isMedia`).
    let isMedia: Bool
    /// `ADR`, whose `LABEL=` parameter the canonical form rewrites.
    let isAddress: Bool
    let valueRule: ValueRule
    let keySource: KeySource

    /// The field of uppercased property `name`.
    init(_ name: String) {
        var name = name
        if let known = name.withUTF8({ Self.known.field(named: $0) }) {
            self = known
        } else {
            self.init(rulesFor: name)
        }
    }

    /// The field of a property whose name is `bytes` as written (any case): from
    /// the table without making a `String` when the name is a common one.
    init(nameBytes bytes: UnsafeBufferPointer<UInt8>) {
        if let known = Self.known.field(named: bytes) {
            self = known
        } else {
            self.init(rulesFor: VObjectParser.uppercased(bytes))
        }
    }

    /// The rules themselves (what the table is made of).
    init(rulesFor name: String) {
        lineName = ContactCanonicalizer.canonicalName(name)
        isVolatile = ContactCanonicalizer.isVolatile(name)
        isMedia = ContactCanonicalizer.isMedia(lineName)
        isAddress = lineName == "ADR"
        valueRule = switch lineName {
        case "TEL": .phone
        case "EMAIL": .email
        case "GENDER": .gender
        case "BDAY", "ANNIVERSARY", "X-ANNIVERSARY": .date
        case "N", "ADR", "ORG", "CATEGORIES", "NICKNAME", "GEO": .structured
        default: .text
        }
        keySource = switch name {
        case "N": .n
        case "FN": .fn
        case "ORG": .org
        case "EMAIL": .email
        case "TEL": .tel
        default: .none
        }
    }

    /// Names vCard 2.1, 3.0 and 4.0 define, and the vendor ones the peers we
    /// know send; any other name is worked out when it comes.
    static let commonNames = [
        "BEGIN", "END", "VERSION", "PRODID", "REV", "UID", "NAME", "PROFILE", "SOURCE", "CLIENTPIDMAP", "KIND",
        "N", "FN", "NICKNAME", "PHOTO", "BDAY", "ANNIVERSARY", "GENDER", "ADR", "LABEL", "TEL", "EMAIL", "IMPP",
        "LANG", "TZ", "GEO", "TITLE", "ROLE", "LOGO", "ORG", "MEMBER", "RELATED", "CATEGORIES", "NOTE", "SOUND",
        "URL", "KEY", "FBURL", "CALADRURI", "CALURI", "MAILER", "SORT-STRING", "CLASS", "AGENT", "XML",
        "X-IRMC-LUID", "X-ABUID", "X-GENDER", "X-ANNIVERSARY", "X-SPOUSE", "X-MANAGER", "X-ASSISTANT",
        "X-AIM", "X-ICQ", "X-JABBER", "X-MSN", "X-YAHOO", "X-SKYPE", "X-SIP", "X-MOZILLA-HTML",
        "X-EVOLUTION-FILE-AS", "X-EVOLUTION-SPOUSE", "X-EVOLUTION-MANAGER", "X-EVOLUTION-ASSISTANT",
        "X-EVOLUTION-ANNIVERSARY", "X-EVOLUTION-BLOG-URL", "X-EVOLUTION-VIDEO-URL", "X-EVOLUTION-LIST",
        "X-EVOLUTION-LIST-SHOW-ADDRESSES", "X-EVOLUTION-UI-SLOT", "X-SYNCEVOLUTION-UID",
    ]

    private static let known = Table(commonNames)

    /// The common names' fields, found by a name's bytes in any case: a name's
    /// length and first and last bytes pick a bucket (no `Hasher`, no `String`).
    private struct Table {
        private static let bucketCount = 128
        private var buckets: [[(name: [UInt8], field: ContactField)]]

        init(_ names: [String]) {
            buckets = Array(repeating: [], count: Self.bucketCount)
            for name in names {
                let bytes = Array(name.utf8)
                bytes.withUnsafeBufferPointer { buckets[Self.bucket(of: $0)].append((bytes, ContactField(rulesFor: name))) }
            }
        }

        func field(named bytes: UnsafeBufferPointer<UInt8>) -> ContactField? {
            guard !bytes.isEmpty else { return nil }
            for entry in buckets[Self.bucket(of: bytes)] where Self.matches(bytes, entry.name) { return entry.field }
            return nil
        }

        /// Case-insensitive for ASCII letters (`| 0x20`), so only letters are folded.
        private static func bucket(of bytes: UnsafeBufferPointer<UInt8>) -> Int {
            guard let first = bytes.first, let last = bytes.last else { return 0 }
            return (bytes.count &* 31 &+ Int(first | 0x20) &* 7 &+ Int(last | 0x20)) & (bucketCount - 1)
        }

        /// Whether `bytes` is the uppercased `name` in any case.
        private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ name: [UInt8]) -> Bool {
            guard bytes.count == name.count else { return false }
            for index in 0..<bytes.count {
                var byte = bytes[index]
                if byte >= 0x61, byte <= 0x7A { byte -= 0x20 }
                if byte != name[index] { return false }
            }
            return true
        }
    }
}
