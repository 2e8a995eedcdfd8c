/// Pairs the records of two sides (the server's N and a client's M) that are
/// the same thing, so a first or slow sync adds nothing twice.
///
/// Linear: every record is looked up in hash indexes, never compared with all
/// records of the other side (libsynthesis compares each pair, O(N·M)).
/// Deterministic: the pairs do not depend on input order, because both sides
/// are ranked by (fingerprint, id) and ties always go to the lowest rank.
/// Steps: (1) equal fingerprints pair, (2) the rest pair by match keys,
/// best score first. Each pair says why (`Reason`) and what differs.
public enum RecordMatcher {
    /// One record to match: an id of the caller's (a LUID, a GUID, a file) and its signature.
    public struct Entry: Hashable, Sendable {
        /// The caller's id for the record.
        public var id: String
        /// What the record is compared by.
        public var signature: RecordSignature
        /// An entry for the record `id`.
        public init(id: String, signature: RecordSignature) {
            self.id = id
            self.signature = signature
        }
    }

    /// Why two records were paired.
    public struct Reason: Hashable, Sendable, CustomStringConvertible {
        /// Equal fingerprints: the same record, however written.
        public var sameFingerprint: Bool
        /// Which keys agreed: `name`, `email:…`, `phone:…`, or `summary+time`.
        public var agreedKeys: [String]
        /// Canonical property names whose values differ between the two.
        public var differingProperties: [String]
        /// The score of the pair: name 1000, each shared e-mail or phone 100 (`Int.max` for equal fingerprints).
        public var score: Int

        /// One line: `same fingerprint`, or the keys that agreed and what differs.
        public var description: String {
            if sameFingerprint { return "same fingerprint" }
            var text = "keys agreed: " + agreedKeys.joined(separator: ", ")
            if !differingProperties.isEmpty { text += "; differ: " + differingProperties.joined(separator: ", ") }
            return text
        }
    }

    /// Two records that are one: the left side's id, the right side's, and why.
    public struct Pair: Hashable, Sendable {
        /// The left side's id.
        public var left: String
        /// The right side's id.
        public var right: String
        /// Why they were paired.
        public var reason: Reason
    }

    /// What `match` found.
    public struct Result: Hashable, Sendable {
        /// The pairs: those with equal fingerprints first, then those paired by keys.
        public var pairs: [Pair]
        /// Left ids no right record pairs with.
        public var unmatchedLeft: [String]
        /// Right ids no left record pairs with.
        public var unmatchedRight: [String]
    }

    /// At most this many unpaired candidates are taken from one bucket, so that
    /// records whose keys are all alike ("Anna Müller" ×5,000 with one
    /// switchboard number) cannot make matching quadratic.
    static let candidateLimit = 64

    /// What one `match` did, counted rather than timed: the work per record
    /// must not grow with the size of the books.
    package struct Statistics: Hashable, Sendable {
        /// Records of the left side looked up by their keys (those not paired by fingerprint).
        package var lookups = 0
        /// Distinct candidates scored, over all lookups.
        package var candidatesScored = 0
        /// Pairs explained by `judge` (which compares the canonical lines).
        package var judged = 0
        package init() {}
    }

    /// Pairs `left` and `right` one to one: equal fingerprints first, then match keys, best score first.
    public static func match(_ left: [Entry], _ right: [Entry]) -> Result {
        var statistics = Statistics()
        return match(left, right, statistics: &statistics)
    }

