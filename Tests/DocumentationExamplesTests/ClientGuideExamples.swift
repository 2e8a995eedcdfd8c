// The code of "Sync a CRM's records" (Sources/SyncMLClient/SyncMLClient.docc),
// verbatim: GuideTests fails when a block of the guide is not found here.
import SyncMLClient
import SyncMLHTTP

actor CRMContacts: SyncDataSource {
    private var vCards: [String: [UInt8]] = [:]
    private var nextID = 1

    func allRecords() async throws -> [HostRecord] {
        vCards.map { HostRecord(id: $0.key, payload: $0.value, type: "text/vcard") }
    }

    func add(payload: [UInt8], type: String) async throws -> String {
        let id = "crm-\(nextID)"
        nextID += 1
        vCards[id] = payload
        return id
    }

    func update(id: String, payload: [UInt8], type: String) async throws {
        vCards[id] = payload
    }

    func delete(id: String) async throws {
        vCards[id] = nil
    }
}

func syncContacts(_ contacts: CRMContacts, statePath: String) async throws -> SyncReport {
    let configuration = ClientConfiguration(
        serverURL: "https://sync.example.com/sync", user: "anna", password: "secret",
        deviceID: "crm-workstation-7")
    let client = SyncClient(
        configuration: configuration,
        datastores: [ClientDatastore(name: "contacts", kind: .contacts, source: contacts)],
        transport: try HTTPClientTransport(),
        state: try ClientState(path: statePath))
    return try await client.sync()
}

func syncShowingProgress(_ client: SyncClient) async throws -> SyncReport {
    let running = client.progressStream()
    for await step in running.progress {
        print(step.phase, step.datastore ?? "", "\(step.done)/\(step.expected)")
    }
    return try await running.report
}

func report(_ report: SyncReport) {
    for datastore in report.datastores {
        print(datastore.name, datastore.performed, "conflicts:", datastore.conflicts)
    }
}

extension CRMContacts {
    /// For the tests: a record the CRM's user typed in.
    func insert(_ vCard: String) -> String {
        let id = "crm-\(nextID)"
        nextID += 1
        vCards[id] = Array(vCard.utf8)
        return id
    }

    var count: Int { vCards.count }
}
