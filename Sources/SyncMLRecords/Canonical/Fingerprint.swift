private import CSupport

/// A 128-bit fingerprint of a record's normalized form.
///
/// MurmurHash3_x64_128 (computed in CSupport) over the canonical bytes, with
/// a fixed seed that is part of the fingerprint's definition: changing the seed
/// or the canonical form changes every stored fingerprint, so both are
/// versioned together (`Fingerprint.version`). See docs/RECORDS.md.
public struct Fingerprint: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Bumped whenever the hash, its seed or a canonical form changes.
    public static let version = 2
    /// The seed: the first four bytes of "SyncML" would do as well as any; this
    /// one is fixed forever for version 1.
    static let seed: UInt32 = 0x5359_4E43 // "SYNC"

    /// The high and low halves (h1, h2 of the hash, as little-endian words).
    public var high: UInt64
    /// The low half (h2).
    public var low: UInt64

    /// The fingerprint with these halves (as a store keeps them).
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The fingerprint of `bytes`.
    public init(of bytes: some Collection<UInt8>) {
        self = Self.hash(bytes, seed: Self.seed)
    }

    /// MurmurHash3_x64_128 of `bytes` with `seed`, for test vectors and benchmarks.
    package static func hash(_ bytes: some Collection<UInt8>, seed: UInt32) -> Fingerprint {
        var out: (UInt64, UInt64) = (0, 0)
        let hashed: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            withUnsafeMutableBytes(of: &out) { target in
                csupport_murmur3_x64_128(buffer.baseAddress, buffer.count, seed,
                                         target.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        if hashed == nil {
            let copy = Array(bytes)
            copy.withUnsafeBufferPointer { buffer in
                withUnsafeMutableBytes(of: &out) { target in
                    csupport_murmur3_x64_128(buffer.baseAddress, buffer.count, seed,
                                             target.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
            }
        }
        return Fingerprint(high: UInt64(littleEndian: out.0), low: UInt64(littleEndian: out.1))
    }

    /// The 16 bytes in the reference implementation's order (h1, h2 little-endian).
    /// Written in place: the store binds one per item it writes or looks up.
    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 16) { out, count in
            for index in 0..<8 {
                out[index] = UInt8(truncatingIfNeeded: high >> (8 * index))
                out[8 + index] = UInt8(truncatingIfNeeded: low >> (8 * index))
            }
            count = 16
        }
    }

    /// 32 lowercase hex digits of `bytes`.
    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Ordered by the high half, then the low: the rank the matcher and the finder sort by.
    public static func < (a: Self, b: Self) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

extension Fingerprint: Codable {
    /// Reads the 32 hex digits `description` writes; nil for anything else.
    public init?(hex: some StringProtocol) {
        let digits = Array(hex.utf8)
        guard digits.count == 32 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for index in stride(from: 0, to: 32, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        let high = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << (8 * $1) }
        let low = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[8 + $1]) << (8 * $1) }
        self.init(high: high, low: low)
    }

    /// Encoded as its 32 hex digits (stable across versions of this type).
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Fingerprint(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a fingerprint: \(text)"))
        }
        self = value
    }

    /// Encodes the 32 hex digits of `description`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
