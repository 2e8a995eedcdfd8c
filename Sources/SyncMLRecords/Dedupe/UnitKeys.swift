/// The keys of each unit as 64-bit hashes in flat arrays (as `KeyTable` holds a
/// matcher side), plus what the finder needs beyond the matcher: e-mails and
/// phones apart, the given name and the birthday.
struct UnitKeys {
    var name: [UInt64] = []
    var family: [UInt64] = []
    var given: [String] = []
    var isContact: [Bool] = []
    var kind: [RecordKind] = []
    var birthday: [UInt64] = []
    private var pointStart: [Int] = [0]
    private var pointHashes: [UInt64] = []
    /// How many of a unit's points (the first ones) are e-mail addresses.
    private var emailCount: [Int] = []

    mutating func add(_ candidate: DuplicateCandidate) {
        let key = candidate.matchKey
        // Each kind of key hashed with its own seed: no key strings are built.
        let kindSeed = UInt32(RecordKind.allCases.firstIndex(of: candidate.kind) ?? 0)
        name.append(key.primary.isEmpty ? 0 : Self.hash(key.primary, seed: 0x100 + kindSeed))
        let parts = key.primary.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        let familyName = parts.first ?? ""
        family.append(familyName.isEmpty ? 0 : Self.hash(familyName, seed: 0x200 + kindSeed))
        given.append(parts.count > 1 ? String(parts[1]) : "")
        isContact.append(candidate.kind == .contact)
        kind.append(candidate.kind)
        birthday.append(candidate.birthday.map { Self.hash($0, seed: 0x300) } ?? 0)
        let start = pointHashes.count
        for email in key.emails { pointHashes.append(Self.hash(email, seed: 0x400)) }
        pointHashes[start...].sort()
        let phoneStart = pointHashes.count
        for phone in key.phones { pointHashes.append(Self.hash(phone, seed: 0x500)) }
        pointHashes[phoneStart...].sort()
        emailCount.append(phoneStart - start)
        pointStart.append(pointHashes.count)
    }

    /// A stable 64-bit hash (never 0) of a key.
    static func hash(_ text: some StringProtocol, seed: UInt32) -> UInt64 {
        max(1, Fingerprint.hash(text.utf8, seed: seed).high)
    }

    func points(_ unit: Int) -> ArraySlice<UInt64> { pointHashes[pointStart[unit]..<pointStart[unit + 1]] }
    func emails(_ unit: Int) -> ArraySlice<UInt64> { pointHashes[pointStart[unit]..<pointStart[unit] + emailCount[unit]] }
    func phones(_ unit: Int) -> ArraySlice<UInt64> { pointHashes[pointStart[unit] + emailCount[unit]..<pointStart[unit + 1]] }

    /// How many hashes two short sorted lists share.
    static func shared(_ a: ArraySlice<UInt64>, _ b: ArraySlice<UInt64>) -> Int {
        var count = 0
        for x in a where b.contains(x) { count += 1 }
        return count
    }

    func birthdaysAgree(_ a: Int, _ b: Int) -> Bool { birthday[a] == 0 || birthday[b] == 0 || birthday[a] == birthday[b] }

    /// Given names of one family that may be one person's: equal, one missing, or one a prefix of the other.
    static func givenNamesAgree(_ a: String, _ b: String) -> Bool {
        let x = a.filter { $0 != "." }, y = b.filter { $0 != "." }
        return x.isEmpty || y.isEmpty || x.hasPrefix(y) || y.hasPrefix(x)
    }

    /// The link score of two units, or nil when they are not one record: the matcher's
    /// rule and score, with the contradictions of `DuplicateFinder` (step 2).
    func evidence(_ a: Int, _ b: Int) -> Int? {
        guard kind[a] == kind[b] else { return nil }
        let sameName = name[a] != 0 && name[a] == name[b]
        guard isContact[a] else { return sameName ? 1000 : nil }
        guard birthdaysAgree(a, b) else { return nil }
        let sharedEmails = Self.shared(emails(a), emails(b))
        let sharedPhones = Self.shared(phones(a), phones(b))
        let shared = sharedEmails + sharedPhones
        if sharedEmails == 0, !emails(a).isEmpty, !emails(b).isEmpty, sharedPhones < 2 { return nil }
        if sameName {
            guard shared > 0 else { return nil } // a bare name is step 4's
        } else {
            let familiesAgree = family[a] == 0 || family[b] == 0 || family[a] == family[b]
            guard shared >= 2, familiesAgree, name[a] == 0 || name[b] == 0 || Self.givenNamesAgree(given[a], given[b]) else { return nil }
        }
        return (sameName ? 1000 : 0) + 100 * shared
    }
}

/// What a group says about its person: the names, e-mails, phones and birthday
/// of all its records. Two groups join only if these do not contradict.
struct GroupProfile {
    var families: Set<UInt64> = []
    var givens: Set<String> = []
    var emails: Set<UInt64> = []
    var phones: Set<UInt64> = []
    var birthdays: Set<UInt64> = []

    init(unit: Int, keys: UnitKeys) {
        if keys.family[unit] != 0 { families.insert(keys.family[unit]) }
        if keys.name[unit] != 0, !keys.given[unit].isEmpty { givens.insert(keys.given[unit]) }
        emails = Set(keys.emails(unit))
        phones = Set(keys.phones(unit))
        if keys.birthday[unit] != 0 { birthdays.insert(keys.birthday[unit]) }
    }

    func agrees(with other: GroupProfile) -> Bool {
        if families.union(other.families).count > 1 { return false }
        if birthdays.union(other.birthdays).count > 1 { return false }
        for a in givens { for b in other.givens where !UnitKeys.givenNamesAgree(a, b) { return false } }
        if !emails.isEmpty, !other.emails.isEmpty, emails.isDisjoint(with: other.emails), phones.intersection(other.phones).count < 2 {
            return false
        }
        return true
    }

    func union(_ other: GroupProfile) -> GroupProfile {
        var result = self
        result.families.formUnion(other.families)
        result.givens.formUnion(other.givens)
        result.emails.formUnion(other.emails)
        result.phones.formUnion(other.phones)
        result.birthdays.formUnion(other.birthdays)
        return result
    }
}
