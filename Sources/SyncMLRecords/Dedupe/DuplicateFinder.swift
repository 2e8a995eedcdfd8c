/// Finds the records of one book that are the same person, event or task
/// written differently, and groups them (docs/DEDUPE.md).
///
/// The matcher (`RecordMatcher`) pairs two sides one to one; here one side is
/// grouped with itself, where a record may have evidence with several others.
/// A group is only as wide as its evidence:
/// 1. Records with equal fingerprints are one record, however often copied.
/// 2. Two records are linked when the matcher's rule pairs them (the name and a
///    shared e-mail or phone; two shared e-mails/phones within one family; the
///    whole key of an event or task), scored as the matcher scores (name 1000,
///    each shared contact point 100), unless something contradicts it: different
///    birthdays, or e-mail addresses on both sides of which none agree (unless two
///    phones do) — namesakes whose numbers share the last digits are two people.
///    Different given names link only when one is a prefix of the other (`A.`,
///    `Rob`/`Robert`): siblings sharing a landline and a family address are not one.
/// 3. Links join groups strongest first, and only groups that do not contradict
///    each other as a whole: one family name, one birthday, e-mail sets that meet.
///    So a shared switchboard number never chains two colleagues (their names
///    differ), and a record linked to two people who are not one joins one of them.
/// 4. A contact with a name and nothing else (no e-mail, no phone) joins the one
///    person of that name, or the other bare copies when nobody else has it; when
///    its name fits several people it is left out and reported as ambiguous.
///
/// Linear in the book: records are found through hash indexes of their keys, at
/// most `candidateLimit` per key. Deterministic: records are ranked by
/// (fingerprint, id), ties go to the lower rank, so input order does not matter.
public enum DuplicateFinder {
    /// What `find` found.
    public struct Result: Hashable, Sendable {
        /// Groups of two or more records, ordered by their first member (ids in natural order).
        public var groups: [DuplicateGroup]
        /// Records whose evidence fits more than one group; none is grouped.
        public var ambiguous: [Ambiguity]
        /// How many candidates were looked at.
        public var records: Int
    }

    /// A record left out because its evidence does not single out one group.
    public struct Ambiguity: Hashable, Sendable {
        public var id: String
        public var reason: String
    }

    /// At most this many records are taken from one index bucket, so that a
    /// key thousands of records share (a switchboard, "Anna Müller") costs no more than a rare one.
    public static let candidateLimit = 64

    public static func find(_ candidates: [DuplicateCandidate]) -> Result {
        var grouping = Grouping(candidates)
        grouping.linkStrongEvidence()
        grouping.placeBareNames()
        return grouping.result()
    }

    /// Orders ids as people read them: digit runs by value (`2` before `10`), the rest by code point.
    public static func naturalOrder(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in naturalLess(x, y) } }
    }

    /// `naturalOrder` over UTF-8 (whose byte order is code point order).
    private static func naturalLess(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        var i = 0, j = 0
        while i < x.count, j < y.count {
            if isDigit(x[i]), isDigit(y[j]) {
                var endI = i, endJ = j
                while endI < x.count, isDigit(x[endI]) { endI += 1 }
                while endJ < y.count, isDigit(y[endJ]) { endJ += 1 }
                var startI = i, startJ = j
                while startI < endI - 1, x[startI] == 0x30 { startI += 1 } // leading zeros
                while startJ < endJ - 1, y[startJ] == 0x30 { startJ += 1 }
                if endI - startI != endJ - startJ { return endI - startI < endJ - startJ }
                for k in 0..<(endI - startI) where x[startI + k] != y[startJ + k] { return x[startI + k] < y[startJ + k] }
                if endI - i != endJ - j { return endI - i < endJ - j }
                i = endI
                j = endJ
            } else {
                if x[i] != y[j] { return x[i] < y[j] }
                i += 1
                j += 1
            }
        }
        return i == x.count && j < y.count
    }
}

/// The state of one `DuplicateFinder.find`: the candidates ranked and folded
/// into units (equal fingerprints), their keys as hashes, and the groups so far
/// (union-find over units, with what each group says about its person).
private struct Grouping {
    let candidates: [DuplicateCandidate]
    /// Candidate positions in rank order: (fingerprint, id).
    let order: [Int]
    /// Per unit, its ranks (records with one fingerprint); the first rank represents it.
    var unitRanks: [[Int]] = []
    var keys = UnitKeys()