    /// `match`, counting its work into `statistics`.
    package static func match(_ left: [Entry], _ right: [Entry], statistics: inout Statistics) -> Result {
        // Work on positions in rank order; entries themselves are never copied or moved.
        let leftOrder = rank(left)
        let rightOrder = rank(right)
        var pairedLeft = [Bool](repeating: false, count: left.count)   // by rank
        var pairedRight = [Bool](repeating: false, count: right.count) // by rank
        var pairs: [Pair] = []

        // 1. Equal fingerprints (same kind implied: the kind is hashed). Both sides
        // are in fingerprint order already: a merge join, equal runs paired one to one.
        let leftPrints = leftOrder.map { left[$0].signature.fingerprint }
        let rightPrints = rightOrder.map { right[$0].signature.fingerprint }
        var i = 0, j = 0
        while i < leftPrints.count, j < rightPrints.count {
            if leftPrints[i] < rightPrints[j] {
                i += 1
            } else if rightPrints[j] < leftPrints[i] {
                j += 1
            } else {
                pairedLeft[i] = true
                pairedRight[j] = true
                pairs.append(Pair(left: left[leftOrder[i]].id, right: right[rightOrder[j]].id,
                                  reason: Reason(sameFingerprint: true, agreedKeys: ["fingerprint"], differingProperties: [], score: .max)))
                i += 1
                j += 1
            }
        }

        // 2. Match keys, over what is left. Keys are read once into flat tables of
        // 64-bit hashes (`KeyTable`), so scoring a candidate touches a few
        // integers instead of chasing pointers into its signature.
        // Candidates come only from buckets whose members could pass `score`,
        // so a key many records share (a switchboard number, "Anna Müller")
        // never makes a record wade through the records that merely share it:
        // - a contact with e-mails or phones pairs with a namesake sharing one
        //   of them (`byNameAndPoint`: name and point hashed together), a
        //   namesake with none (`bareByName`), or a record sharing two of them
        //   (`byPoint`, which needs every bucket but the largest: a record
        //   sharing two points is in two of them);
        // - anything else pairs with any namesake (`byName`).
        // All of a `byName` or `bareByName` bucket score alike, so its first
        // unpaired rank is the winner; other buckets yield at most
        // `candidateLimit` unpaired ranks. Paired ranks are passed over without
        // being visited again (`KeyIndex.unpaired`).
        let leftKeys = KeyTable(left, order: leftOrder)
        let rightKeys = KeyTable(right, order: rightOrder)
        var byName = KeyIndex()
        var bareByName = KeyIndex()
        var byNameAndPoint = KeyIndex()
        var byPoint = KeyIndex()
        for rank in rightOrder.indices where !pairedRight[rank] {
            let name = rightKeys.name[rank]
            let points = rightKeys.points(rank)
            if name != 0 {
                byName.add(name, rank)
                if points.isEmpty { bareByName.add(name, rank) }
                for point in points { byNameAndPoint.add(KeyTable.combine(name, point), rank) }
            }
            for point in points { byPoint.add(point, rank) }
        }
        byName.seal()
        bareByName.seal()
        byNameAndPoint.seal()
        byPoint.seal()
        let isPaired = { (rank: Int) in pairedRight[rank] }
        var candidates: [Int] = []
        for rank in leftOrder.indices where !pairedLeft[rank] {
            candidates.removeAll(keepingCapacity: true)
            statistics.lookups += 1
            let name = leftKeys.name[rank]
            let points = leftKeys.points(rank)
            if leftKeys.isContact[rank] && !points.isEmpty {
                if name != 0 {
                    bareByName.unpaired(name, limit: 1, isPaired: isPaired, into: &candidates)
                    for point in points {
                        byNameAndPoint.unpaired(KeyTable.combine(name, point), limit: candidateLimit,
                                                isPaired: isPaired, into: &candidates)
                    }
                }
                if points.count >= 2 {
                    // Ties broken by hash: `points` come from Sets, whose order varies per process.
                    let largest = points.indices.max {
                        (byPoint.count(points[$0]), points[$0]) < (byPoint.count(points[$1]), points[$1])
                    }
                    for index in points.indices where index != largest {
                        byPoint.unpaired(points[index], limit: candidateLimit, isPaired: isPaired, into: &candidates)
                    }
                }
            } else if name != 0 {
                byName.unpaired(name, limit: 1, isPaired: isPaired, into: &candidates)
            }
            // Score every candidate cheaply, in rank order so that ties go to the
            // lower rank; explain only the winner (with the real keys).
            candidates.sort()
            var best: (rank: Int, score: Int)? = nil
            var previous = -1
            for candidate in candidates where candidate != previous {
                previous = candidate
                statistics.candidatesScored += 1
                guard let score = KeyTable.score(leftKeys, rank, rightKeys, candidate) else { continue }
                if best == nil || score > best!.score { best = (candidate, score) }
            }
            if best != nil { statistics.judged += 1 }
            if let best, let reason = judge(left[leftOrder[rank]].signature, right[rightOrder[best.rank]].signature) {
                pairedLeft[rank] = true
                pairedRight[best.rank] = true
                pairs.append(Pair(left: left[leftOrder[rank]].id, right: right[rightOrder[best.rank]].id, reason: reason))
            }
        }
        return Result(
            pairs: pairs,
            unmatchedLeft: leftOrder.indices.filter { !pairedLeft[$0] }.map { left[leftOrder[$0]].id },
            unmatchedRight: rightOrder.indices.filter { !pairedRight[$0] }.map { right[rightOrder[$0]].id })
    }

