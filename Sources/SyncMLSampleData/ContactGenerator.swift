/// A deterministic source of realistic contacts as vCard 3.0 (RFC 2426) text.
///
/// The same seed gives the same contacts, byte for byte, on every platform.
/// Each contact has `N`/`FN` from one of several cultures (German umlauts,
/// French accents, Chinese, Japanese, Korean, plain ASCII), 1-3 `TEL` and
/// 1-2 `EMAIL` with `TYPE`, 0-2 `ADR`, a `UID` and a `REV`; some have
/// `ORG`/`TITLE`, `BDAY` or a `NOTE` (~20 %, some multi-line); ~5 % carry a
/// `PHOTO;ENCODING=b;TYPE=JPEG` of about 4 KB of base64. Lines end in CRLF and
/// are folded at 75 octets (RFC 2425 §5.8.1), never inside a UTF-8 sequence.
///
/// ```swift
/// var contacts = ContactGenerator(seed: 42)
/// let vcard: [UInt8] = contacts.next()
/// ```
package struct ContactGenerator: Sendable {
    private var random: SplitMix64
    private let seed: UInt64
    /// How many contacts have been generated.
    package private(set) var count = 0

    /// The `PRODID`s of the devices and programs the contacts come from.
    static let productIDs = [
        "-//Apple Inc.//iPhone OS 17.4.1//EN", "-//Apple Inc.//Mac OS X 14.4//EN",
        "-//Google Inc//Google Contacts 3.0//EN", "-//Nokia//Nokia 6300 SyncML client//EN",
        "-//Synthesis AG//NONSGML SyncML Engine V3.4//EN", "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
    ]

    /// `CATEGORIES` values (comma-separated lists).
    static let categories = ["Business", "Friends", "Family", "Business,VIP", "Friends,Sport", "Kunden", "Famille"]

    /// Percentage of contacts with a photo.
    package static let photoPercent = 5

    package init(seed: UInt64) {
        random = SplitMix64(seed: seed)
        self.seed = seed
    }

    /// The next contact as vCard 3.0 bytes.
    package mutating func next() -> [UInt8] {
        count += 1
        var card = VCardWriter()
        card.line("BEGIN:VCARD")
        card.line("VERSION:3.0")
        card.line("PRODID:" + random.pick(Self.productIDs))

        let culture = pickCulture()
        let given = random.pick(culture.givenNames)
        let family = random.pick(culture.familyNames)
        let middle: Culture.Name? = if case .givenFirst = culture.order, random.chance(percent: 15) {
            random.pick(culture.givenNames)
        } else {
            nil
        }
        let prefix = !culture.prefixes.isEmpty && random.chance(percent: 10) ? random.pick(culture.prefixes) : ""

        // N: Family;Given;Additional;Prefix;Suffix
        card.line("N:" + [family.native, given.native, middle?.native ?? "", prefix, ""].map(escape).joined(separator: ";"))
        let formatted: String
        switch culture.order {
        case .givenFirst:
            formatted = [prefix, given.native, middle?.native ?? "", family.native].filter { !$0.isEmpty }.joined(separator: " ")
        case .familyFirst(let separator):
            formatted = family.native + separator + given.native
        }
        card.line("FN:" + escape(formatted))

        if random.chance(percent: 20) {
            card.line("NICKNAME:" + escape(random.pick(culture.givenNames).native))
        }

        let hasOrganization = random.chance(percent: 50)
        if hasOrganization {
            // ORG is a structured value: its components are not escaped for ';'.
            card.line("ORG:" + random.pick(culture.organizations).split(separator: ";").map { escape(String($0)) }
                .joined(separator: ";"))
            if random.chance(percent: 70) { card.line("TITLE:" + escape(random.pick(culture.titles))) }
        }

        let phoneTypes = ["CELL,VOICE", "HOME,VOICE", "WORK,VOICE", "WORK,FAX", "CELL", "HOME"]
        let phones = random.inRange(1...3)
        var firstPhoneType = random.below(phoneTypes.count)
        for index in 0..<phones {
            let type = phoneTypes[firstPhoneType % phoneTypes.count] + (index == 0 && phones > 1 ? ",PREF" : "")
            firstPhoneType += 1 + random.below(2)
            card.line("TEL;TYPE=\(type):" + digits(random.pick(culture.phonePatterns)))
        }

        let mails = random.inRange(1...2)
        let mailNumber = mailboxNumber()
        for index in 0..<mails {
            let type = index == 0 ? (hasOrganization ? "INTERNET,WORK" : "INTERNET,HOME") : "INTERNET"
            let local: String
            switch random.below(4) {
            case 0: local = given.ascii + "." + family.ascii
            case 1: local = String(given.ascii.prefix(1)) + family.ascii
            case 2: local = family.ascii + String(random.inRange(1...99))
            default: local = given.ascii + "_" + family.ascii
            }
            card.line("EMAIL;TYPE=\(type):\(local)\(mailNumber)@\(random.pick(culture.mailDomains))")
        }

        let addresses = random.chance(percent: 70) ? (random.chance(percent: 35) ? 2 : 1) : 0
        for index in 0..<addresses {
            let (city, region, postal) = random.pick(culture.cities)
            // ADR: PO Box;Extended;Street;Locality;Region;Postal code;Country
            let parts = ["", "", random.pick(culture.streets), city, region, postal, culture.country]
            card.line("ADR;TYPE=\(index == 0 ? "HOME" : "WORK"):" + parts.map(escape).joined(separator: ";"))
        }

        if random.chance(percent: 30) {
            let year = random.inRange(1940...2010), month = random.inRange(1...12), day = random.inRange(1...28)
            card.line("BDAY:\(year)-\(twoDigits(month))-\(twoDigits(day))")
        }

        if random.chance(percent: 20) {
            card.line("URL;TYPE=WORK:https://www.\(random.pick(culture.mailDomains))/~\(family.ascii)")
        }

        if random.chance(percent: 35) {
            card.line("CATEGORIES:" + random.pick(Self.categories))
        }

        if random.chance(percent: 20) {
            card.line("NOTE:" + escape(random.pick(Culture.notes)))
        }

        if random.below(100) < Self.photoPercent {
            card.line("PHOTO;ENCODING=b;TYPE=JPEG:" + Base64.encode(fakeJPEG(size: random.inRange(2_800...3_300))))
        }

        card.line("UID:" + random.uuid())
        let year = 2020 + random.below(6)
        card.line("REV:\(year)\(twoDigits(random.inRange(1...12)))\(twoDigits(random.inRange(1...28)))T"
            + "\(twoDigits(random.below(24)))\(twoDigits(random.below(60)))\(twoDigits(random.below(60)))Z")
        card.line("END:VCARD")
        return card.bytes
    }

    // MARK: - Pieces

    private mutating func pickCulture() -> Culture {
        var roll = random.below(100)
        for (culture, weight) in zip(Culture.all, Culture.weights) {
            if roll < weight { return culture }
            roll -= weight
        }
        return Culture.english
    }

    /// A number that sets a person's e-mail addresses apart from their
    /// namesakes', as mail providers do (`juergen.mueller4711@gmx.de`). The name
    /// pools are small: without it thousands of different people would share an
    /// address, which real address books don't, and matching would pair them.
    /// Derived from the seed and the contact's position instead of drawn, so
    /// that every other field is the same as before it was added.
    private func mailboxNumber() -> Int {
        var mixer = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(count))
        return mixer.inRange(1...99_999)
    }

    /// Replaces each `#` by a random digit.
    private mutating func digits(_ pattern: String) -> String {
        var result = ""
        result.reserveCapacity(pattern.utf8.count)
        for character in pattern {
            result.append(character == "#" ? Character(String(random.below(10))) : character)
        }
        return result
    }

    /// Bytes that look like a baseline JPEG to a sniffer: SOI, a JFIF APP0
    /// segment, random entropy-coded data, EOI. Not a decodable picture.
    private mutating func fakeJPEG(size: Int) -> [UInt8] {
        var bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00,
                              0x00, 0x48, 0x00, 0x48, 0x00, 0x00]
        bytes.reserveCapacity(size)
        while bytes.count < size - 2 {
            let word = random.next()
            for shift in stride(from: 0, to: 64, by: 8) where bytes.count < size - 2 {
                var byte = UInt8(truncatingIfNeeded: word >> UInt64(shift))
                if byte == 0xFF { byte = 0xFE } // no markers inside the scan
                bytes.append(byte)
            }
        }
        bytes += [0xFF, 0xD9]
        return bytes
    }
}

