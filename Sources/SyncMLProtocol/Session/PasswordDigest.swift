import Crypto
import Foundation

/// SyncML's MD5 credential (OMA DS 1.2 RepPro §5.4, `syncml:auth-md5`), the one
/// definition the server's check and the client's credential both use.
package enum PasswordDigest {
    /// What the server keeps and checks against: `b64(md5("user:password"))`.
    package static func secret(user: String, password: String) -> String {
        Data(Insecure.MD5.hash(data: Array("\(user):\(password)".utf8))).base64EncodedString()
    }

    /// What the client sends for `nonce` (the decoded `NextNonce` bytes):
    /// `b64(md5(secret + ":" + nonce))`.
    package static func md5(secret: String, nonce: [UInt8]) -> String {
        Data(Insecure.MD5.hash(data: Array((secret + ":").utf8) + nonce)).base64EncodedString()
    }

    /// The credential data for `user` and `password` over `nonce`.
    package static func md5(user: String, password: String, nonce: [UInt8]) -> String {
        md5(secret: secret(user: user, password: password), nonce: nonce)
    }
}