    /// Positions of `entries` ordered by (fingerprint, id): the same order
    /// whatever order the caller gave.
    private static func rank(_ entries: [Entry]) -> [Int] {
        // Sort plain (fingerprint, position) pairs; ids are compared only to
        // order records with equal fingerprints.
        var keys = entries.indices.map { (fingerprint: entries[$0].signature.fingerprint, position: $0) }
        keys.sort { a, b in
            a.fingerprint != b.fingerprint
                ? a.fingerprint < b.fingerprint
                : entries[a.position].id < entries[b.position].id
        }
        return keys.map(\.position)
    }

    private static func kindPrefix(_ signature: RecordSignature) -> String { signature.kind.rawValue + ":" }

    /// Whether two records of one kind are the same thing, and why.
    static func judge(_ a: RecordSignature, _ b: RecordSignature) -> Reason? {
        guard a.kind == b.kind else { return nil }
        let ka = a.matchKey, kb = b.matchKey
        let sameName = !ka.primary.isEmpty && ka.primary == kb.primary
        var agreed: [String] = []
        var shared = 0
        if a.kind == .contact {
            if sameName { agreed.append("name") }
            for email in ka.emails.intersection(kb.emails).sorted() { agreed.append("email:" + email); shared += 1 }
            for phone in ka.phones.intersection(kb.phones).sorted() { agreed.append("phone:" + phone); shared += 1 }
            let noContactPoints = (ka.emails.isEmpty && ka.phones.isEmpty) || (kb.emails.isEmpty && kb.phones.isEmpty)
            guard (sameName && (shared > 0 || noContactPoints)) || shared >= 2 else { return nil }
        } else {
            guard sameName else { return nil }
            agreed.append("summary+time")
        }
        let differing = differences(a.canonical, b.canonical)
        let score = (sameName ? 1000 : 0) + 100 * shared
        return Reason(sameFingerprint: false, agreedKeys: agreed, differingProperties: differing, score: score)
    }

    /// Property names whose canonical lines differ between two records: a
    /// merge of the two sorted line lists, no hashing.
    static func differences(_ a: CanonicalRecord, _ b: CanonicalRecord) -> [String] {
        if a.comparesBytewise, b.comparesBytewise { return bytewiseDifferences(a, b) }
        let left = a.lines.sorted(), right = b.lines.sorted()
        var names: [Substring] = []
        var i = 0, j = 0
        func name(_ line: String) -> Substring { line.prefix { $0 != ";" && $0 != ":" } }
        while i < left.count || j < right.count {
            if i < left.count, j < right.count, left[i] == right[j] {
                i += 1
                j += 1
            } else if j == right.count || (i < left.count && left[i] < right[j]) {
                names.append(name(left[i]))
                i += 1
            } else {
                names.append(name(right[j]))
                j += 1
            }
        }
        var unique: [String] = []
        for name in names.sorted() where unique.last != String(name) { unique.append(String(name)) }
        return unique
    }

