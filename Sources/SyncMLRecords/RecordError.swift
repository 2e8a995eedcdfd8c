import SyncMLCodec

/// Why a vCard / iCalendar record could not be parsed, and on which line.
///
/// A struct around a private enum so that new reasons can be added without
/// breaking callers (the same pattern as `SyncMLDecodingError` in SyncMLCodec).
public struct RecordError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The broad class of a record error.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: Hashable, Sendable {
            case missingEnd, unexpectedEnd, malformedLine, badQuotedPrintable, badBase64
            case invalidUTF8, unsupportedCharset, limitExceeded, unsupportedConversion
        }
        fileprivate let base: Base

        /// The input ended while a `BEGIN:` was still open.
        public static let missingEnd = Kind(base: .missingEnd)
        /// An `END:` without a matching `BEGIN:` (none open, or another name open).
        public static let unexpectedEnd = Kind(base: .unexpectedEnd)
        /// A line that is not `[group.]NAME[;params]:value`, or a property outside any component.
        public static let malformedLine = Kind(base: .malformedLine)
        /// A quoted-printable `=` not followed by two hex digits.
        public static let badQuotedPrintable = Kind(base: .badQuotedPrintable)
        /// A `ENCODING=b`/`BASE64` value with characters outside the base64 alphabet.
        public static let badBase64 = Kind(base: .badBase64)
        /// A value (or parameter value) that is not valid UTF-8 in a UTF-8 context.
        public static let invalidUTF8 = Kind(base: .invalidUTF8)
        /// A `CHARSET` this parser does not convert.
        public static let unsupportedCharset = Kind(base: .unsupportedCharset)
        /// A line, nesting or count limit of the parser's limits was exceeded.
        public static let limitExceeded = Kind(base: .limitExceeded)
        /// ``RecordConverter`` was asked for a format of another family (a vCard as a calendar).
        public static let unsupportedConversion = Kind(base: .unsupportedConversion)

        /// The kind in words: `missing END`, `bad base64`, ...
        public var description: String {
            switch base {
            case .missingEnd: "missing END"
            case .unexpectedEnd: "unexpected END"
            case .malformedLine: "malformed line"
            case .badQuotedPrintable: "bad quoted-printable"
            case .badBase64: "bad base64"
            case .invalidUTF8: "invalid UTF-8"
            case .unsupportedCharset: "unsupported charset"
            case .limitExceeded: "limit exceeded"
            case .unsupportedConversion: "unsupported conversion"
            }
        }
    }

    /// The broad class.
    public var kind: Kind
    /// The 1-based physical line where the offending logical line (property) starts.
    public var line: Int
    /// What went wrong, for people.
    public var reason: String

    package init(_ kind: Kind, line: Int, _ reason: String) {
        self.kind = kind
        self.line = line
        self.reason = reason
    }

    /// One line: `line 7: broken quoted-printable escape "=G1"`.
    public var description: String { "line \(line): \(reason)" }
}
