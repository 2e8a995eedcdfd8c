/// The namespaces (WBXML code pages) of the SyncML vocabulary.
///
/// In WBXML, SyncML is page 0 and MetInf page 1 of a SyncML document; DevInf is
/// page 0 of its own document (public id `-//SYNCML//DTD DevInf 1.x//EN`).
package enum Namespace: UInt8, Sendable, CaseIterable {
    case syncML = 0
    case metInf = 1
    case devInf = 2
}

/// A known element: a namespace and the WBXML token (without flag bits) that
/// names it there. The same token means the same element in every SyncML version.
package struct Tag: Hashable, Sendable {
    package var namespace: Namespace
    package var code: UInt8

    package init(_ namespace: Namespace, _ code: UInt8) {
        self.namespace = namespace
        self.code = code
    }
}

/// The name of an element as a tokenizer saw it.
package enum ElementName: Hashable, Sendable {
    /// An element of the SyncML, MetInf or DevInf vocabulary.
    case known(Tag)
    /// Anything else: an XML element in another namespace or with a name the
    /// tables lack, a WBXML token missing from the tables (`name` is
    /// `"page-P-token-0xTT"`), or a WBXML LITERAL tag. Kept, not fatal.
    case unknown(namespace: String, name: String)
}

/// One token of a SyncML document, the same shape for WBXML and XML.
///
/// Every `.start` is matched by exactly one `.end`, also for empty elements
/// (`<Final/>` in XML, a tag without the content bit in WBXML). Text may arrive
/// in several pieces (`.text` runs and `.character`s); a consumer joins them.
/// Slices share the tokenizer's buffer: no bytes are copied.
package enum MarkupToken: Equatable, Sendable {
    case start(ElementName)
    case end
    /// Character data as raw UTF-8 bytes: WBXML STR_I/STR_T, XML text or CDATA.
    case text(ArraySlice<UInt8>)
    /// A single character from a WBXML ENTITY or an XML character/entity reference.
    case character(Unicode.Scalar)
    /// WBXML OPAQUE data (XML produces it only for CDATA, when asked: `XMLTokenizer.cdataAsOpaque`).
    case opaque(ArraySlice<UInt8>)
}

/// What a tokenizer answers when asked for the next token.
package enum TokenizerEvent: Equatable, Sendable {
    case token(MarkupToken)
    /// The input so far ends inside a token; `feed` more (or `finish`).
    case needsInput
    /// The root element has ended.
    case endOfDocument
}

/// Facts from a document's prolog.
package struct DocumentInfo: Equatable, Sendable {
    package enum Encoding: Equatable, Sendable { case wbxml, xml }
    package var encoding: Encoding
    /// The WBXML version byte (0x02 for WBXML 1.2); nil for XML.
    package var wbxmlVersion: UInt8?
    /// The WBXML public identifier, as a number or resolved from the string table
    /// (`-//SYNCML//DTD SyncML 1.2//EN`); nil for XML.
    package var publicID: PublicID?
    /// IANA MIBenum of the WBXML charset (106 = UTF-8); nil for XML.
    package var charset: UInt32?

    package init(encoding: Encoding, wbxmlVersion: UInt8? = nil, publicID: PublicID? = nil, charset: UInt32? = nil) {
        self.encoding = encoding
        self.wbxmlVersion = wbxmlVersion
        self.publicID = publicID
        self.charset = charset
    }
}

/// A WBXML public identifier, given as a registered number or as a string.
package enum PublicID: Equatable, Sendable {
    case number(UInt32)
    case string(String)
}

/// A source of markup tokens, fed bytes in chunks of any size.
///
/// Pull model: call `next()` until it answers `.needsInput` (then `feed` or
/// `finish`) or `.endOfDocument`. After `finish()`, `.needsInput` is never
/// answered: a document cut short throws `SyncMLDecodingError` (truncated).
package protocol MarkupTokenizer {
    /// Appends input. Bytes already consumed may be dropped from the buffer.
    mutating func feed(_ bytes: some Collection<UInt8>)
    /// Declares that no more input will come.
    mutating func finish()
    /// The next token, or why there is none yet.
    mutating func next() throws(SyncMLDecodingError) -> TokenizerEvent
    /// Known once the prolog (WBXML header, XML root element) has been read.
    var documentInfo: DocumentInfo? { get }
    /// Absolute offset of the next unread byte.
    var offset: Int { get }
}
