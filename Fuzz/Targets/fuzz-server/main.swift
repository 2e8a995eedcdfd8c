// libFuzzer target: the server's message handler, SyncServer.handle, on a
// fresh in-memory store with user test/test (one PBKDF2 iteration: basic auth
// is checked, but cheaply) for every input.
//
// The first byte picks how the session is prepared, the rest is the body of
// the message under test:
//   0: none, the body is the first message of a session (headers, credentials);
//   1: SyncEvolution's first message of fixture 01 (WBXML, MD5 auth, slow sync
//      of contacts, calendar and tasks), then the body goes to its RespURI;
//   2: the same first message in XML (fixture 01's pretty-printed translation);
//   3: fixture 10's first message (WBXML, basic auth, refresh from server).
// The body is sent as XML when it starts with '<', as WBXML otherwise.
// Checked besides "no crash, no hang": the reply is 200 with a message that
// decodes, or 400/413 plain text; the store passes PRAGMA integrity_check.
// (Modes 1 and 2 are challenged first, as a new device is: the prelude is sent
// once more with a digest over the server's nonce.)
import Foundation
import FuzzDriver
import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLServer
import SyncMLStore

/// `../shared/fixtures/syncevolution` next to the repository, or `$SYNCML_FIXTURES`.
let fixtures: URL = {
    if let path = ProcessInfo.processInfo.environment["SYNCML_FIXTURES"] { return URL(fileURLWithPath: path) }
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<5 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("shared/fixtures/syncevolution")
}()

func fixture(_ path: String) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: fixtures.appendingPathComponent(path).path) else {
        fatalError("fuzz-server: no fixture \(path) under \(fixtures.path) (set SYNCML_FIXTURES)")
    }
    return [UInt8](data)
}

let preludes: [[UInt8]?] = [
    nil,
    fixture("01-slow-first-wbxml/002-c2s.wbxml"),
    fixture("01-slow-first-wbxml/002-c2s.pretty.xml"),
    fixture("10-refresh-from-server-basic-auth-wbxml/002-c2s.wbxml"),
]

let serverURL = "http://127.0.0.1:9600/sync"
let quiet = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })

func request(_ body: [UInt8], url: String) -> SyncRequest {
    let xml = body.first == UInt8(ascii: "<")
    return SyncRequest(body: body, contentType: xml ? "application/vnd.syncml+xml" : "application/vnd.syncml+wbxml", url: url)
}

func checkReply(_ reply: SyncReply, _ what: String) {
    switch reply.httpStatus {
    case 200:
        do {
            _ = try SyncMLMessage(decoding: reply.body)
        } catch {
            fuzzFailure("\(what): the server's own reply does not decode: \(error)")
        }
    case 400, 413:
        break
    default:
        fuzzFailure("\(what): unexpected HTTP \(reply.httpStatus): \(String(decoding: reply.body, as: UTF8.self))")
    }
}

func handle(mode: Int, body: [UInt8]) async {
    let store: SyncStore
    do {
        store = try SyncStore(path: ":memory:")
        try await store.addUser(name: "test", password: "test", md5: true, iterations: 1)
    } catch {
        fatalError("fuzz-server: cannot prepare the store: \(error)")
    }
    let server = SyncServer(store: store, logger: quiet)
    var url = serverURL
    if var prelude = preludes[mode] {
        var reply = await server.handle(request(prelude, url: url))
        // A recorded MD5 digest is over a nonce this server never issued: it is challenged (401) and the
        // prelude goes again with a digest over the challenge's nonce, as the client would send it.
        if let message = try? SyncMLMessage(decoding: reply.body), message.header.respURI == nil,
           let nonce = message.commands.lazy.compactMap({ if case .status(let s) = $0 { s.chal?.meta?.nextNonce } else { nil } }).first,
           var recorded = try? SyncMLMessage(decoding: prelude) {
            recorded.header.cred = Credential(meta: Meta(format: "b64", type: "syncml:auth-md5"),
                                              data: PasswordDigest.md5(user: "test", password: "test", nonce: Array(Data(base64Encoded: nonce) ?? Data())))
            prelude = recorded.encoded(as: prelude.first == UInt8(ascii: "<") ? .xml : .wbxml)
            reply = await server.handle(request(prelude, url: url))
        }
        guard reply.httpStatus == 200, let message = try? SyncMLMessage(decoding: reply.body),
              let respURI = message.header.respURI else {
            fatalError("fuzz-server: the prepared session did not start (HTTP \(reply.httpStatus))")
        }
        url = respURI
    }
    checkReply(await server.handle(request(body, url: url)), "message under test")
    do {
        let check = try await store.integrityCheck()
        if check != ["ok"] { fuzzFailure("integrity_check: \(check)") }
    } catch {
        fuzzFailure("integrity_check failed: \(error)")
    }
}

func testOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzInput(start, count)
    guard let selector = input.first else { return 0 }
    let body = Array(input.dropFirst())
    runBlocking { await handle(mode: Int(selector) % preludes.count, body: body) }
    return 0
}

runFuzzer(testOneInput)
