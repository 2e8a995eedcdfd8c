package import SyncMLRecords
/// Rewrites a contact the way another device or program would hold the same
/// person: the duplicate scenario's "same contact, written differently".
///
/// Every variation keeps the person recognisable to a matcher that reads
/// names, e-mail addresses and phone numbers as `docs/RECORDS.md` says; none
/// changes the name (`N`) or removes the last e-mail or phone.
package enum ContactVariation: String, CaseIterable, Hashable, Sendable {
    /// Another `UID`, `REV` and `PRODID`: the copy of another device. Always applied.
    case identity
    /// The properties in another order (`VERSION` stays first).
    case propertyOrder
    /// Every `TEL` in another ``PhoneNumberStyle``.
    case phoneFormat
    /// E-mail addresses in other letter case (`Juergen.Mueller@GMX.DE`).
    case emailCase
    /// One optional property left out (`NOTE`, `PHOTO`, `URL`, `BDAY`, …).
    case missingField
    /// Default types left out (`TEL;TYPE=CELL,VOICE` → `TEL;TYPE=CELL`, `EMAIL` without `INTERNET`).
    case typeSpelling

    /// Properties a second device may not have.
    static let optional: Set<String> = ["NOTE", "PHOTO", "URL", "BDAY", "CATEGORIES", "NICKNAME", "TITLE", "ADR"]

    /// `card` rewritten with a random choice of variations (`identity` always),
    /// and the variations applied.
    package static func rewrite(_ card: VComponent, random: inout SplitMix64) -> (card: VComponent, applied: [ContactVariation]) {
        var card = card
        var applied: [ContactVariation] = [.identity]
        renewIdentity(&card, random: &random)
        if random.chance(percent: 70) {
            let style = random.pick(PhoneNumberStyle.allCases)
            for index in card.properties.indices where card.properties[index].name == "TEL" {
                card.properties[index].value = style.write(card.properties[index].value)
            }
            applied.append(.phoneFormat)
        }
        if random.chance(percent: 50) {
            let upper = random.chance(percent: 30)
            for index in card.properties.indices where card.properties[index].name == "EMAIL" {
                card.properties[index].value = recase(card.properties[index].value, allUpper: upper)
            }
            applied.append(.emailCase)
        }
        if random.chance(percent: 40) {
            let present = card.properties.indices.filter { optional.contains(card.properties[$0].name) }
            if !present.isEmpty {
                card.properties.remove(at: random.pick(present))
                applied.append(.missingField)
            }
        }
        if random.chance(percent: 30) {
            for index in card.properties.indices {
                let name = card.properties[index].name
                guard name == "TEL" || name == "EMAIL" else { continue }
                let implied = name == "TEL" ? "VOICE" : "INTERNET"
                card.properties[index].parameters = card.properties[index].parameters.compactMap { parameter in
                    guard parameter.name == "TYPE" else { return parameter }
                    let values = parameter.values.flatMap { $0.split(separator: ",").map(String.init) }.filter { $0.uppercased() != implied }
                    return values.isEmpty ? nil : VParameter(name: "TYPE", values: values)
                }
            }
            applied.append(.typeSpelling)
        }
        if random.chance(percent: 60) {
            // VERSION first: vCard 4.0 requires it, and every device writes it there.
            var rest = card.properties.filter { $0.name != "VERSION" }
            for index in stride(from: rest.count - 1, to: 0, by: -1) { rest.swapAt(index, random.below(index + 1)) }
            card.properties = card.properties.filter { $0.name == "VERSION" } + rest
            applied.append(.propertyOrder)
        }
        return (card, applied)
    }

    static func renewIdentity(_ card: inout VComponent, random: inout SplitMix64) {
        let productIDs = ContactGenerator.productIDs.filter { $0 != card.first("PRODID")?.value }
        let year = 2024 + random.below(2)
        let stamps = [
            "PRODID": random.pick(productIDs),
            "UID": random.uuid(),
            "REV": "\(year)\(twoDigits(random.inRange(1...12)))\(twoDigits(random.inRange(1...28)))T"
                + "\(twoDigits(random.below(24)))\(twoDigits(random.below(60)))00Z",
        ]
        for (name, value) in stamps.sorted(by: { $0.key < $1.key }) {
            if let index = card.properties.firstIndex(where: { $0.name == name }) {
                card.properties[index].value = value
            } else {
                card.properties.append(VProperty(name: name, value: value))
            }
        }
    }

    /// `juergen.mueller@gmx.de` → `Juergen.Mueller@GMX.DE`, or all upper case.
    static func recase(_ address: String, allUpper: Bool) -> String {
        if allUpper { return address.uppercased() }
        guard let at = address.firstIndex(of: "@") else { return address }
        let local = address[..<at].split(separator: ".", omittingEmptySubsequences: false)
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: ".")
        return local + address[at...].uppercased()
    }
}
