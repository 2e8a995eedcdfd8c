/// Ways people and devices write one phone number. Every style keeps the
/// area code and the subscriber number, so the last seven digits (the
/// matcher's phone key, `MatchKey.phones`) stay the same: `+49 30 1234567`,
/// `030/1234567`, `0049301234567` and `+49-30-1234567` are one number to it.
package enum PhoneNumberStyle: CaseIterable, Sendable {
    /// The national form, as people of that country write it: the trunk
    /// prefix `0` instead of the country code (`030/1234567`, `090-1234-5678`,
    /// `01 23 45 67 89`), or the area code in parentheses for +1 (`(415) 555-0123`).
    case national
    /// The international prefix spelled out, digits only: `0049301234567`.
    case internationalDigits
    /// `+` and the digits: `+49301234567`.
    case compact
    /// Groups joined by `-`: `+49-30-1234567`.
    case dashed

    /// `number` (as the generator writes it: `+CC group group…` or `(555) 555-0123`) in this style.
    package func write(_ number: String) -> String {
        let groups = number.split { !$0.isNumber }.map(String.init)
        guard number.hasPrefix("+"), groups.count >= 2 else {
            // No country code: only the separators can change.
            switch self {
            case .national, .dashed: return groups.joined(separator: "-")
            case .internationalDigits, .compact: return groups.joined()
            }
        }
        let country = groups[0], area = groups[1], rest = groups.dropFirst(2)
        switch self {
        case .national:
            switch country {
            case "1": return "(\(area)) " + rest.joined(separator: "-")
            case "49": return "0\(area)/" + rest.joined()
            case "81", "82": return "0" + groups.dropFirst().joined(separator: "-")
            default: return "0" + groups.dropFirst().joined(separator: " ")
            }
        case .internationalDigits:
            return "00" + groups.joined()
        case .compact:
            return "+" + groups.joined()
        case .dashed:
            return "+" + groups.joined(separator: "-")
        }
    }
}
