/// Bounds that keep a broken or hostile XML message from exhausting memory or time.
///
/// Every limit is checked before the work it bounds is done, so a document that
/// exceeds one fails with `.limitExceeded` instead of growing the buffer or stack.
package struct XMLLimits: Hashable, Sendable {
    /// Deepest element nesting accepted (SyncML with inline DevInf needs about 12).
    package var maxDepth: Int
    /// Longest element or attribute name, prefix included, in bytes.
    package var maxNameLength: Int
    /// Most attributes (namespace declarations included) on one element.
    package var maxAttributes: Int
    /// Longest single construct that must sit whole in the buffer: a tag, comment,
    /// CDATA section, processing instruction or DOCTYPE, in bytes. Plain text is
    /// streamed out in pieces and never counts against it.
    package var maxTokenSize: Int

    package init(maxDepth: Int = 64, maxNameLength: Int = 256, maxAttributes: Int = 64, maxTokenSize: Int = 64 << 20) {
        self.maxDepth = maxDepth
        self.maxNameLength = maxNameLength
        self.maxAttributes = maxAttributes
        self.maxTokenSize = maxTokenSize
    }
}