    var parent: [Int] = []
    /// What a group (by its root unit) says about its person; absent for a unit alone.
    var profiles: [Int: Profile] = [:]
    /// The links that joined units, with their scores, for the explanation.
    var links: [(a: Int, b: Int, score: Int)] = []
    var ambiguous: [DuplicateFinder.Ambiguity] = []

    var byName = BucketIndex()
    var byNameAndPoint = BucketIndex()
    var byPoint = BucketIndex()

    init(_ candidates: [DuplicateCandidate]) {
        self.candidates = candidates
        var ranked = candidates.indices.map { (fingerprint: candidates[$0].fingerprint, position: $0) }
        ranked.sort { a, b in
            a.fingerprint != b.fingerprint ? a.fingerprint < b.fingerprint : candidates[a.position].id < candidates[b.position].id
        }
        order = ranked.map(\.position)
        for rank in order.indices {
            if rank > 0, ranked[rank].fingerprint == ranked[rank - 1].fingerprint,
               candidates[order[rank]].kind == candidates[order[rank - 1]].kind {
                unitRanks[unitRanks.count - 1].append(rank)
            } else {
                unitRanks.append([rank])
                keys.add(candidates[order[rank]])
            }
        }
        parent = Array(unitRanks.indices)
        for unit in unitRanks.indices {
            let name = keys.name[unit]
            let points = keys.points(unit)
            if name != 0 {
                byName.add(name, unit)
                for point in points { byNameAndPoint.add(KeyTable.combine(name, point), unit) }
            }
            if keys.isContact[unit] { for point in points { byPoint.add(point, unit) } }
        }
        byName.seal()
        byNameAndPoint.seal()
        byPoint.seal()
    }

    func candidate(unit: Int) -> DuplicateCandidate { candidates[order[unitRanks[unit][0]]] }

    // MARK: Links

    /// Steps 2 and 3: every link between units with evidence, joined strongest first.
    mutating func linkStrongEvidence() {
        var edges: [(score: Int, a: Int, b: Int)] = []
        var found: [Int] = []
        let limit = DuplicateFinder.candidateLimit
        for unit in unitRanks.indices {
            found.removeAll(keepingCapacity: true)
            let name = keys.name[unit]
            let points = keys.points(unit)
            if keys.isContact[unit] {
                guard !points.isEmpty else { continue } // a bare name: step 4
                if name != 0 {
                    for point in points {
                        for other in byNameAndPoint.bucket(KeyTable.combine(name, point)).prefix(limit) { found.append(Int(other)) }
                    }
                }
                if points.count >= 2 {
                    // A record sharing two points is in two buckets: every bucket but the largest will do.
                    let buckets = points.map { byPoint.bucket($0) }
                    let largest = buckets.indices.max { (buckets[$0].count, points[points.startIndex + $0]) < (buckets[$1].count, points[points.startIndex + $1]) }
                    for index in buckets.indices where index != largest {
                        for other in buckets[index].prefix(limit) { found.append(Int(other)) }
                    }
                }
            } else if name != 0 {
                // Events and tasks: equal keys are an equivalence, so a link to the bucket's first unit suffices.
                if let first = byName.bucket(name).first(where: { $0 != unit }) { found.append(Int(first)) }
            }
            found.sort()
            var previous = -1
            for other in found where other != previous {
                previous = other
                guard other != unit else { continue }
                // A pair found from both ends is one edge (dropped after sorting).
                if let score = keys.evidence(unit, other) { edges.append((score, min(unit, other), max(unit, other))) }
            }
        }
        edges.sort { ($0.score, $1.a, $1.b) > ($1.score, $0.a, $0.b) }
        var previousEdge: (Int, Int)? = nil
        for edge in edges {
            if let previousEdge, previousEdge == (edge.a, edge.b) { continue }
            previousEdge = (edge.a, edge.b)
            join(edge.a, edge.b, score: edge.score)
        }
    }

