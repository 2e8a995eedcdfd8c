/// Why a SyncML message could not be decoded, and where.
///
/// A struct around a private enum so that new reasons can be added without
/// breaking callers (swift-nio's and Hummingbird's pattern).
public struct SyncMLDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The broad class of a decoding error.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: Hashable, Sendable {
            case truncated, malformedWBXML, malformedXML, unexpectedElement, invalidValue, limitExceeded, unsupported
        }
        fileprivate let base: Base

        /// The input ended inside the document.
        public static let truncated = Kind(base: .truncated)
        /// The bytes are not well-formed WBXML.
        public static let malformedWBXML = Kind(base: .malformedWBXML)
        /// The bytes are not well-formed XML.
        public static let malformedXML = Kind(base: .malformedXML)
        /// Well-formed, but an element stands where SyncML does not allow it.
        public static let unexpectedElement = Kind(base: .unexpectedElement)
        /// An element's content is not a valid value (a non-numeric MsgID, say).
        public static let invalidValue = Kind(base: .invalidValue)
        /// A size, depth or count limit was exceeded.
        public static let limitExceeded = Kind(base: .limitExceeded)
        /// A valid construct this codec does not handle (an unknown charset, say).
        public static let unsupported = Kind(base: .unsupported)

        /// The kind in words: `malformed WBXML`, `truncated`, ...
        public var description: String {
            switch base {
            case .truncated: "truncated"
            case .malformedWBXML: "malformed WBXML"
            case .malformedXML: "malformed XML"
            case .unexpectedElement: "unexpected element"
            case .invalidValue: "invalid value"
            case .limitExceeded: "limit exceeded"
            case .unsupported: "unsupported"
            }
        }
    }

    /// The broad class.
    public var kind: Kind
    /// Byte offset in the input (counted from its first byte) where the problem was found.
    public var offset: Int
    /// What was expected or what went wrong, for people.
    public var reason: String

    /// Only the codec (and the tests) make these; hosts read them.
    package init(_ kind: Kind, at offset: Int, _ reason: String) {
        self.kind = kind
        self.offset = offset
        self.reason = reason
    }

    /// One line: `malformed WBXML at byte 17: string table longer than the document allows`.
    public var description: String { "\(kind) at byte \(offset): \(reason)" }
}
