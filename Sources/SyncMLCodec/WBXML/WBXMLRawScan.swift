private import CSupport

/// The raw C token scan of a whole WBXML document held in memory
/// (`csupport_wbxml_count_tokens`): no Swift per token, no SyncML model. It is
/// the floor that the decoder's throughput is measured against.
package enum WBXMLRawScan {
    /// Tokens reported (the header included) and bytes of string/opaque data
    /// they carry; nil unless `bytes` is one whole well-formed document.
    package static func countTokens(_ bytes: [UInt8]) -> (tokens: Int, dataBytes: Int)? {
        var counts = csupport_wbxml_counts()
        let status = bytes.withUnsafeBufferPointer { buffer in
            csupport_wbxml_count_tokens(buffer.baseAddress, buffer.count, nil, &counts)
        }
        guard status == CSUPPORT_WBXML_END else { return nil }
        return (Int(counts.tokens), Int(counts.data_bytes))
    }
}
