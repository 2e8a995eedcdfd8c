internal import Crypto
internal import Foundation

/// A salted, iterated password hash for basic auth: PBKDF2-HMAC-SHA256
/// (RFC 8018 §5.2) with a random 16-byte salt, stored with its parameters as
/// `pbkdf2-sha256$ITERATIONS$SALT$HASH` (salt and hash in base64), so the
/// iteration count can grow: a hash with fewer than `defaultIterations` is
/// re-hashed on the next successful check.
///
/// PBKDF2 is written here on top of swift-crypto's `HMAC<SHA256>` (only
/// `_CryptoExtras`, an underscored module with an extra dependency, has one);
/// it is checked against the RFC 7914 §11 vectors in the tests.
struct PasswordHash: Hashable, Sendable {
    static let scheme = "pbkdf2-sha256"
    /// Iterations for new hashes. OWASP's 2023 figure for PBKDF2-HMAC-SHA256 is
    /// 600,000; 210,000 keeps a check near 0.1 s on this machine's debug builds.
    static let defaultIterations = 210_000
    static let saltBytes = 16
    static let hashBytes = 32

    var iterations: Int
    var salt: [UInt8]
    var hash: [UInt8]

    /// Hashes `password` with a fresh random salt.
    init(password: String, iterations: Int = defaultIterations) {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<Self.saltBytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        self.init(password: password, salt: salt, iterations: iterations)
    }

    init(password: String, salt: [UInt8], iterations: Int) {
        self.iterations = iterations
        self.salt = salt
        self.hash = Self.pbkdf2SHA256(password: Array(password.utf8), salt: salt, iterations: iterations, length: Self.hashBytes)
    }

    /// Parses the stored form; nil for an unknown scheme or a malformed value.
    init?(encoded: String) {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.scheme, let iterations = Int(parts[1]), iterations >= 1,
              let salt = Data(base64Encoded: String(parts[2])), let hash = Data(base64Encoded: String(parts[3])), !hash.isEmpty
        else { return nil }
        self.iterations = iterations
        self.salt = [UInt8](salt)
        self.hash = [UInt8](hash)
    }

    var encoded: String {
        "\(Self.scheme)$\(iterations)$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())"
    }

    /// Whether `password` hashes to this hash (compared in constant time).
    func verify(_ password: String) -> Bool {
        let candidate = Self.pbkdf2SHA256(password: Array(password.utf8), salt: salt, iterations: iterations, length: hash.count)
        return Self.constantTimeEqual(candidate, hash)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// PBKDF2 (RFC 8018 §5.2) with HMAC-SHA256 as the PRF.
    static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8] {
        precondition(iterations >= 1 && length >= 1)
        // The keyed HMAC state is computed once and copied per call (the key pads are not re-derived).
        let keyed = HMAC<SHA256>(key: SymmetricKey(data: password))
        var output: [UInt8] = []
        output.reserveCapacity(length + 32)
        var block: UInt32 = 1
        var u = [UInt8](repeating: 0, count: 32)
        var t = [UInt8](repeating: 0, count: 32)
        while output.count < length {
            var mac = keyed
            mac.update(data: salt)
            mac.update(data: withUnsafeBytes(of: block.bigEndian) { Array($0) })
            mac.finalize().withUnsafeBytes { code in
                for index in 0..<32 { u[index] = code[index] }
            }
            t = u
            for _ in 1..<iterations {
                var next = keyed
                next.update(data: u)
                next.finalize().withUnsafeBytes { code in
                    for index in 0..<32 {
                        u[index] = code[index]
                        t[index] ^= code[index]
                    }
                }
            }
            output += t
            block += 1
        }
        return Array(output.prefix(length))
    }
}