    /// Step 4: contacts with a name and no e-mail or phone.
    mutating func placeBareNames() {
        var namesakes: [Int] = []
        for unit in unitRanks.indices where keys.isContact[unit] && keys.name[unit] != 0 && keys.points(unit).isEmpty {
            namesakes = byName.bucket(keys.name[unit]).prefix(DuplicateFinder.candidateLimit + 2).map { Int($0) }
            namesakes.removeAll { $0 == unit || !keys.birthdaysAgree($0, unit) }
            if namesakes.count > DuplicateFinder.candidateLimit {
                leaveOut(unit, "its name alone is shared by more than \(DuplicateFinder.candidateLimit) records")
                continue
            }
            var people: [Int] = [] // roots of groups holding a namesake with contact points
            var bare: [Int] = []
            for other in namesakes {
                let root = find(other)
                if keys.points(other).isEmpty {
                    if !bare.contains(root) { bare.append(root) }
                } else if !people.contains(root) {
                    people.append(root)
                }
            }
            let target: Int
            if people.count == 1 {
                target = people[0]
            } else if people.isEmpty, let first = bare.min() {
                target = first
            } else {
                if !people.isEmpty { leaveOut(unit, "its name alone fits \(people.count) different people") }
                continue
            }
            let representative = namesakes.first { find($0) == target } ?? target
            if !join(unit, representative, score: 1000) {
                leaveOut(unit, "its name fits a group it contradicts")
            }
        }
    }

    private mutating func leaveOut(_ unit: Int, _ reason: String) {
        for rank in unitRanks[unit] { ambiguous.append(.init(id: candidates[order[rank]].id, reason: reason)) }
    }

    // MARK: Groups (union-find)

    mutating func find(_ unit: Int) -> Int {
        var root = unit
        while parent[root] != root { root = parent[root] }
        var walk = unit
        while parent[walk] != root {
            let next = parent[walk]
            parent[walk] = root
            walk = next
        }
        return root
    }

    /// Joins the groups of `a` and `b` if they do not contradict each other; true if joined (or already one).
    @discardableResult
    mutating func join(_ a: Int, _ b: Int, score: Int) -> Bool {
        let rootA = find(a), rootB = find(b)
        guard rootA != rootB else { return true }
        let profileA = profiles[rootA] ?? Profile(unit: rootA, keys: keys)
        let profileB = profiles[rootB] ?? Profile(unit: rootB, keys: keys)
        guard profileA.agrees(with: profileB) else { return false }
        let (root, child) = rootA < rootB ? (rootA, rootB) : (rootB, rootA)
        parent[child] = root
        profiles[child] = nil
        profiles[root] = profileA.union(profileB)
        links.append((a, b, score))
        return true
    }

    // MARK: Result

    mutating func result() -> DuplicateFinder.Result {
        var members: [Int: [Int]] = [:] // root → units
        for unit in unitRanks.indices {
            let root = find(unit)
            if root != unit || unitRanks[unit].count > 1 || profiles[unit] != nil { members[root, default: []].append(unit) }
        }
        var linksByRoot: [Int: [(a: Int, b: Int, score: Int)]] = [:]
        for link in links { linksByRoot[find(link.a), default: []].append(link) }
        var groups: [DuplicateGroup] = []
        for (root, units) in members {
            let ids = units.flatMap { unitRanks[$0].map { candidates[order[$0]].id } }
            guard ids.count >= 2 else { continue }
            var groupLinks: [DuplicateGroup.Link] = []
            for unit in units where unitRanks[unit].count > 1 {
                let first = candidates[order[unitRanks[unit][0]]].id
                for rank in unitRanks[unit].dropFirst() {
                    groupLinks.append(.init(first: first, second: candidates[order[rank]].id, agreedKeys: ["fingerprint"], score: .max))
                }
            }
            for link in linksByRoot[root] ?? [] {
                let a = candidate(unit: link.a), b = candidate(unit: link.b)
                groupLinks.append(.init(first: a.id, second: b.id, agreedKeys: Self.agreedKeys(a, b), score: link.score))
            }
            groupLinks.sort { ($1.score, $0.first, $0.second) < ($0.score, $1.first, $1.second) }
            groups.append(DuplicateGroup(kind: candidate(unit: root).kind, members: ids.sorted(by: DuplicateFinder.naturalOrder), links: groupLinks))
        }
        groups.sort { DuplicateFinder.naturalOrder($0.members[0], $1.members[0]) }
        ambiguous.sort { DuplicateFinder.naturalOrder($0.id, $1.id) }
        return .init(groups: groups, ambiguous: ambiguous, records: candidates.count)
    }

