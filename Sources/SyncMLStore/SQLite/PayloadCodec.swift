private import CSupport

/// Compresses record payloads into self-checking frames and back
/// (frame layout: `CSupport/include/csupport_zlib.h`, docs/STORE.md).
///
/// Deflate starts every record from a state primed once with the dictionary
/// (copied per record, not re-hashed: `csupport_zlib.h`); one inflate stream
/// is reset per record. A record with long base64 values (a contact's `PHOTO`)
/// keeps their bytes and layout instead of their text (a lifted frame,
/// `CSupport/src/base64_lift.h`); a short record is usually a coded frame,
/// written with Huffman codes trained once on such records, whose block
/// header is implied rather than stored (`csupport_zlib.h`, method 3).
/// Owned by one actor at a time (the `SyncStore`); not thread-safe.
package final class PayloadCodec {
    /// Payloads larger than this are refused, and frames announcing more are
    /// corrupt: a flipped length byte must not make us allocate gigabytes.
    package static let maximumPayloadLength = 64 << 20

    private let codec: OpaquePointer
    private let dictionaries: [UInt8: [UInt8]]
    private let dictionaryID: UInt8

    /// A codec that compresses with the current built-in dictionary
    /// (`useDictionary: false` compresses without one, for comparisons) and
    /// decodes frames made with any built-in dictionary.
    package convenience init(useDictionary: Bool = true, level: Int = 6, fastLimit: Int = Int(CSUPPORT_ZFRAME_FAST_LIMIT_MAX),
                             longLimit: Int = Int(CSUPPORT_ZFRAME_LONG_LIMIT_MAX), liftsBase64: Bool = true, codesShortRecords: Bool = true) {
        var dictionaries: [UInt8: [UInt8]] = [:]
        for id in UInt8(1)...PayloadDictionary.current {
            if let bytes = PayloadDictionary.bytes(for: id) { dictionaries[id] = bytes }
        }
        self.init(dictionaries: dictionaries, current: useDictionary ? PayloadDictionary.current : 0, level: level, fastLimit: fastLimit,
                  longLimit: longLimit, liftsBase64: liftsBase64, codesShortRecords: codesShortRecords)
    }

    /// A codec with an explicit dictionary table (tests: dictionary mismatches).
    ///
    /// The deflate window (2^`windowBits`) and hash table (`memoryLevel`) are
    /// copied for every record, so they are sized for journal records: a 0.5-2 KB
    /// vCard after the ~3 KB dictionary fits 2^13 bytes, and memoryLevel 7
    /// measured as fast as 8 with half the table (docs/BENCHMARKS.md,
    /// "Per-record floor"). Frames written with any window decode. Records up to
    /// `fastLimit` bytes (at most 2,048) are written by the fast path (fixed codes, or the
    /// implied codes of a coded frame when shorter),
    /// longer ones up to `longLimit` (at most 32,767) as one block with codes of
    /// their own, instead of by zlib's deflate (`csupport_zlib.h`; 0 and 0: zlib only).
    /// `liftsBase64: false` writes no lifted frames, `codesShortRecords: false` no coded
    /// frames (comparisons); every codec reads both.
    init(dictionaries: [UInt8: [UInt8]], current: UInt8, level: Int = 6, windowBits: Int = 13, memoryLevel: Int = 7,
         fastLimit: Int = Int(CSUPPORT_ZFRAME_FAST_LIMIT_MAX), longLimit: Int = Int(CSUPPORT_ZFRAME_LONG_LIMIT_MAX),
         liftsBase64: Bool = true, codesShortRecords: Bool = true) {
        guard let codec = csupport_zframe_codec_create(Int32(level), Int32(windowBits), Int32(memoryLevel)) else {
            fatalError("zlib: cannot allocate a codec")
        }
        csupport_zframe_codec_set_fast_limit(codec, max(fastLimit, 0))
        csupport_zframe_codec_set_long_limit(codec, max(longLimit, 0))
        csupport_zframe_codec_set_lifting(codec, liftsBase64 ? 1 : 0)
        csupport_zframe_codec_set_coding(codec, codesShortRecords ? 1 : 0)
        let dictionary = dictionaries[current] ?? []
        let primed = dictionary.withUnsafeBufferPointer { dict in
            csupport_zframe_codec_prime(codec, dict.baseAddress, dict.count, current)
        }
        guard primed == 0 else { fatalError("zlib: cannot prime a codec (status \(primed))") }
        self.codec = codec
        self.dictionaries = dictionaries
        self.dictionaryID = dictionary.isEmpty ? 0 : current
    }

    deinit { csupport_zframe_codec_destroy(codec) }

    /// Fast-path or lifted outputs that failed their read-back check and were compressed by zlib instead (expected: 0).
    package var fastPathRejections: Int { Int(csupport_zframe_codec_fast_rejections(codec)) }

    /// The id of the dictionary `encode` primes deflate with (0: none).
    package var currentDictionaryID: UInt8 { dictionaryID }

    /// The frame of `payload`.
    package func encode(_ payload: some Collection<UInt8>) throws(StoreError) -> [UInt8] {
        let result = payload.withContiguousStorageIfAvailable { buffer in
            Result { () throws(StoreError) in try encode(UnsafeRawBufferPointer(buffer)) }
        } ?? Array(payload).withUnsafeBytes { buffer in
            Result { () throws(StoreError) in try encode(buffer) }
        }
        return try result.get()
    }

    private func encode(_ payload: UnsafeRawBufferPointer) throws(StoreError) -> [UInt8] {
        guard payload.count <= Self.maximumPayloadLength else {
            throw StoreError(.invalidArgument, "payload of \(payload.count) bytes exceeds \(Self.maximumPayloadLength)")
        }
        let bound = csupport_zframe_bound(payload.count)
        var status = 0
        let frame = [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            status = csupport_zframe_encode(codec, payload.baseAddress?.assumingMemoryBound(to: UInt8.self), payload.count,
                                            out.baseAddress, bound)
            count = max(status, 0)
        }
        guard status > 0 else { throw Self.error(Int32(status), "encoding") }
        return frame
    }

    /// The payload a frame holds. Throws `.corruptFrame` for any damage and
    /// `.unknownDictionary` for a dictionary this build lacks; never returns
    /// bytes that differ from what was encoded.
    package func decode(_ frame: [UInt8]) throws(StoreError) -> [UInt8] {
        try frame.withUnsafeBufferPointer { frame throws(StoreError) in
            var header = csupport_zframe_header()
            let status = csupport_zframe_read_header(frame.baseAddress, frame.count, &header)
            guard status == 0 else { throw Self.error(status, "reading the header of") }
            guard Int(header.length) <= Self.maximumPayloadLength else {
                throw StoreError(.corruptFrame, "frame announces \(header.length) bytes, more than any payload may have")
            }
            var dictionary: [UInt8] = []
            if header.method != UInt8(CSUPPORT_ZFRAME_METHOD_STORED), header.dictionary_id != 0 {
                guard let known = dictionaries[header.dictionary_id] else {
                    throw StoreError(.unknownDictionary, "frame was compressed with preset dictionary \(header.dictionary_id), which this build does not have")
                }
                dictionary = known
            }
            let length = Int(header.length)
            var decoded: Int32 = 0
            let payload = [UInt8](unsafeUninitializedCapacity: length) { out, count in
                decoded = dictionary.withUnsafeBufferPointer { dict in
                    csupport_zframe_decode(codec, dict.baseAddress, dict.count, header.dictionary_id,
                                           frame.baseAddress, frame.count, out.baseAddress, length)
                }
                count = decoded == 0 ? length : 0
            }
            guard decoded == 0 else { throw Self.error(decoded, "decoding") }
            return payload
        }
    }

    /// The uncompressed length a frame announces, without decoding it.
    package static func payloadLength(of frame: [UInt8]) -> Int? {
        var header = csupport_zframe_header()
        return csupport_zframe_read_header(frame, frame.count, &header) == 0 ? Int(header.length) : nil
    }

    private static func error(_ status: Int32, _ doing: String) -> StoreError {
        let reason: String
        switch status {
        case CSUPPORT_ZFRAME_TRUNCATED.rawValue: reason = "truncated"
        case CSUPPORT_ZFRAME_BAD_MAGIC.rawValue: reason = "unknown magic or format version"
        case CSUPPORT_ZFRAME_BAD_METHOD.rawValue: reason = "unknown method"
        case CSUPPORT_ZFRAME_BAD_LENGTH.rawValue: reason = "body does not match the announced length"
        case CSUPPORT_ZFRAME_DATA_ERROR.rawValue: reason = "malformed deflate stream"
        case CSUPPORT_ZFRAME_CRC_MISMATCH.rawValue: reason = "CRC-32 mismatch"
        case CSUPPORT_ZFRAME_DICTIONARY_MISMATCH.rawValue:
            return StoreError(.unknownDictionary, "frame needs another preset dictionary")
        case CSUPPORT_ZFRAME_TRAILING_BYTES.rawValue: reason = "bytes after the end of the deflate stream"
        case CSUPPORT_ZFRAME_NO_MEMORY.rawValue: return StoreError(.invalidArgument, "zlib is out of memory while \(doing) a frame")
        default: reason = "status \(status)"
        }
        return StoreError(.corruptFrame, "\(doing) a payload frame: \(reason)")
    }
}
