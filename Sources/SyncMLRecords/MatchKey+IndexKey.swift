/// How a `MatchKey` is written into the store's match-key index, and read back.
///
/// The index holds one entry per name, e-mail and phone of a record, plus the
/// name paired with each e-mail and phone: the pairs identify a person almost
/// uniquely, so a lookup by them reads one row where a common name reads
/// thousands. The encoding lives here, next to the key, so that the store keeps
/// what the records layer writes and the engine asks the key, not the text, what
/// an entry is.
extension MatchKey {
    /// One entry of a record in the match-key index: its kind and its stored form
    /// (today `kind:value`, e.g. `n:muller|jorg`, `ne:muller|jorg|jm@example.com`).
    ///
    /// Callers hold it as an opaque value. The store keeps and looks it up by
    /// `digest`, a fixed-size hash of `storedForm`: two keys sharing a digest only
    /// make an extra candidate, which the matcher compares record against record.
    public struct IndexKey: Hashable, Sendable, Comparable, CustomStringConvertible {
        /// What an entry is made of (its prefix in the stored form).
        public enum Kind: String, Sendable, CaseIterable {
            /// The primary key: a contact's name, an event's or task's summary and times.
            case name = "n"
            /// One e-mail address.
            case email = "e"
            /// One phone number (its last 7 digits).
            case phone = "p"
            /// The primary key paired with one e-mail address.
            case nameAndEmail = "ne"
            /// The primary key paired with one phone number.
            case nameAndPhone = "np"

            /// An e-mail or a phone alone: one shared address or number does not
            /// make two contacts one (the matcher wants two, or the name with one).
            public var isSinglePoint: Bool { self == .email || self == .phone }
        }

        /// What the entry is made of.
        public let kind: Kind
        /// What the store keeps and looks the entry up by: a 64-bit hash of
        /// `storedForm` (`digest(ofStoredForm:)`), fixed forever, as stores hold it.
        public let digest: Int64
        /// The stored form's parts after `kind:`: `text`, then `|point` when there is one.
        /// Kept apart, and joined only when `storedForm` is asked for: a server writes a
        /// contact's ~7 entries by their digests alone, and a joined name-and-e-mail is
        /// a heap `String` each.
        private let text: String
        private let point: String?

        /// The text the store keeps and looks the entry up by; the same bytes for the
        /// same key in every version that uses this encoding (existing stores rely on it).
        public var storedForm: String {
            var form = ""
            form.reserveCapacity(Self.storedLength(kind, text, point))
            form += kind.rawValue
            form += ":"
            form += text
            if let point {
                form += "|"
                form += point
            }
            return form
        }

        /// The seed of `digest` ("MKEY"): part of its definition, like the hash.
        static let digestSeed: UInt32 = 0x4D4B_4559

        /// The 64-bit digest of a stored form: the first half of
        /// MurmurHash3_x64_128 (as `Fingerprint`) of its UTF-8 bytes with
        /// `digestSeed`. Any text has one, so a store can convert the stored
        /// forms it kept before digests, whatever they hold.
        public static func digest(ofStoredForm text: String) -> Int64 {
            Int64(bitPattern: Fingerprint.hash(text.utf8, seed: digestSeed).high)
        }

        /// `digest(ofStoredForm:)` of the stored form of these parts, written into
        /// scratch on the stack instead of a `String`.
        private static func digest(_ kind: Kind, _ text: String, _ point: String?) -> Int64 {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: storedLength(kind, text, point)) { buffer in
                var end = 0
                func put(_ part: String) {
                    end = UnsafeMutableBufferPointer(rebasing: buffer[end...]).initialize(from: part.utf8).1 + end
                }
                put(kind.rawValue)
                buffer[end] = UInt8(ascii: ":")
                end += 1
                put(text)
                if let point {
                    buffer[end] = UInt8(ascii: "|")
                    end += 1
                    put(point)
                }
                return Int64(bitPattern: Fingerprint.hash(UnsafeBufferPointer(rebasing: buffer[..<end]), seed: digestSeed).high)
            }
        }

