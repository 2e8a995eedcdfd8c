/// SplitMix64 (Steele, Lea, Flood: "Fast splittable pseudorandom number
/// generators", OOPSLA 2014): a 64-bit state, one multiply-xorshift output
/// function. Small, fast and, unlike `SystemRandomNumberGenerator`, the same
/// sequence for the same seed on every platform and Swift version.
///
/// The sample data never goes through `Int.random(in:using:)` (whose
/// algorithm the standard library may change): it draws with ``below(_:)``
/// and ``chance(percent:)``, which are defined here.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (multiply-high; the bias for small bounds is
    /// below 2^-50 and irrelevant for sample data).
    package mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A number in `range`.
    package mutating func inRange(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// True with the given probability in percent.
    package mutating func chance(percent: Int) -> Bool { below(100) < percent }

    /// One element of a non-empty array.
    package mutating func pick<T>(_ elements: [T]) -> T { elements[below(elements.count)] }
}

extension SplitMix64 {
    /// A random (version 4) UUID, lowercase, from two draws.
    mutating func uuid() -> String {
        let high = next(), low = next()
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for nibble in 0..<32 {
            if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 { out.append(UInt8(ascii: "-")) }
            var value = Int(((nibble < 16 ? high : low) >> UInt64(60 - 4 * (nibble % 16))) & 0xF)
            if nibble == 12 { value = 4 }                  // version 4
            if nibble == 16 { value = 8 | (value & 0x3) }  // RFC 4122 variant
            out.append(hex[value])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A generator for one record's choices, independent of the main stream:
    /// drawing more or less for one record shifts no other record.
    static func derived(seed: UInt64, salt: UInt64, index: Int) -> SplitMix64 {
        var mixer = SplitMix64(seed: seed ^ salt &* 0x9E37_79B9_7F4A_7C15)
        return SplitMix64(seed: mixer.next() ^ UInt64(truncatingIfNeeded: index))
    }
}
