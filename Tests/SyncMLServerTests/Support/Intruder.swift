import Foundation
import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

/// Hand-made messages for the attacks in `SecurityTests`: whatever header and
/// commands an attacker (or a careless client) may send, one message at a time.
struct RawMessage {
    var devID: String
    var sessionID = "1"
    var msgID = "1"
    var user: String? = "test"
    var cred: Credential?
    var maxMsgSize: Int?
    var maxObjSize: Int?
    var commands: [Command] = []
    var isFinal = true

    init(devID: String) {
        self.devID = devID
    }

    func encoded(target: String = "http://127.0.0.1:9600/sync") -> [UInt8] {
        let meta = maxMsgSize == nil && maxObjSize == nil ? nil : Meta(maxMsgSize: maxMsgSize, maxObjSize: maxObjSize)
        let header = SyncHeader(sessionID: sessionID, msgID: msgID, target: Location(target), source: Location(devID, name: user),
                                cred: cred, meta: meta)
        return SyncMLMessage(header: header, commands: commands, isFinal: isFinal).encoded(as: .xml)
    }

    /// An MD5 credential of `user`/`password` over `nonce` (base64, as the server sent it; nil: empty).
    static func md5(_ user: String, _ password: String, nonce: String?) -> Credential {
        let bytes = nonce.flatMap { Data(base64Encoded: $0) }.map(Array.init) ?? []
        return Credential(meta: Meta(format: "b64", type: "syncml:auth-md5"),
                          data: PasswordDigest.md5(user: user, password: password, nonce: bytes))
    }

    static func basic(_ user: String, _ password: String) -> Credential {
        Credential(meta: Meta(format: "b64", type: "syncml:auth-basic"), data: Data("\(user):\(password)".utf8).base64EncodedString())
    }

    /// A two-way (or other) Alert for the contacts.
    static func alert(_ code: AlertCode = .slow, cmdID: String = "1", next: String = "n1") -> Command {
        .alert(Alert(cmdID: cmdID, code: code, items: [Item(target: Location("contacts"), source: Location("./contacts"),
                                                            meta: Meta(anchor: Anchor(last: nil, next: next)))]))
    }

    /// A Sync of the contacts with these item commands.
    static func sync(cmdID: String = "2", _ commands: [Command]) -> Command {
        .sync(Sync(cmdID: cmdID, target: Location("contacts"), source: Location("./contacts"), commands: commands))
    }

    static func add(cmdID: String, luid: String, _ text: String) -> Command {
        .add(ItemCommand(cmdID: cmdID, meta: Meta(type: "text/vcard"), items: [Item(source: Location(luid), data: .text(text))]))
    }
}

extension TestServer {
    /// Posts a hand-made message (XML).
    func post(_ message: RawMessage, url: String? = nil, connection: UInt64? = nil) async throws -> SyncMLMessage {
        try await post(message.encoded(target: self.url), wbxml: false, url: url, connection: connection)
    }

    /// The nonce a 401 challenge gives `user` on `devID`: what a client retries with.
    func challenge(user: String = "test", devID: String) async throws -> String {
        var probe = RawMessage(devID: devID)
        probe.user = user
        probe.commands = [RawMessage.alert()]
        let reply = try await post(probe)
        guard let nonce = reply.status(for: "SyncHdr")?.chal?.meta?.nextNonce else { throw TestFailure("no challenge: \(reply.statusSummary)") }
        return nonce
    }
}

extension TestServer {
    /// An authenticated session of `devID` that alerted a slow sync of the contacts: its RespURI, for the next messages.
    func beginSlowSync(devID: String) async throws -> String {
        var first = RawMessage(devID: devID)
        first.cred = RawMessage.md5("test", "test", nonce: try await challenge(devID: devID))
        first.commands = [RawMessage.alert()]
        return try await post(first).header.respURI ?? ""
    }
}