/// vCard 3.0 text escaping (RFC 2426 §4): backslash, comma, semicolon, newline.
func escape(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count + 4)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": result += "\\\\"
        case ",": result += "\\,"
        case ";": result += "\\;"
        case "\n": result += "\\n"
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result
}

func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

/// Collects content lines, folding each at 75 octets with CRLF + space.
struct VCardWriter {
    private(set) var bytes: [UInt8] = []

    static let foldWidth = 75

    init() { bytes.reserveCapacity(640) }

    mutating func line(_ text: String) {
        var width = 0
        for byte in text.utf8 {
            // Fold before a character that would not fit whole on this line.
            if byte & 0xC0 != 0x80 {
                let length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                if width + length > Self.foldWidth {
                    bytes += [0x0D, 0x0A, 0x20]
                    width = 1
                }
            }
            bytes.append(byte)
            width += 1
        }
        bytes += [0x0D, 0x0A]
    }
}

/// Standard base64 (RFC 4648 §4), no line breaks.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ input: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            out += [alphabet[Int(value >> 18)], alphabet[Int(value >> 12 & 63)], alphabet[Int(value >> 6 & 63)],
                    alphabet[Int(value & 63)]]
            index += 3
        }
        let rest = input.count - index
        if rest > 0 {
            let value = UInt32(input[index]) << 16 | (rest == 2 ? UInt32(input[index + 1]) << 8 : 0)
            out += [alphabet[Int(value >> 18)], alphabet[Int(value >> 12 & 63)]]
            out += rest == 2 ? [alphabet[Int(value >> 6 & 63)], UInt8(ascii: "=")] : [UInt8(ascii: "="), UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