        private static func storedLength(_ kind: Kind, _ text: String, _ point: String?) -> Int {
            kind.rawValue.utf8.count + 1 + text.utf8.count + (point.map { $0.utf8.count + 1 } ?? 0)
        }

        /// The entry `kind:value`, or `kind:value|point` for a name paired with an
        /// e-mail or a phone; its stored form is not written until asked for.
        init(_ kind: Kind, _ value: String, point: String? = nil) {
            self.kind = kind
            self.text = value
            self.point = point
            self.digest = Self.digest(kind, value, point)
        }

        /// Reads an entry back from its stored form; nil when the text is not one
        /// (no known kind before the first `:`, or a name pair without its `|`).
        /// Whatever `indexKeys` wrote reads back, empty values included.
        public init?(storedForm: String) {
            guard let colon = storedForm.utf8.firstIndex(of: UInt8(ascii: ":")),
                  let kind = Kind(rawValue: String(storedForm[..<colon])) else { return nil }
            if kind == .nameAndEmail || kind == .nameAndPhone, !storedForm[colon...].contains("|") { return nil }
            self.kind = kind
            self.text = String(storedForm[storedForm.utf8.index(after: colon)...])
            self.point = nil
            self.digest = Self.digest(ofStoredForm: storedForm)
        }

        /// Equal when the stored forms are (the parts may split them differently:
        /// a key read back keeps its point in `text`).
        public static func == (a: Self, b: Self) -> Bool {
            guard a.kind == b.kind, a.digest == b.digest else { return false }
            if a.point == b.point, a.text == b.text { return true }
            return a.storedForm == b.storedForm
        }

        /// By the digest, which equal stored forms share.
        public func hash(into hasher: inout Hasher) { hasher.combine(digest) }

        /// The part after the kind: the name, the address, the phone key or `name|point`.
        public var value: Substring {
            storedForm[storedForm.utf8.index(storedForm.startIndex, offsetBy: kind.rawValue.utf8.count + 1)...]
        }

        public var description: String { storedForm }

        /// In the order of the stored forms (as the store lists an item's keys).
        public static func < (a: Self, b: Self) -> Bool { a.storedForm < b.storedForm }
    }

    /// Every entry a record is indexed by, in a fixed order (the store journals
    /// them in this order): the name, each e-mail, each phone, then the name
    /// paired with each e-mail and each phone (e-mails and phones sorted).
    public var indexKeys: [IndexKey] {
        let emails = emails.sorted(), phones = phones.sorted()
        var keys: [IndexKey] = []
        keys.reserveCapacity(1 + 2 * (emails.count + phones.count))
        if !primary.isEmpty { keys.append(IndexKey(.name, primary)) }
        Self.appendPoints(emails, phones, to: &keys)
        if !primary.isEmpty { appendPairs(emails, phones, to: &keys) }
        return keys
    }

    /// The entries to look a record's counterparts up by, following the matcher's
    /// rules (docs/RECORDS.md): the name with each e-mail or phone; the name alone
    /// only for a record without either; an e-mail or phone alone only for a record
    /// with two or more of them (two shared points).
    public var lookupKeys: [IndexKey] {
        let emails = emails.sorted(), phones = phones.sorted()
        var keys: [IndexKey] = []
        if !primary.isEmpty {
            appendPairs(emails, phones, to: &keys)
            if emails.isEmpty, phones.isEmpty { keys.append(IndexKey(.name, primary)) }
        }
        if emails.count + phones.count >= 2 { Self.appendPoints(emails, phones, to: &keys) }
        return keys
    }

    /// Each e-mail, then each phone, alone.
    private static func appendPoints(_ emails: [String], _ phones: [String], to keys: inout [IndexKey]) {
        for email in emails { keys.append(IndexKey(.email, email)) }
        for phone in phones { keys.append(IndexKey(.phone, phone)) }
    }

    /// The name paired with each e-mail, then with each phone.
    private func appendPairs(_ emails: [String], _ phones: [String], to keys: inout [IndexKey]) {
        for email in emails { keys.append(IndexKey(.nameAndEmail, primary, point: email)) }
        for phone in phones { keys.append(IndexKey(.nameAndPhone, primary, point: phone)) }
    }
}
