/// Fails the test with the client's output and the server's log unless the sync succeeded.
@discardableResult
func requireSuccess(_ run: SyncRun, _ server: SyncMLServerProcess) throws -> SyncRun {
    guard run.succeeded else {
        throw Subprocess.Failure(description: "\(run)\n--- server log ---\n\(server.log)")
    }
    return run
}

/// A server with one user (`Account.alice`) and two clients holding the same data:
/// the first uploaded `Samples.book` with a slow sync, the second, empty, received it
/// with a slow sync.
struct SyncedPair {
    let server: SyncMLServerProcess
    let first: SyncEvolutionClient
    let second: SyncEvolutionClient
}

extension InteropWorkspace {
    func syncedPair(_ datastores: [Datastore] = Datastore.allCases, transport: Transport = .http) async throws -> SyncedPair {
        let server = try await startServer(transport: transport)
        let first = try await client("first", of: server)
        let second = try await client("second", of: server)
        try Samples.fill(first)
        try await requireSuccess(first.sync(.slow, datastores), server)
        try await requireSuccess(second.sync(.slow, datastores), server)
        return SyncedPair(server: server, first: first, second: second)
    }
}

/// The seed's triangle: our client as the CRM, our server, SyncEvolution as the
/// phone (or Outlook). The CRM holds `Samples.book` and uploaded it; the phone,
/// empty, received it. The CRM has not synced since.
struct SyncedTriangle {
    let server: SyncMLServerProcess
    let crm: CRMClient
    let phone: SyncEvolutionClient
}

extension InteropWorkspace {
    func triangle(over transport: Transport = .http) async throws -> SyncedTriangle {
        let server = try await startServer(transport: transport)
        let office = try crm(of: server)
        let phone = try await client("phone", of: server)
        try Samples.fill(office)
        try await requireSuccess(office.sync(), server)
        try await requireSuccess(phone.sync(.twoWay), server)
        return SyncedTriangle(server: server, crm: office, phone: phone)
    }
}
