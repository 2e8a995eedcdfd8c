import Foundation

/// `syncml serve --config FILE`: the serve settings in a file, a flat subset of
/// TOML. One `name = value` per line, names as the long options without their
/// dashes; strings in double (or single) quotes, whole numbers, decimals,
/// `true`/`false`; `#` starts a comment. No sections, arrays or tables: every
/// setting is one value. Flags on the command line override the file.
///
/// ```toml
/// # /etc/syncml/serve.toml
/// db = "/var/lib/syncml/store.sqlite"
/// port = 8080
/// keep-history = "90d"
/// metrics-address = "127.0.0.1:9090"
/// ```
struct ConfigFile {
    /// One value as written.
    enum Value: Equatable {
        case string(String)
        case integer(Int)
        case decimal(Double)
        case boolean(Bool)
    }

    /// A setting and the line it is on (for error messages).
    struct Entry: Equatable {
        var value: Value
        var line: Int
    }

    /// The file's path as given (in error messages).
    let path: String
    private(set) var entries: [String: Entry] = [:]

    /// Reads and parses `path`; every problem is one line naming the file and line.
    static func load(_ path: String) throws(CommandFailure) -> ConfigFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("cannot read config file \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure("config file \(path) is not UTF-8 text")
        }
        return try ConfigFile(path: path, text: text)
    }

    init(path: String, text: String) throws(CommandFailure) {
        self.path = path
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = raw.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") { throw failure(number, "sections are not used: every setting is a top-level `name = value`") }
            guard let equals = line.firstIndex(of: "=") else { throw failure(number, "expected `name = value`") }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" }) else {
                throw failure(number, "'\(name)' is not a setting name")
            }
            guard entries[name] == nil else { throw failure(number, "\(name) is set twice (first on line \(entries[name]!.line))") }
            let value = try Self.value(line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces), line: number, path: path)
            entries[name] = Entry(value: value, line: number)
        }
    }

    /// The names set in the file that `known` does not list.
    func unknownNames(_ known: Set<String>) -> [(name: String, line: Int)] {
        entries.filter { !known.contains($0.key) }.map { ($0.key, $0.value.line) }.sorted { $0.line < $1.line }
    }

    func failure(_ line: Int, _ message: String) -> CommandFailure {
        CommandFailure("config file \(path), line \(line): \(message)")
    }

    /// A value and what may follow it (spaces, then a comment).
    private static func value(_ text: String, line: Int, path: String) throws(CommandFailure) -> Value {
        let fail = { (message: String) in CommandFailure("config file \(path), line \(line): \(message)") }
        if let quote = text.first, quote == "\"" || quote == "'" {
            var result = "", escaped = false
            var index = text.index(after: text.startIndex)
            while index < text.endIndex {
                let character = text[index]
                if escaped {
                    switch character {
                    case "n": result.append("\n")
                    case "t": result.append("\t")
                    case "\"", "\\": result.append(character)
                    default: throw fail("unknown escape \\\(character) in a string")
                    }
                    escaped = false
                } else if character == "\\" && quote == "\"" {
                    escaped = true
                } else if character == quote {
                    let rest = text[text.index(after: index)...].trimmingCharacters(in: .whitespaces)
                    guard rest.isEmpty || rest.hasPrefix("#") else { throw fail("unexpected text after the string: \(rest)") }
                    return .string(result)
                } else {
                    result.append(character)
                }
                index = text.index(after: index)
            }
            throw fail("the string is not closed")
        }
        let bare = (text.firstIndex(of: "#").map { String(text[..<$0]) } ?? text).trimmingCharacters(in: .whitespaces)
        if bare.isEmpty { throw fail("no value") }
        if bare == "true" || bare == "false" { return .boolean(bare == "true") }
        let digits = bare.replacingOccurrences(of: "_", with: "")
        if let integer = Int(digits) { return .integer(integer) }
        if let decimal = Double(digits), decimal.isFinite { return .decimal(decimal) }
        throw fail("'\(bare)' is not a value: put text in quotes (\"\(bare)\")")
    }
}

extension ConfigFile {
    /// The setting `name` as text (a number is taken as it is written).
    func string(_ name: String) throws(CommandFailure) -> String? {
        guard let entry = entries[name] else { return nil }
        switch entry.value {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .decimal(let number): return String(number)
        case .boolean: throw failure(entry.line, "\(name) must be text, not true or false")
        }
    }

    /// The setting `name` as a whole number.
    func integer(_ name: String) throws(CommandFailure) -> Int? {
        guard let entry = entries[name] else { return nil }
        guard case .integer(let number) = entry.value else { throw failure(entry.line, "\(name) must be a whole number") }
        return number
    }
}
