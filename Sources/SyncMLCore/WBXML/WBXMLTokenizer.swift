// STUB: replaced by the real tokenizer from the wbxml-scanner branch.
package struct WBXMLTokenizer: MarkupTokenizer {
    package init() {}
    package mutating func feed(_ bytes: some Collection<UInt8>) {}
    package mutating func finish() {}
    package mutating func next() throws(SyncMLDecodingError) -> TokenizerEvent { throw SyncMLDecodingError(.unsupported, at: 0, "stub") }
    package var documentInfo: DocumentInfo? { nil }
    package var offset: Int { 0 }
}
