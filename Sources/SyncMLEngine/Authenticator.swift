import Crypto
import Foundation
import SyncMLCore
import SyncMLStore

/// Checks a SyncHdr `Cred` (OMA DS 1.2 RepPro §5.4, `syncml:auth-basic` and
/// `syncml:auth-md5`) and issues the next MD5 nonce for the device.
///
/// MD5 digest: `b64(md5(b64(md5("user:password")) + ":" + nonce))`, where nonce
/// is the base64-decoded NextNonce this server last sent the device (empty
/// before the first); the store keeps `b64(md5("user:password"))` per user and
/// the nonce per device, so it survives restarts. A nonce is replaced after
/// every use, successful or not: it is single-use.
struct Authenticator {
    let store: SyncStore

    enum Outcome: Equatable {
        case accepted(user: String)
        /// Wrong or unverifiable credentials (401).
        case rejected
        /// No Cred at all (407).
        case missing
    }

    /// The user name a session claims: MD5's `LocName`, or the name inside a basic credential.
    func verify(_ cred: Credential?, locName: String?, devID: String) async -> Outcome {
        guard let cred else { return .missing }
        let type = cred.meta?.type ?? "syncml:auth-basic"
        do {
            switch type {
            case "syncml:auth-basic":
                guard let decoded = Data(base64Encoded: cred.data.trimmingCharacters(in: .whitespacesAndNewlines)),
                      let text = String(data: decoded, encoding: .utf8),
                      let colon = text.firstIndex(of: ":") else { return .rejected }
                let user = String(text[..<colon]), password = String(text[text.index(after: colon)...])
                return try await store.verifyBasic(user: user, password: password) ? .accepted(user: user) : .rejected
            case "syncml:auth-md5":
                guard let user = locName, !user.isEmpty,
                      let secret = try await store.md5Secret(user: user) else { return .rejected }
                let nonceText = try await store.nonce(user: user, devID: devID) ?? ""
                let nonce = Data(base64Encoded: nonceText) ?? Data()
                let expected = Self.md5Digest(secret: secret, nonce: nonce)
                return Self.constantTimeEqual(expected, cred.data.trimmingCharacters(in: .whitespacesAndNewlines))
                    ? .accepted(user: user) : .rejected
            default:
                return .rejected
            }
        } catch {
            return .rejected
        }
    }

    /// The Chal to put in the header's status: a fresh MD5 nonce for the device,
    /// stored before it is sent — or, for a user without an MD5 secret, basic
    /// (a client follows the Chal's type in its next session; MD5 would fail).
    func challenge(user: String?, devID: String) async -> Challenge {
        if let user, (try? await store.existingUser(named: user)) != nil, (try? await store.md5Secret(user: user)) == nil {
            return Challenge(meta: Meta(format: "b64", type: "syncml:auth-basic"))
        }
        var bytes = [UInt8](repeating: 0, count: 12)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let nonce = Data(bytes).base64EncodedString()
        if let user { try? await store.setNonce(nonce, user: user, devID: devID) }
        return Challenge(meta: Meta(format: "b64", type: "syncml:auth-md5", nextNonce: nonce))
    }

    static func md5Digest(secret: String, nonce: Data) -> String {
        var input = Data(secret.utf8)
        input.append(UInt8(ascii: ":"))
        input.append(nonce)
        return Data(Insecure.MD5.hash(data: input)).base64EncodedString()
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
