/// One record as the duplicate finder compares it: its id, kind, fingerprint,
/// match keys and birthday, without its text. A book of 100,000 of these is a
/// few tens of megabytes; the records themselves are read again only for the
/// members of a group (`DuplicateProposal`).
public struct DuplicateCandidate: Hashable, Sendable {
    /// The caller's id: a file name, a GUID, a host id.
    public var id: String
    /// Contact, event, task or other.
    public var kind: RecordKind
    /// The fingerprint of its canonical form: equal ones are one record.
    public var fingerprint: Fingerprint
    /// The keys it is matched by (name, e-mails, phones; summary and time).
    public var matchKey: MatchKey
    /// The canonical `BDAY` of a contact (`19700102`): two people with
    /// different birthdays are never one, whatever else they share.
    public var birthday: String?

    /// A candidate from values already computed (a store keeps them).
    public init(id: String, kind: RecordKind, fingerprint: Fingerprint, matchKey: MatchKey, birthday: String? = nil) {
        self.id = id
        self.kind = kind
        self.fingerprint = fingerprint
        self.matchKey = matchKey
        self.birthday = birthday
    }

    /// The candidate for a parsed record.
    public init(id: String, record: VComponent) {
        let signature = RecordSignature(record)
        self.init(id: id, kind: signature.kind, fingerprint: signature.fingerprint, matchKey: signature.matchKey,
                  birthday: Self.birthday(of: record, kind: signature.kind))
    }

    /// The canonical birthday of a contact, if it has one.
    static func birthday(of record: VComponent, kind: RecordKind) -> String? {
        guard kind == .contact, let property = record.first("BDAY") else { return nil }
        return ContactCanonicalizer.canonical(property)?.value
    }
}
