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
        /// The record's id.
        public var id: String
        /// Why it was left out, for people.
        public var reason: String
    }

    /// At most this many records are taken from one index bucket, so that a
    /// key thousands of records share (a switchboard, "Anna Müller") costs no more than a rare one.
    package static let candidateLimit = 64

    /// The groups among `candidates`, and the records left out as ambiguous.
    public static func find(_ candidates: [DuplicateCandidate]) -> Result {
        var grouping = DuplicateGrouping(candidates)
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
