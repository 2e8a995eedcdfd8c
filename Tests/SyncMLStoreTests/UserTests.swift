import Foundation
import SyncMLProtocol
import Testing
@testable import SyncMLStore

@Suite("Users and passwords")
struct UserTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test("PBKDF2-HMAC-SHA256 gives the published test vectors (RFC 7914 §11 and the RFC 6070-style SHA-256 set)")
    func pbkdf2Vectors() {
        let password = Array("password".utf8), salt = Array("salt".utf8)
        #expect(Self.hex(PasswordHash.pbkdf2SHA256(password: password, salt: salt, iterations: 1, length: 32))
            == "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b")
        #expect(Self.hex(PasswordHash.pbkdf2SHA256(password: password, salt: salt, iterations: 2, length: 32))
            == "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43")
        #expect(Self.hex(PasswordHash.pbkdf2SHA256(password: password, salt: salt, iterations: 4096, length: 32))
            == "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")
        // Output longer than one block (block index 2), and a longer password and salt.
        #expect(Self.hex(PasswordHash.pbkdf2SHA256(password: Array("passwordPASSWORDpassword".utf8),
                                                   salt: Array("saltSALTsaltSALTsaltSALTsaltSALTsalt".utf8), iterations: 4096, length: 40))
            == "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9")
        // RFC 7914 §11: P = "passwd", S = "salt", c = 1, dkLen = 64.
        #expect(Self.hex(PasswordHash.pbkdf2SHA256(password: Array("passwd".utf8), salt: salt, iterations: 1, length: 64))
            == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
    }

    @Test("Basic auth: the right password verifies, a wrong one and an unknown user do not; salts differ per user", arguments: StoreBackend.allCases)
    func verifyBasic(_ backend: StoreBackend) async throws {
        guard let store = try await TestStores.make(backend) else { return }
        try await store.addUser(name: "alice", password: "s3cret", md5: true, iterations: 1000)
        try await store.addUser(name: "bob", password: "s3cret", md5: true, iterations: 1000)
        #expect(try await store.verifyBasic(user: "alice", password: "s3cret"))
        #expect(try await !store.verifyBasic(user: "alice", password: "s3cret "))
        #expect(try await !store.verifyBasic(user: "alice", password: ""))
        #expect(try await !store.verifyBasic(user: "carol", password: "s3cret"))

        let stored = try await store.withDatabase { db throws(StoreError) in
            var hashes: [String] = []
            try db.forEach("SELECT password_hash FROM users ORDER BY name") { row in hashes.append(row.text(0)) }
            return hashes
        }
        #expect(stored.count == 2)
        let parsed = stored.compactMap(PasswordHash.init(encoded:))
        #expect(parsed.count == 2)
        #expect(parsed[0].salt.count == 16 && parsed[0].hash.count == 32)
        #expect(parsed[0].salt != parsed[1].salt)
        #expect(parsed[0].hash != parsed[1].hash)
        #expect(stored[0].hasPrefix("pbkdf2-sha256$"))

        // A second add is a conflict; setPassword replaces the password.
        await #expect { try await store.addUser(name: "alice", password: "x", md5: true, iterations: 1000) } throws: {
            ($0 as? StoreError)?.kind == .conflict
        }
        await #expect { try await store.addUser(name: "dave", password: "") } throws: { ($0 as? StoreError)?.kind == .invalidArgument }
        try await store.setPassword(user: "alice", password: "new", md5: nil, iterations: 1000)
        #expect(try await store.verifyBasic(user: "alice", password: "new"))
        #expect(try await !store.verifyBasic(user: "alice", password: "s3cret"))
    }

    @Test("A hash with fewer iterations than the default is upgraded on the next successful check", arguments: StoreBackend.allCases)
    func rehash(_ backend: StoreBackend) async throws {
        guard let store = try await TestStores.make(backend) else { return }
        try await store.addUser(name: "alice", password: "pw", md5: false, iterations: 1000)
        #expect(try await store.verifyBasic(user: "alice", password: "pw"))
        let encoded = try await store.withDatabase { db throws(StoreError) in
            try db.first("SELECT password_hash FROM users") { $0.text(0) }!
        }
        #expect(PasswordHash(encoded: encoded)?.iterations == PasswordHash.defaultIterations)
        #expect(PasswordHash.defaultIterations >= 100_000)
        #expect(try await store.verifyBasic(user: "alice", password: "pw"))
    }

    @Test("MD5 secret = b64(md5(\"user:password\")); it reproduces the digest SyncEvolution sent (fixture 01, message 2, empty nonce)", arguments: StoreBackend.allCases)
    func md5Secret(_ backend: StoreBackend) async throws {
        guard let store = try await TestStores.make(backend) else { return }
        try await store.addUser(name: "test", password: "test", md5: true, iterations: 1000)
        let secret = try #require(try await store.md5Secret(user: "test"))
        #expect(secret == "xPlhtDgO4k2YL+127za+nw==")
        #expect(secret == PasswordDigest.secret(user: "test", password: "test"))
        let digest = PasswordDigest.md5(secret: secret, nonce: [])
        #expect(digest == "x2EHlRSZiRM209YwocVlVg==")
        // The digest is the one in the recorded message (WBXML opaque data holds it as text).
        let message = try [UInt8](Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/fixtures/syncevolution/01-slow-first-wbxml/002-c2s.wbxml")))
        let needle = Array(digest.utf8)
        #expect(message.indices.contains { message[$0...].starts(with: needle) })

        #expect(try await store.md5Secret(user: "nobody") == nil)
        try await store.disableMD5(user: "test")
        #expect(try await store.md5Secret(user: "test") == nil)
        #expect(try await store.verifyBasic(user: "test", password: "test"))
        // Stays off across a password change unless switched on.
        try await store.setPassword(user: "test", password: "other", md5: nil, iterations: 1000)
        #expect(try await store.md5Secret(user: "test") == nil)
        try await store.setPassword(user: "test", password: "other", md5: true, iterations: 1000)
        #expect(try await store.md5Secret(user: "test") == PasswordDigest.secret(user: "test", password: "other"))
        try await store.addUser(name: "nomd5", password: "pw", md5: false, iterations: 1000)
        #expect(try await store.md5Secret(user: "nomd5") == nil)
        let users = try await store.users()
        #expect(users.map(\.name) == ["nomd5", "test"])
        #expect(users.map(\.md5Enabled) == [false, true])
    }

    @Test("Migration: a version-1 database is brought to the latest version with its data kept")
    func migrationFromVersion1() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("v1.sqlite")
        do {
            let database = try Database(path: path)
            try database.transaction { () throws(StoreError) in
                try database.execute(Migrations.version1)
                try database.execute("PRAGMA user_version = 1")
            }
            try database.run("INSERT INTO users(name, created) VALUES ('alice', 0)")
            try database.run("INSERT INTO datastores(user_id, name) VALUES (1, 'contacts')")
            try database.run("INSERT INTO items(id, datastore_id, guid, type, version) VALUES (1, 1, '1', 'text/vcard', 1)")
            try database.run("INSERT INTO journal(seq, datastore_id, item_id, op, payload, time) VALUES (1, 1, 1, 1, ?, 0)",
                             [.blob(PayloadCodec(useDictionary: true).encode(Array("BEGIN:VCARD\r\nFN:Old\r\nEND:VCARD\r\n".utf8)))])
            #expect(try database.userVersion() == 1)
        }
        let store = try SyncStore(path: path)
        #expect(try await store.withDatabase { db throws(StoreError) in try db.userVersion() } == Migrations.latest)
        let alice = try #require(try await store.existingUser(named: "alice"))
        let contacts = try #require(try await store.existingDatastore(named: "contacts", user: alice))
        #expect(try await store.payload(guid: "1", datastore: contacts) == Array("BEGIN:VCARD\r\nFN:Old\r\nEND:VCARD\r\n".utf8))
        let applied = try await store.apply([change(.add, "BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\n")], datastore: contacts, device: nil)
        #expect(applied[0].outcome == .added)
        #expect(try await store.users().map(\.hasPassword) == [false])
        // A user created before passwords existed can get one.
        try await store.addUser(name: "alice", password: "pw", md5: true, iterations: 1000)
        #expect(try await store.verifyBasic(user: "alice", password: "pw"))
        #expect(try await store.liveItems(datastore: contacts).count == 2)
        #expect(try await store.integrityCheck() == ["ok"])
    }
}
