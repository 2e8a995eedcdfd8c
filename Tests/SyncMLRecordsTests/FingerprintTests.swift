import Testing
@testable import SyncMLRecords
@Suite("Fingerprint hash")
struct FingerprintTests {
    /// Published MurmurHash3_x64_128 vectors (seed 0x9747b28c, used by several
    /// implementations' test suites) and seed-0 values from Python's `mmh3`,
    /// the reference implementation's byte order.
    @Test("MurmurHash3_x64_128 matches published test vectors", arguments: [
        ("", UInt32(0x9747_B28C), "b3bbaa1d8a202b397a9502e38f60b093"),
        ("The quick brown fox jumps over the lazy dog", 0x9747_B28C, "213163d23b7f8a73e516c07e727345f9"),
        ("The quick brown fox jumps over the lazy cog", 0x9747_B28C, "94618270b057cdb83cf873585b456f55"),
        ("THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG", 0x9747_B28C, "6c8ad027e39089788ad2cb67789ca4cf"),
        ("The quick brown fox jumps over the lazy dog", 0, "6c1b07bc7bbc4be347939ac4a93c437a"),
    ])
    func vectors(input: String, seed: UInt32, expected: String) {
        #expect(Fingerprint.hash(Array(input.utf8), seed: seed).description == expected)
    }

    @Test("Every tail length hashes, and one changed bit changes the fingerprint")
    func tails() {
        var seen = Set<Fingerprint>()
        var bytes: [UInt8] = []
        for length in 0..<40 {
            seen.insert(Fingerprint(of: bytes))
            var flipped = bytes
            if !flipped.isEmpty {
                flipped[length / 2] ^= 1
                #expect(Fingerprint(of: flipped) != Fingerprint(of: bytes))
            }
            bytes.append(UInt8(length))
        }
        #expect(seen.count == 40)
        // A non-contiguous collection hashes like its bytes.
        #expect(Fingerprint(of: bytes.lazy.map { $0 }) == Fingerprint(of: bytes))
    }
}
