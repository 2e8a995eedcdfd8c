import ArgumentParser
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `--log-format`: how `serve` and `sync` write their log on standard error.
enum LogFormat: String, CaseIterable, ExpressibleByArgument {
    /// swift-log's `StreamLogHandler` lines, for people.
    case text
    /// One JSON object per line, for log collectors (`JSONLogHandler`).
    case json

    /// Sends every logger of the process to standard error in this format from `level` up.
    func bootstrap(level: Logger.Level) {
        switch self {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        }
    }
}

/// A log line as one JSON object, keys in this order:
/// `{"time":"2024-05-01T12:00:00.123Z","level":"info","label":"syncml.server","message":"…","metadata":{…}}`.
/// `time` is UTC with milliseconds; `metadata` holds the logger's and the
/// message's metadata (strings, and arrays and objects of them), `{}` when none;
/// an error attached to the event is `metadata.error`.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    /// Where the lines go: standard error, one `write` per line under a lock so lines never interleave.
    private let output: @Sendable ([UInt8]) -> Void

    init(label: String, level: Logger.Level, output: @escaping @Sendable ([UInt8]) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let own = event.metadata { all.merge(own) { $1 } }
        if let error = event.error { all["error"] = "\(error)" }
        output(Self.line(time: Date(), level: event.level, label: label, message: event.message.description, metadata: all))
    }

    /// The bytes of one line, newline included.
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> [UInt8] {
        var text = "{\"time\":\"\(timestamp(time))\",\"level\":\"\(level.rawValue)\",\"label\":"
        appendString(label, to: &text)
        text += ",\"message\":"
        appendString(message, to: &text)
        text += ",\"metadata\":"
        appendValue(.dictionary(metadata), to: &text)
        text += "}\n"
        return Array(text.utf8)
    }

    private static func appendValue(_ value: Logger.Metadata.Value, to text: inout String) {
        switch value {
        case .string(let string): appendString(string, to: &text)
        case .stringConvertible(let convertible): appendString(convertible.description, to: &text)
        case .array(let values):
            text += "["
            for (index, element) in values.enumerated() {
                if index > 0 { text += "," }
                appendValue(element, to: &text)
            }
            text += "]"
        case .dictionary(let entries):
            text += "{"
            for (index, key) in entries.keys.sorted().enumerated() {
                if index > 0 { text += "," }
                appendString(key, to: &text)
                text += ":"
                appendValue(entries[key]!, to: &text)
            }
            text += "}"
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    private static func appendString(_ string: String, to text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    /// `2024-05-01T12:00:00.123Z`.
    static func timestamp(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let millis = Int((interval - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }

    private static let writeLock = NSLock()

    @Sendable static func standardError(_ bytes: [UInt8]) {
        writeLock.withLock { StandardOutput.write(bytes, to: 2) }
    }
}