    /// `differences` on the canonical bytes, without a `String` per line: for
    /// records whose byte order is their lines' `String` order. A contact's lines
    /// are stored in that order already, so they are read in place.
    private static func bytewiseDifferences(_ a: CanonicalRecord, _ b: CanonicalRecord) -> [String] {
        let x = a.bytes, y = b.bytes
        let left = a.linesAreSorted ? nil : a.lineRanges.sorted { x[$0].lexicographicallyPrecedes(x[$1]) }
        let right = b.linesAreSorted ? nil : b.lineRanges.sorted { y[$0].lexicographicallyPrecedes(y[$1]) }
        func leftLine(_ index: Int) -> ArraySlice<UInt8> { x[left?[index] ?? a.lineRange(index)] }
        func rightLine(_ index: Int) -> ArraySlice<UInt8> { y[right?[index] ?? b.lineRange(index)] }
        func name(_ line: ArraySlice<UInt8>) -> String {
            String(decoding: line.prefix { $0 != 0x3B && $0 != 0x3A }, as: UTF8.self)
        }
        var names: [String] = []
        var i = 0, j = 0
        while i < a.lineCount || j < b.lineCount {
            if i < a.lineCount, j < b.lineCount, leftLine(i).elementsEqual(rightLine(j)) {
                i += 1
                j += 1
            } else if j == b.lineCount || (i < a.lineCount && leftLine(i).lexicographicallyPrecedes(rightLine(j))) {
                names.append(name(leftLine(i)))
                i += 1
            } else {
                names.append(name(rightLine(j)))
                j += 1
            }
        }
        names.sort()
        var unique: [String] = []
        for name in names where unique.last != name { unique.append(name) }
        return unique
    }
}

/// One side's match keys by rank, as 64-bit hashes in flat arrays: the name
/// (kind included; 0 = none) and the e-mails and phones ("points").
struct KeyTable {
    private(set) var name: [UInt64] = []
    /// The family name alone (the part of the name before `|`; 0 = none).
    private(set) var family: [UInt64] = []
    private(set) var isContact: [Bool] = []
    private var pointStart: [Int] = [0]
    private var pointHashes: [UInt64] = []

    init(_ entries: [RecordMatcher.Entry], order: [Int]) {
        name.reserveCapacity(order.count)
        isContact.reserveCapacity(order.count)
        for position in order {
            let signature = entries[position].signature
            let key = signature.matchKey
            name.append(key.primary.isEmpty ? 0 : Self.hash(signature.kind.rawValue + ":" + key.primary))
            let familyName = key.primary.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            family.append(familyName.isEmpty ? 0 : Self.hash(signature.kind.rawValue + ":" + familyName))
            isContact.append(signature.kind == .contact)
            for email in key.emails { pointHashes.append(Self.hash("e:" + email)) }
            for phone in key.phones { pointHashes.append(Self.hash("p:" + phone)) }
            pointStart.append(pointHashes.count)
        }
    }

    func points(_ rank: Int) -> ArraySlice<UInt64> { pointHashes[pointStart[rank]..<pointStart[rank + 1]] }

    /// A stable 64-bit hash (never 0) of a key.
    static func hash(_ text: String) -> UInt64 {
        max(1, Fingerprint.hash(text.utf8, seed: 0).high)
    }

