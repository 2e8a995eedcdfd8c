import Foundation
import SyncMLCodec
import SyncMLServer
import SyncMLStore
import Testing

/// A host with accounts of its own: its CRM logins, checked by its code.
private struct CRMLogins: UserDirectory {
    /// name → (password, whether the account may use MD5 auth)
    let accounts: [String: (password: String, md5: Bool)]

    func verifyPassword(_ password: String, of user: String) async throws -> Bool {
        accounts[user]?.password == password
    }

    func md5Secret(of user: String) async throws -> String? {
        guard let account = accounts[user], account.md5 else { return nil }
        return Self.md5Secret(user: user, password: account.password)
    }

    func knowsUser(_ user: String) async throws -> Bool { accounts[user] != nil }
}

@Suite("Server: authentication through the host's user directory")
struct UserDirectoryTests {
    private let logins = CRMLogins(accounts: ["anna@crm": ("pw-anna", true), "bert@crm": ("pw-bert", false)])

    @Test("A host's user syncs with MD5 and with basic auth; the records land under that user")
    func hostUsersSync() async throws {
        let server = try await TestServer(users: logins)
        let anna = FakePhone(server, devID: "anna-phone")
        (anna.user, anna.password) = ("anna@crm", "pw-anna")
        anna.add(vCard("Anna", "Meier"))
        #expect(try await anna.sync(.slow).alertStatus == 200)
        #expect(try await server.items("contacts", user: "anna@crm").count == 1)

        let bert = FakePhone(server, devID: "bert-phone")
        (bert.user, bert.password, bert.useMD5) = ("bert@crm", "pw-bert", false)
        bert.add(vCard("Bert", "Huber"))
        #expect(try await bert.sync(.slow).alertStatus == 200)
        #expect(try await server.items("contacts", user: "bert@crm").count == 1)
    }

    @Test("A wrong password, an unknown user, and a user only the store knows are refused; nothing is stored for them")
    func refusals() async throws {
        let server = try await TestServer(users: logins)
        for (user, password, md5) in [("anna@crm", "wrong", true), ("anna@crm", "wrong", false),
                                      ("nobody", "pw", true), ("test", "test", true), ("test", "test", false)] {
            let phone = FakePhone(server, devID: "phone-\(user)-\(md5)")
            (phone.user, phone.password, phone.useMD5) = (user, password, md5)
            phone.add(vCard("Mallory", "Evil"))
            await #expect(throws: (any Error).self, "\(user) with \(md5 ? "MD5" : "basic")") { try await phone.sync(.slow) }
        }
        #expect(try await server.store.rowCount("items") == 0)
        #expect(try await server.store.rowCount("sessions") == 0)
    }

    @Test("A known user without an MD5 secret is challenged for basic auth; an unknown one gets MD5 like everyone")
    func challenges() async throws {
        let server = try await TestServer(users: logins)
        for (user, expected) in [("bert@crm", "syncml:auth-basic"), ("nobody", "syncml:auth-md5")] {
            let header = SyncHeader(version: .v1_2, sessionID: "1", msgID: "1", target: Location(server.url),
                                    source: Location("probe-\(user)", name: user))
            let reply = try await server.post(SyncMLMessage(header: header, commands: []).encoded(as: .xml), wbxml: false)
            let status = try #require(reply.status(for: "SyncHdr"))
            #expect(status.code.rawValue == 407)
            #expect(status.chal?.meta?.type == expected)
        }
    }
}
