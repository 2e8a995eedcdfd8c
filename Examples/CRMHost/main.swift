// An example host: a CRM that serves its users' phones and Outlook plug-ins
// itself, on a route of its own Hummingbird application, checks their logins
// against its own accounts, and mirrors every contact they sync into its own
// records (here: one .vcf file per contact in a folder).
//
//     swift run syncml-example-host --port 8080 --directory crm-host
//
// then sync a device against http://127.0.0.1:8080/sync as anna / secret, and
// watch crm-host/contacts/ fill. Stop it with Ctrl-C; started again, the mirror
// resumes after the last change it applied (crm-host/last-sequence).
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SyncMLServer
import SyncMLStore

/// The CRM's accounts. A real CRM asks its user table; MD5 auth needs the
/// MD5 secret, which a CRM that keeps only password hashes cannot give (answer
/// nil: those users are asked for basic auth, over https).
struct CRMAccounts: UserDirectory {
    let passwords: [String: String]

    func verifyPassword(_ password: String, of user: String) async throws -> Bool {
        passwords[user] == password
    }

    func md5Secret(of user: String) async throws -> String? {
        passwords[user].map { Self.md5Secret(user: user, password: $0) }
    }

    func knowsUser(_ user: String) async throws -> Bool { passwords[user] != nil }
}

/// The CRM's own records: a folder of vCards named by the server's id for each
/// contact, and the journal sequence of the last change applied.
struct CRMFolder: Sendable {
    let root: URL
    var contacts: URL { root.appendingPathComponent("contacts") }
    var cursor: URL { root.appendingPathComponent("last-sequence") }

    func lastAppliedSequence() -> Int64 {
        (try? String(contentsOf: cursor, encoding: .utf8)).flatMap { Int64($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
    }

    func apply(_ change: CommittedChange) throws {
        let file = contacts.appendingPathComponent("\(change.guid).vcf")
        switch change.operation {
        case .add, .replace:
            if let vCard = change.payload { try Data(vCard).write(to: file, options: .atomic) }
        case .delete:
            try? FileManager.default.removeItem(at: file)
        }
        try Data("\(change.sequence)\n".utf8).write(to: cursor, options: .atomic)
    }
}

/// Mirrors one user's contacts into the CRM folder until the application shuts down.
struct MirrorService: Service {
    let engine: SyncServer
    let user: String
    let folder: CRMFolder
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            for try await change in engine.committedChanges(user: user, datastore: "contacts", after: folder.lastAppliedSequence()) {
                try folder.apply(change)
                logger.info("mirrored", metadata: ["operation": "\(change.operation)", "guid": "\(change.guid)",
                                                   "device": "\(change.device ?? "server")", "sequence": "\(change.sequence)"])
            }
        }
    }
}

var port = 8080
var directory = "crm-host"
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--port": port = arguments.popFirst().flatMap(Int.init) ?? port
    case "--directory": directory = arguments.popFirst() ?? directory
    default:
        FileHandle.standardError.write(Data("usage: syncml-example-host [--port N] [--directory DIR]\n".utf8))
        exit(64)
    }
}

let logger = Logger(label: "crm-host")
let folder = CRMFolder(root: URL(fileURLWithPath: directory))
try FileManager.default.createDirectory(at: folder.contacts, withIntermediateDirectories: true)
let store = try SyncStore(path: folder.root.appendingPathComponent("syncml.sqlite").path)
let engine = SyncServer(store: store, users: CRMAccounts(passwords: ["anna": "secret"]), logger: logger)

// The whole SyncML server is one route: the request's bytes in, the reply's out.
// The URL given to the engine is where devices reach this route; it becomes the
// RespURI they send the rest of their session to.
let publicURL = "http://127.0.0.1:\(port)/sync"
let router = Router()
router.post("sync") { request, _ -> Response in
    let body = try await request.body.collect(upTo: 16 << 20)
    let reply = await engine.handle(SyncRequest(
        body: Array(buffer: body),
        contentType: request.headers[.contentType] ?? "",
        url: publicURL + (request.uri.query.map { "?" + $0 } ?? "")))
    return Response(status: HTTPResponse.Status(code: reply.httpStatus), headers: [.contentType: reply.contentType],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
}

let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                      services: [MirrorService(engine: engine, user: "anna", folder: folder, logger: logger)],
                      onServerRunning: { _ in
                          // Unbuffered: whoever started the host waits for this line.
                          FileHandle.standardOutput.write(Data("SyncML on \(publicURL); anna's contacts mirrored into \(folder.contacts.path)\n".utf8))
                      },
                      logger: logger)
try await app.runService()
