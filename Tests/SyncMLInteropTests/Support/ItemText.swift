/// Reads single properties out of vCard and iCalendar text, enough for tests to
/// name items; records are compared by what a user sees, not byte for byte,
/// because the client rewrites every item it stores (PRODID, REV, property order).
enum ItemText {
    /// Logical lines: CRLF or LF, folded lines (leading space or tab) joined.
    static func lines(_ text: String) -> [String] {
        var lines: [String] = []
        for physical in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = physical.hasSuffix("\r") ? physical.dropLast() : physical[...]
            if let first = line.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1] += line.dropFirst()
            } else if !line.isEmpty {
                lines.append(String(line))
            }
        }
        return lines
    }

    /// The value of the first `property` (any parameters, any group prefix), if non-empty.
    static func value(of property: String, in text: String) -> String? {
        values(of: property, in: text).first
    }

    /// The non-empty values of every `property` line, in order.
    static func values(of property: String, in text: String) -> [String] {
        lines(text).compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].split(separator: ";").first.map { $0.split(separator: ".").last ?? $0 } ?? ""
            guard name.uppercased() == property.uppercased() else { return nil }
            let value = line[line.index(after: colon)...]
            return value.isEmpty ? nil : String(value)
        }
    }
}
