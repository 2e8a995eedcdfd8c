import Foundation
package import SyncMLCodec

/// The credential schemes of a SyncHdr `Cred` (OMA DS 1.2 RepPro §5.4), as
/// the client sends them and the server checks and asks for them.
package enum CredentialScheme: String, Sendable, Hashable {
    /// `b64("user:password")`: the password crosses the wire readable.
    case basic = "syncml:auth-basic"
    /// `b64(md5(b64(md5("user:password")) + ":" + nonce))` (`PasswordDigest`).
    case md5 = "syncml:auth-md5"

    /// The scheme of `cred`; a Cred without a type is basic. Nil for a type this engine does not know.
    package init?(of cred: Credential) {
        self.init(rawValue: cred.meta?.type ?? CredentialScheme.basic.rawValue)
    }

    /// A Chal asking for this scheme; an MD5 one carries the nonce to digest over next (base64).
    package func challenge(nextNonce: String? = nil) -> Challenge {
        Challenge(meta: Meta(format: "b64", type: rawValue, nextNonce: nextNonce))
    }
}

extension Credential {
    /// A `syncml:auth-basic` credential.
    package static func basic(user: String, password: String) -> Credential {
        Credential(meta: Meta(format: "b64", type: CredentialScheme.basic.rawValue),
                   data: Data("\(user):\(password)".utf8).base64EncodedString())
    }

    /// A `syncml:auth-md5` credential over `nonce` (the decoded NextNonce; empty when there is none).
    package static func md5(user: String, password: String, nonce: [UInt8]) -> Credential {
        Credential(meta: Meta(format: "b64", type: CredentialScheme.md5.rawValue),
                   data: PasswordDigest.md5(user: user, password: password, nonce: nonce))
    }

    /// The user and password of a basic credential's data, if it is one.
    package static func basicUserAndPassword(_ data: String) -> (user: String, password: String)? {
        guard let decoded = Data(base64Encoded: data), let text = String(data: decoded, encoding: .utf8),
              let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
