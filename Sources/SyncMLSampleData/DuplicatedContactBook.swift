import SyncMLRecords
/// One contact book that already holds duplicates, as books that went through
/// other sync products do ("500 contacts became 1,000"): the data of
/// `syncml dedupe`'s tests and benchmark, with the truth known.
///
/// People come from ``ContactGenerator``. `duplicatePercent` of them appear more
/// than once (one extra copy for most, two or three for some), each copy the
/// same person written by another device: ``ContactVariation``'s rewrites
/// (phone formats, e-mail case, property order, a missing field, default types),
/// sometimes an extra field (a note, a title, another e-mail or phone), and
/// another format (vCard 2.1, 3.0, 4.0 or an Outlook SIF-C document).
///
/// And the people who are *not* one: besides the namesakes the small name pools
/// give, `switchboardPercent` of the people with an organization carry its
/// switchboard number (colleagues sharing a number), and `householdPercent` are
/// followed by a relative: another given name, the same family name, sharing
/// their home phone and a family e-mail address. Apart from family addresses,
/// every e-mail address is one person's (the person's number is part of it).
package struct DuplicatedContactBook: Sendable {
    /// One record of the book.
    package struct Record: Sendable {
        package var bytes: [UInt8]
        /// `text/vcard`, `text/x-vcard` (2.1) or `text/x-s4j-sifc` (SIF).
        package var type: String
        /// The 1-based number of the person; records of one person are duplicates.
        package var person: Int
        /// 0 for the person's first record, 1… for the copies.
        package var copy: Int
        /// How the copy was rewritten (`identity`, `phoneFormat`, …, `extraField`, `vCard 2.1`, `SIF`); empty for a first record.
        package var variations: [String]
    }

    package let seed: UInt64
    package let duplicatePercent: Int
    package let switchboardPercent: Int
    package let householdPercent: Int
    /// Records written so far.
    package private(set) var count = 0
    /// People begun so far.
    package private(set) var people = 0

    private var generator: ContactGenerator
    private var random: SplitMix64
    private var pending: [Record] = []
    /// The household the next person joins as a relative, if any.
    private var household: Household?

    /// A person's family name, given name, home phone and the family e-mail address they share with a relative.
    struct Household: Sendable {
        var family: String
        var given: String
        var phone: String?
        var email: String
    }

    static let copySalt: UInt64 = 0xD0D0_0000_0000_0001
    static let bookSalt: UInt64 = 0xD0D0_0000_0000_0002

    package init(seed: UInt64, duplicatePercent: Int = 30, switchboardPercent: Int = 10, householdPercent: Int = 5) {
        precondition([duplicatePercent, switchboardPercent, householdPercent].allSatisfy { (0...100).contains($0) }, "percentages")
        self.seed = seed
        self.duplicatePercent = duplicatePercent
        self.switchboardPercent = switchboardPercent
        self.householdPercent = householdPercent
        generator = ContactGenerator(seed: seed)
        random = SplitMix64(seed: seed ^ Self.bookSalt)
    }

    package mutating func next() -> Record {
        if pending.isEmpty { pending = nextPerson().reversed() }
        count += 1
        return pending.removeLast()
    }

    private mutating func nextPerson() -> [Record] {
        people += 1
        let generated = generator.next()
        var card = SampleRecordWriter.parse(generated)
        // The generator's mailbox numbers (1-99,999) keep namesakes' addresses apart in
        // books of thousands; in 100,000 a few namesakes would share one, which makes them
        // one person to anyone. The person's number makes each address their own.
        for index in card.properties.indices where card.properties[index].name == "EMAIL" {
            let value = card.properties[index].value
            if let at = value.firstIndex(of: "@") { card.properties[index].value = value[..<at] + ".\(people)" + value[at...] }
        }
        if let household { _ = Self.makeRelative(&card, of: household) }
        household = nil
        if random.chance(percent: householdPercent), let found = Self.household(of: card, number: people) {
            // The next person lives here too: both hold the family address.
            card.properties.append(VProperty(name: "EMAIL", parameters: [VParameter("TYPE", "INTERNET", "HOME")], value: found.email))
            household = found
        }
        if let org = card.first("ORG"), random.chance(percent: switchboardPercent) {
            card.properties.append(VProperty(name: "TEL", parameters: [VParameter("TYPE", "WORK", "VOICE")], value: Self.switchboard(of: org.value)))
        }
        var records = [Record(bytes: VObjectWriter.write(card, as: .vCard30), type: "text/vcard", person: people,
                              copy: 0, variations: [])]
        guard random.chance(percent: duplicatePercent) else { return records }
        let roll = random.below(100)
        let copies = roll < 70 ? 1 : roll < 95 ? 2 : 3
        for copy in 1...copies {
            var stream = SplitMix64.derived(seed: seed, salt: Self.copySalt, index: people * 4 + copy)
            var (rewritten, applied) = ContactVariation.rewrite(card, random: &stream)
            var variations = applied.map(\.rawValue)
            if stream.chance(percent: 40) {
                Self.addExtraField(&rewritten, random: &stream)
                variations.append("extraField")
            }
            let roll = stream.below(100)
            let record: Record
            if roll < 25, let sif = try? SIF.fromVComponent(rewritten, as: .contact) {
                record = Record(bytes: sif, type: SIFKind.contact.mimeType, person: people, copy: copy, variations: variations + ["SIF"])
            } else {
                let format: VFormat = roll < 50 ? .vCard21 : roll < 65 ? .vCard40 : .vCard30
                record = Record(bytes: SampleRecordWriter.bytes(rewritten, as: format), type: format == .vCard21 ? "text/x-vcard" : "text/vcard",
                                person: people, copy: copy, variations: variations + [format.displayName])
            }
            records.append(record)
        }
        return records
    }

    /// A number shared by everyone with this organization: `+1 800` and seven digits from its name.
    static func switchboard(of organization: String) -> String {
        let hash = Fingerprint.hash(organization.utf8, seed: 7).high
        let digits = String(hash % 10_000_000)
        return "+1 800 " + String(repeating: "0", count: 7 - digits.count) + digits
    }

    /// Makes the person on `card` a relative of `household`: the same family name
    /// (N and FN), their shared home phone and family e-mail address. Not when the
    /// given names are equal (a father and son of one name are not told apart here).
    static func makeRelative(_ card: inout VComponent, of household: Household) -> Bool {
        guard let index = card.properties.firstIndex(where: { $0.name == "N" }) else { return false }
        var parts = card.properties[index].components
        guard parts.count > 1, let oldFamily = parts[0].first, !oldFamily.isEmpty, oldFamily != household.family,
              parts[1].first != household.given else { return false }
        parts[0] = [household.family]
        card.properties[index].components = parts
        if let fn = card.properties.firstIndex(where: { $0.name == "FN" }) {
            card.properties[fn].text = card.properties[fn].text.replacing(oldFamily, with: household.family)
        }
        if let phone = household.phone {
            card.properties.append(VProperty(name: "TEL", parameters: [VParameter("TYPE", "HOME")], value: phone))
        }
        card.properties.append(VProperty(name: "EMAIL", parameters: [VParameter("TYPE", "INTERNET", "HOME")], value: household.email))
        return true
    }

    /// The household of person `number` on `card`: names, a home (else first) phone,
    /// a family address (`family.mueller17@gmx.de`: the number keeps households apart).
    static func household(of card: VComponent, number: Int) -> Household? {
        guard let name = card.first("N")?.components, name.count > 1, let family = name[0].first, !family.isEmpty,
              let email = card.first("EMAIL")?.value, let at = email.firstIndex(of: "@") else { return nil }
        let phones = card.properties(named: "TEL")
        let home = phones.first { $0.parameterValues("TYPE").joined(separator: ",").uppercased().contains("HOME") } ?? phones.first
        let local = family.unicodeScalars.filter { $0.isASCII && $0.properties.isAlphabetic }.map(String.init).joined().lowercased()
        return Household(family: family, given: name[1].first ?? "", phone: home?.value,
                         email: "family.\(local.isEmpty ? "home" : local)\(number)\(email[at...])")
    }

    /// One property the original lacks, as a second device adds it: a title, the
    /// person's address at another provider, a new mobile number, or else a note.
    static func addExtraField(_ card: inout VComponent, random: inout SplitMix64) {
        switch random.below(4) {
        case 1 where card.first("TITLE") == nil:
            card.properties.append(VProperty(name: "TITLE", value: random.pick(["Consultant", "Project lead", "Buyer"])))
        case 2 where card.first("EMAIL")?.value.contains("@") == true:
            // Its local part is the person's own (it carries their mailbox number): no one else has it.
            let local = card.first("EMAIL")!.value.split(separator: "@")[0]
            card.properties.append(VProperty(name: "EMAIL", parameters: [VParameter("TYPE", "INTERNET")], value: "\(local)@example.net"))
        case 3:
            var digits = ""
            for _ in 0..<7 { digits += String(random.below(10)) }
            card.properties.append(VProperty(name: "TEL", parameters: [VParameter("TYPE", "CELL")], value: "+49 151 " + digits))
        default:
            card.properties.append(VProperty(name: "NOTE", value: random.pick(["Met at the trade fair", "Call back after 3 pm", "Neighbour of Anna"])))
        }
    }
}
