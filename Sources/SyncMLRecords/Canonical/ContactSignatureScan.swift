/// A contact's canonical form and match keys straight from its bytes, for
/// when only the signature is wanted (every item a server receives, every host
/// record a client fingerprints).
///
/// Why: building the parser's model (`VComponent`, a `VProperty` with a
/// `String` per value and arrays per parameter list) was a third of the
/// signature's time and most of its allocations. The scan takes the parser's
/// logical lines (`VObjectParser.forEachContentLine`: one unfolding rule) and
/// header ranges (`VObjectParser.scanParts` and `interpret`: one header
/// grammar), and feeds each value's bytes to the writer and key rules the
/// model's path uses (`ContactCanonicalizer.write`, `ContactKeys`), so the
/// bytes, fingerprints and keys are the same (`ContactSignatureScanTests`).
///
/// It handles one plain vCard: a payload of exactly one `VCARD` with no nested
/// component, no quoted-printable value, no charset but UTF-8, an `FN`, no
/// `ADR;LABEL=` and no `data:` media. Anything else, and anything the parser
/// would reject, gives nil, and the caller parses into the model as before.
struct ContactSignatureScan: ContentLineSink {
    /// Thrown (and caught in `scan`) to leave a payload to the model's path.
    private static let unhandled = RecordError(.malformedLine, line: 0, "not a plain vCard: parse it")

    private enum Place { case before, inside, after }

    private let wantsKeys: Bool
    private let limits = VObjectParser.Limits()
    private var place = Place.before
    private var properties = 0
    private var hasFN = false
    /// Set when a property needs `ContactCanonicalizer.equivalents`.
    private var hasEquivalents = false
    private var writer: CanonicalLineWriter
    private var keys = ContactKeys()
    /// Scratch: the line's header ranges; a base64 value without its white space.
    private var parts = VObjectParser.HeaderParts()
    private var decoded: [UInt8] = []

    private init(capacity: Int, wantsKeys: Bool) {
        writer = CanonicalLineWriter(capacity: capacity)
        self.wantsKeys = wantsKeys
        // Room for a usual property's parameters at once: no regrowth from 1.
        parts.parameters.reserveCapacity(8)
        parts.values.reserveCapacity(16)
    }

    /// The canonical form of `bytes`, and its match keys when `keys`; nil
    /// when the bytes are not one plain vCard (see above).
    static func scan(_ bytes: some Collection<UInt8>, keys: Bool) -> (canonical: CanonicalRecord, matchKey: MatchKey?)? {
        let result = bytes.withContiguousStorageIfAvailable { scan(buffer: $0, keys: keys) }
        if let result { return result }
        return Array(bytes).withUnsafeBufferPointer { scan(buffer: $0, keys: keys) }
    }

    private static func scan(buffer: UnsafeBufferPointer<UInt8>, keys: Bool) -> (canonical: CanonicalRecord, matchKey: MatchKey?)? {
        var scan = ContactSignatureScan(capacity: buffer.count, wantsKeys: keys)
        do {
            try VObjectParser.forEachContentLine(buffer, limits: scan.limits, into: &scan)
        } catch {
            return nil
        }
        // Without FN the canonical form derives one from N: left to the model's path.
        guard scan.place == .after, scan.hasFN else { return nil }
        let (bytes, lineEnds) = scan.writer.finish(kind: .contact)
        return (CanonicalRecord(contactBytes: bytes, lineEnds: lineEnds), keys ? scan.keys.matchKey : nil)
    }

    mutating func add(_ line: UnsafeBufferPointer<UInt8>, line number: Int) throws(RecordError) {
        guard VObjectParser.scanParts(line, into: &parts) == nil else { throw Self.unhandled }
        let nameBytes = UnsafeBufferPointer(rebasing: line[parts.name])
        let raw = UnsafeBufferPointer(rebasing: line[parts.valueStart...])
        let isBegin = Self.isName(nameBytes, "BEGIN")
        if isBegin || Self.isName(nameBytes, "END") {
            // `BEGIN:VCARD` first, its `END:VCARD` last; any other component is the model's.
            guard let component = VObjectParser.Builder.componentName(raw), Self.isName(component, "VCARD"),
                  place == (isBegin ? .before : .inside) else { throw Self.unhandled }
            place = isBegin ? .inside : .after
            return
        }
        properties += 1
        guard place == .inside, properties <= limits.maxPropertiesPerComponent else { throw Self.unhandled }
        let field = ContactField(nameBytes: nameBytes)
        let isVolatile = field.isVolatile
        var hasPref = false, hasLabel = false
        writer.pairs.removeAll(keepingCapacity: true)
        let parts = self.parts // a copy, read while `interpret` writes the pairs
        let transport = VObjectParser.interpret(line, parts) { parameter, values in
            guard !isVolatile else { return }
            if parameter == "PREF" { hasPref = true }
            if parameter == "LABEL" { hasLabel = true }
            guard Canonical.keepsParameter(parameter) else { return }
            for range in values {
                let value = String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self)
                Canonical.collectParameter(parameter, value, into: &writer.pairs) {
                    ContactCanonicalizer.drops($0, $1, of: field)
                }
            }
        }
        guard !transport.quotedPrintable else { throw Self.unhandled }
        if transport.base64, VObjectParser.isStrippedBase64(raw) {
            take(field, value: raw, hasPref: hasPref, hasLabel: hasLabel)
        } else if transport.base64 {
            decoded.removeAll(keepingCapacity: true)
            decoded.reserveCapacity(raw.count)
            try VObjectParser.appendBase64(raw, to: &decoded, property: VObjectParser.uppercased(nameBytes), line: number)
            let value = decoded
            decoded = [] // moved out while `take` mutates self
            value.withUnsafeBufferPointer { take(field, value: $0, hasPref: hasPref, hasLabel: hasLabel) }
            decoded = value
        } else {
            if let charset = transport.charset, LegacyCharset(name: charset) != .utf8 { throw Self.unhandled }
            guard UTF8Check.isValid(raw) else { throw Self.unhandled }
            take(field, value: raw, hasPref: hasPref, hasLabel: hasLabel)
        }
        if hasEquivalents { throw Self.unhandled }
    }

    /// A property's decoded value into the keys and the canonical lines.
    private mutating func take(_ field: ContactField, value: UnsafeBufferPointer<UInt8>, hasPref: Bool, hasLabel: Bool) {
        if wantsKeys, field.keySource != .none { keys.add(field.keySource, value: value) }
        guard !field.isVolatile else { return }
        if field.isAddress ? hasLabel : field.isMedia && ContactCanonicalizer.startsWithData(value) {
            hasEquivalents = true
            return
        }
        if hasPref { ContactCanonicalizer.addPreferred(to: &writer) }
        if ContactCanonicalizer.write(field, value: value, into: &writer), field.keySource == .fn { hasFN = true }
    }

    /// Whether ASCII name `bytes` is `upper` in any case.
    private static func isName(_ bytes: UnsafeBufferPointer<UInt8>, _ upper: StaticString) -> Bool {
        guard bytes.count == upper.utf8CodeUnitCount else { return false }
        let expected = upper.utf8Start
        for index in 0..<bytes.count {
            var byte = bytes[index]
            if byte >= 0x61, byte <= 0x7A { byte -= 0x20 }
            if byte != expected[index] { return false }
        }
        return true
    }
}
