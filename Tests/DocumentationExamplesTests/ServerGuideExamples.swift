// The code of "Host a SyncML server" (Sources/SyncMLServer/SyncMLServer.docc),
// verbatim: GuideTests fails when a block of the guide is not found here.
import Hummingbird
import SyncMLHTTP
import SyncMLServer
import SyncMLStore

func runStandalone() async throws {
    let store = try SyncStore(path: "/var/lib/syncml/store.sqlite")
    try await store.addUser(name: "anna", password: "secret", md5: true)
    let engine = SyncServer(store: store)
    let listener = try await HTTPListener.start(
        engine: engine, configuration: HTTPListener.Configuration(host: "0.0.0.0", port: 8080))
    print("devices sync against \(listener.url)")
    // … until the process is told to stop:
    await listener.shutdown()
}

func mountSyncML(_ engine: SyncServer, on router: Router<BasicRequestContext>, publicURL: String) {
    router.post("sync") { request, context -> Response in
        let body = try await request.body.collect(upTo: 16 << 20)
        let reply = await engine.handle(SyncRequest(
            body: Array(buffer: body),
            contentType: request.headers[.contentType] ?? "",
            url: publicURL + (request.uri.query.map { "?" + $0 } ?? "")))
        return Response(
            status: HTTPResponse.Status(code: reply.httpStatus),
            headers: [.contentType: reply.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
    }
}

/// What the mirror example writes to: the CRM's side.
protocol CRMRecords: Sendable {
    func lastAppliedSequence() async throws -> Int64
    func setLastAppliedSequence(_ sequence: Int64) async throws
    func upsert(id: String, vCard: [UInt8]) async throws
    func remove(id: String) async throws
}

func mirrorContacts(of user: String, from engine: SyncServer, into crm: some CRMRecords) async throws {
    let resumeAfter = try await crm.lastAppliedSequence()
    for try await change in engine.committedChanges(user: user, datastore: "contacts", after: resumeAfter) {
        switch change.operation {
        case .add, .replace:
            if let vCard = change.payload { try await crm.upsert(id: change.guid, vCard: vCard) }
        case .delete:
            try await crm.remove(id: change.guid)
        }
        try await crm.setLastAppliedSequence(change.sequence)
    }
}

func configureConflicts(store: SyncStore) -> SyncServer {
    var configuration = ServerConfiguration()
    configuration.conflictPolicies["calendar"] = .serverWins
    let engine = SyncServer(store: store, configuration: configuration)
    return engine
}