    /// One hash for a name and a contact point together: the key of records
    /// that share both, however many share either.
    static func combine(_ name: UInt64, _ point: UInt64) -> UInt64 {
        // A multiply-xorshift mix, so that (a, b) and (b, a) differ.
        var mixed = (name ^ 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9 ^ point
        mixed = (mixed ^ (mixed >> 31)) &* 0x94D0_49BB_1331_11EB
        return max(1, mixed ^ (mixed >> 29))
    }

    /// How sure the matcher is that two records are one (nil: they are not).
    /// Contacts: the name and at least one shared e-mail or phone (or one of
    /// them has none), or two shared e-mails/phones without the name as long as
    /// the family names do not differ (a nickname, a missing name — not two
    /// colleagues sharing a switchboard and a similar extension, whose merge
    /// would lose one of them). Events and tasks: the whole key (summary and
    /// times). Name 1000, each shared contact point 100; ties go to the lower rank.
    static func score(_ a: KeyTable, _ i: Int, _ b: KeyTable, _ j: Int) -> Int? {
        let sameName = a.name[i] != 0 && a.name[i] == b.name[j]
        guard a.isContact[i] else { return sameName ? 1000 : nil }
        let pa = a.points(i), pb = b.points(j)
        var shared = 0
        for point in pa where pb.contains(point) { shared += 1 }
        let familiesAgree = a.family[i] == 0 || b.family[j] == 0 || a.family[i] == b.family[j]
        guard (sameName && (shared > 0 || pa.isEmpty || pb.isEmpty)) || (shared >= 2 && familiesAgree) else { return nil }
        return (sameName ? 1000 : 0) + 100 * shared
    }
}

/// A multimap from 64-bit key hashes to ranks in two flat arrays, sorted once:
/// cache-friendly where a Dictionary of arrays scatters a small array per key
/// over the heap. Ranks of one key stay in ascending (rank) order.
struct KeyIndex {
    private var keys: [UInt64] = []
    private var ranks: [Int] = []
    /// For each position, a position at or after it holding no paired rank
    /// that lookups have seen (or one that has not been looked at since):
    /// paired ranks are passed over once, not on every lookup of their key.
    private var skip: [Int] = []

    mutating func add(_ key: UInt64, _ rank: Int) {
        keys.append(key)
        ranks.append(rank)
    }

    /// Sorts by key, then rank; call once, after the last `add`.
    mutating func seal() {
        let order = keys.indices.sorted { (keys[$0], ranks[$0]) < (keys[$1], ranks[$1]) }
        keys = order.map { keys[$0] }
        ranks = order.map { ranks[$0] }
        skip = Array(keys.indices)
    }

    /// The position of the first entry for `key` (or where it would be).
    private func start(of key: UInt64) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// How many ranks are stored under `key`, paired or not.
    func count(_ key: UInt64) -> Int {
        var end = start(of: key)
        let first = end
        while end < keys.count, keys[end] == key { end += 1 }
        return end - first
    }

    /// Appends to `result` the first `limit` ranks under `key` (ascending) for
    /// which `isPaired` is false. Ranks once paired stay paired, so the ones
    /// met here are linked past for good (path compression, as in union-find).
    mutating func unpaired(_ key: UInt64, limit: Int, isPaired: (Int) -> Bool, into result: inout [Int]) {
        var position = start(of: key)
        var found = 0
        while position < keys.count, keys[position] == key, found < limit {
            let next = firstUnpaired(from: position, isPaired: isPaired)
            guard next < keys.count, keys[next] == key else { return }
            result.append(ranks[next])
            found += 1
            position = next + 1
        }
    }

    /// The first position at or after `position` whose rank is unpaired.
    private mutating func firstUnpaired(from position: Int, isPaired: (Int) -> Bool) -> Int {
        var current = position
        while current < keys.count {
            let target = skip[current]
            if target != current {
                current = target
            } else if isPaired(ranks[current]) {
                skip[current] = current + 1
                current += 1
            } else {
                break
            }
        }
        // Point the whole path walked at its end.
        var walk = position
        while walk < current {
            let next = skip[walk]
            skip[walk] = current
            walk = next
        }
        return current
    }
}
