/// SplitMix64 (Steele, Lea, Flood: "Fast splittable pseudorandom number
/// generators", OOPSLA 2014): a 64-bit state, one multiply-xorshift output
/// function. Small, fast and, unlike `SystemRandomNumberGenerator`, the same
/// sequence for the same seed on every platform and Swift version.
///
/// The sample data never goes through `Int.random(in:using:)` (whose
/// algorithm the standard library may change): it draws with ``below(_:)``
/// and ``chance(percent:)``, which are defined here.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (multiply-high; the bias for small bounds is
    /// below 2^-50 and irrelevant for sample data).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A number in `range`.
    public mutating func inRange(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// True with the given probability in percent.
    public mutating func chance(percent: Int) -> Bool { below(100) < percent }

    /// One element of a non-empty array.
    public mutating func pick<T>(_ elements: [T]) -> T { elements[below(elements.count)] }
}