    /// The keys two linked records agree on, as `RecordMatcher.Reason` names them.
    static func agreedKeys(_ a: DuplicateCandidate, _ b: DuplicateCandidate) -> [String] {
        guard a.kind == .contact else { return ["summary+time"] }
        var agreed: [String] = []
        if !a.matchKey.primary.isEmpty, a.matchKey.primary == b.matchKey.primary { agreed.append("name") }
        agreed += a.matchKey.emails.intersection(b.matchKey.emails).sorted().map { "email:" + $0 }
        agreed += a.matchKey.phones.intersection(b.matchKey.phones).sorted().map { "phone:" + $0 }
        return agreed
    }
}

/// The keys of each unit as 64-bit hashes in flat arrays (as `KeyTable` holds a
/// matcher side), plus what the finder needs beyond the matcher: e-mails and
/// phones apart, the given name and the birthday.
private struct UnitKeys {
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
private struct Profile {
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

    func agrees(with other: Profile) -> Bool {
        if families.union(other.families).count > 1 { return false }
        if birthdays.union(other.birthdays).count > 1 { return false }
        for a in givens { for b in other.givens where !UnitKeys.givenNamesAgree(a, b) { return false } }
        if !emails.isEmpty, !other.emails.isEmpty, emails.isDisjoint(with: other.emails), phones.intersection(other.phones).count < 2 {
            return false
        }
        return true
    }

    func union(_ other: Profile) -> Profile {
        var result = self
        result.families.formUnion(other.families)
        result.givens.formUnion(other.givens)
        result.emails.formUnion(other.emails)
        result.phones.formUnion(other.phones)
        result.birthdays.formUnion(other.birthdays)
        return result
    }
}

/// A multimap from 64-bit key hashes to units: the units sorted by (key, unit)
/// in one flat array, and an open-addressing table from each key to its run,
/// so a lookup costs a probe or two instead of a binary search's cache misses.
private struct BucketIndex {
    private var entries: [(key: UInt64, unit: Int32)] = []
    private var units: [Int32] = []
    /// Slots of the table: a key (0 = empty; keys are never 0), where its run starts and ends in `units`.
    private var slotKeys: [UInt64] = []
    private var slotRuns: [(start: Int32, end: Int32)] = []
    private var mask = 0

    mutating func add(_ key: UInt64, _ unit: Int) {
        entries.append((key, Int32(unit)))
    }

    /// Builds the table; call once, after the last `add`.
    mutating func seal() {
        entries.sort { $0.key != $1.key ? $0.key < $1.key : $0.unit < $1.unit }
        units = entries.map(\.unit)
        var size = 16
        while size < entries.count * 2 { size <<= 1 }
        mask = size - 1
        slotKeys = [UInt64](repeating: 0, count: size)
        slotRuns = [(start: Int32, end: Int32)](repeating: (0, 0), count: size)
        var start = 0
        while start < entries.count {
            var end = start + 1
            while end < entries.count, entries[end].key == entries[start].key { end += 1 }
            var slot = Int(truncatingIfNeeded: entries[start].key) & mask
            while slotKeys[slot] != 0 { slot = (slot + 1) & mask }
            slotKeys[slot] = entries[start].key
            slotRuns[slot] = (Int32(start), Int32(end))
            start = end
        }
        entries = []
    }

    /// The units under `key`, ascending.
    func bucket(_ key: UInt64) -> ArraySlice<Int32> {
        guard !slotKeys.isEmpty else { return [] }
        var slot = Int(truncatingIfNeeded: key) & mask
        while slotKeys[slot] != 0 {
            if slotKeys[slot] == key { return units[Int(slotRuns[slot].start)..<Int(slotRuns[slot].end)] }
            slot = (slot + 1) & mask
        }
        return []
    }
}
