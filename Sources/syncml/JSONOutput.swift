import ArgumentParser
import Foundation

/// `--json`, shared by every command that reports.
struct JSONFlag: ParsableArguments {
    @Flag(help: "Print the result as JSON on standard output (see the README, \"JSON output\").")
    var json = false
}

/// JSON on standard output: from `Encodable` report types, never by string
/// concatenation. Keys are snake_case and sorted, dates ISO 8601 strings with
/// milliseconds (`2024-05-01T12:00:00.123Z`), durations seconds as numbers,
/// absent values `null`: a key is there in every document of its kind.
enum JSONOutput {
    /// Writes `value` as one JSON document on one line.
    static func write(_ value: some Encodable) throws(CommandFailure) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(StoreText.time(date))
        }
        do {
            var bytes = [UInt8](try encoder.encode(value))
            bytes.append(0x0A)
            StandardOutput.write(bytes)
        } catch {
            throw CommandFailure("cannot write JSON: \(error)")
        }
    }
}
