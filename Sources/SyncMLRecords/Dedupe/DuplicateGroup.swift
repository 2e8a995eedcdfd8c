/// Records of one book that are one person, event or task, and why.
public struct DuplicateGroup: Hashable, Sendable {
    /// Why two members are one: the evidence that joined them.
    public struct Link: Hashable, Sendable, CustomStringConvertible {
        /// The member that was in the group first.
        public var first: String
        /// The member the link joined to it.
        public var second: String
        /// `fingerprint` (the same record), or the keys that agreed: `name`,
        /// `email:…`, `phone:…` (the last 7 digits), `summary+time`.
        public var agreedKeys: [String]
        /// The matcher's score: name 1000, each shared e-mail or phone 100 (`Int.max` for equal fingerprints).
        public var score: Int

        /// A link between `first` and `second` on `agreedKeys`, scored `score`.
        public init(first: String, second: String, agreedKeys: [String], score: Int) {
            self.first = first
            self.second = second
            self.agreedKeys = agreedKeys
            self.score = score
        }

        /// One line: `a = b: name, email:a@example.org`.
        public var description: String {
            "\(first) = \(second): " + (agreedKeys == ["fingerprint"] ? "same fingerprint" : agreedKeys.joined(separator: ", "))
        }
    }

    /// What the members are (all of one kind).
    public var kind: RecordKind
    /// The members' ids in natural order (`2` before `10`).
    public var members: [String]
    /// The links that joined the members (each member reached by one), strongest first.
    public var links: [Link]

    /// A group of `members` joined by `links`.
    public init(kind: RecordKind, members: [String], links: [Link]) {
        self.kind = kind
        self.members = members
        self.links = links
    }

    /// Every key some link agreed on, once each, in the order first met.
    public var agreedKeys: [String] {
        var seen = Set<String>()
        return links.flatMap(\.agreedKeys).filter { seen.insert($0).inserted }
    }
}
