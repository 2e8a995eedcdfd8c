/// The state of one `DuplicateFinder.find`: the candidates ranked and folded
/// into units (equal fingerprints), their keys as hashes, and the groups so far
/// (union-find over units, with what each group says about its person).
struct DuplicateGrouping {
    let candidates: [DuplicateCandidate]
    /// Candidate positions in rank order: (fingerprint, id).
    let order: [Int]
    /// Per unit, its ranks (records with one fingerprint); the first rank represents it.
    var unitRanks: [[Int]] = []
    var keys = UnitKeys()

    var parent: [Int] = []
    /// What a group (by its root unit) says about its person; absent for a unit alone.
    var profiles: [Int: GroupProfile] = [:]
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
        let profileA = profiles[rootA] ?? GroupProfile(unit: rootA, keys: keys)
        let profileB = profiles[rootB] ?? GroupProfile(unit: rootB, keys: keys)
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
