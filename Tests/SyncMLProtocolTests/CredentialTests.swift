import Foundation
import SyncMLCodec
import SyncMLProtocol
import Testing

@Suite("Credentials: what the client sends is what the server checks")
struct CredentialTests {
    @Test("An MD5 Cred is b64(md5(b64(md5(user:password)):nonce)), typed syncml:auth-md5, base64-formatted")
    func md5() {
        let nonce = Array("nonce".utf8)
        let cred = Credential.md5(user: "test", password: "secret", nonce: nonce)
        #expect(cred.meta?.type == "syncml:auth-md5" && cred.meta?.format == "b64")
        #expect(cred.data == PasswordDigest.md5(secret: PasswordDigest.secret(user: "test", password: "secret"), nonce: nonce))
        #expect(cred.data != Credential.md5(user: "test", password: "secret", nonce: []).data)
        #expect(CredentialScheme(of: cred) == .md5)
    }

    @Test("A basic Cred reads back as its user and password; the password may hold a colon")
    func basic() throws {
        let cred = Credential.basic(user: "anna", password: "p:w")
        #expect(cred.meta?.type == "syncml:auth-basic")
        let parsed = try #require(Credential.basicUserAndPassword(cred.data))
        #expect(parsed.user == "anna" && parsed.password == "p:w")
        #expect(Credential.basicUserAndPassword("not base64!") == nil)
        #expect(Credential.basicUserAndPassword(Data("no colon".utf8).base64EncodedString()) == nil)
    }

    @Test("A Cred without a type is basic; an unknown type is no scheme")
    func schemes() {
        #expect(CredentialScheme(of: Credential(data: "x")) == .basic)
        #expect(CredentialScheme(of: Credential(meta: Meta(type: "syncml:auth-x509"), data: "x")) == nil)
    }

    @Test("A challenge names its scheme and carries the next nonce")
    func challenge() {
        let chal = CredentialScheme.md5.challenge(nextNonce: "bm9uY2U=")
        #expect(chal.meta?.type == "syncml:auth-md5" && chal.meta?.format == "b64" && chal.meta?.nextNonce == "bm9uY2U=")
        #expect(CredentialScheme.basic.challenge().meta?.nextNonce == nil)
    }
}
