import Foundation
import InMemoryLogging
import Logging
import SyncMLClient
import SyncMLProtocol
import Testing

/// What a host app relies on beyond a single sync: one sync at a time per
/// client, typed errors wherever a sync's outcome arrives, error kinds that can
/// grow, a state object of its own, and a logger.
@Suite("Client API: the contract with the host")
struct ClientAPITests {
    static func client(_ harness: Harness, _ source: MemorySource, transport: any SyncTransport, state: ClientState,
                       password: String = "test", logger: Logger? = nil) -> SyncClient {
        let configuration = ClientConfiguration(serverURL: "http://server.test/sync", user: "test", password: password, deviceID: "crm")
        let datastores = [ClientDatastore(name: "contacts", kind: .contacts, source: source)]
        if let logger {
            return SyncClient(configuration: configuration, datastores: datastores, transport: transport, state: state, logger: logger)
        }
        return SyncClient(configuration: configuration, datastores: datastores, transport: transport, state: state)
    }

    /// The streamed sync's report throws `kind`: the error arrives typed, no cast.
    static func expectFailure(of running: SyncClient.ProgressingSync, _ kind: SyncClientError.Kind,
                              sourceLocation: SourceLocation = #_sourceLocation) async {
        do throws(SyncClientError) {
            let report = try await running.report
            Issue.record("the sync did not fail with \(kind): \(report)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == kind, sourceLocation: sourceLocation)
        }
    }

    @Test("A client runs on its journal's queue: its store calls, one or more per item, are plain calls, not hops between threads")
    func clientSharesItsJournalsQueue() async throws {
        let harness = try await Harness()
        let client = try harness.client("crm", MemorySource())
        #expect(await client.runsWithItsJournal())
        let report = try await client.sync()
        #expect(report.datastores.first?.refusal == nil)
        #expect(await client.runsWithItsJournal())
    }

    @Test("A second sync() while one runs is refused at once with .syncInProgress; the running sync completes undisturbed")
    func overlappingSyncRefused() async throws {
        let harness = try await Harness()
        let crm = MemorySource()
        await crm.put(vCard("Anna", "Meier"))
        await crm.put(vCard("Bernd", "Kurz"))
        let gated = GatedTransport(EngineTransport(server: harness.server))
        let client = Self.client(harness, crm, transport: gated, state: try ClientState.inMemory())

        let first = Task { try await client.sync() }
        await gated.waitUntilHeld() // the first sync's first message is on its way: it runs
        do throws(SyncClientError) {
            try await client.sync()
            Issue.record("the second sync was not refused")
        } catch {
            #expect(error.kind == .syncInProgress)
        }
        await Self.expectFailure(of: client.progressStream(), .syncInProgress)
        await gated.release()

        let report = try await first.value
        #expect(report.datastores.map(\.name) == ["contacts"])
        #expect(report.isComplete)
        #expect(report.datastores[0].remote.added == 2)
        #expect(try await harness.serverItems().count == 2)
        // Once it ended, the client syncs again.
        let again = try await client.sync()
        #expect(again.datastores.map(\.performed) == [.twoWay])
    }

    @Test("progressStream hands the sync's failure over as a typed SyncClientError, after the progress so far")
    func progressStreamTypedError() async throws {
        let harness = try await Harness()
        let crm = MemorySource()
        await crm.put(vCard("Anna", "Meier"))
        let client = Self.client(harness, crm, transport: EngineTransport(server: harness.server), state: try ClientState.inMemory(),
                                 password: "wrong")
        let running = client.progressStream()
        var phases: [SyncProgress.Phase] = []
        for await step in running.progress { phases.append(step.phase) }
        #expect(phases.contains(.connecting))
        #expect(!phases.contains(.finished))
        await Self.expectFailure(of: running, .authentication)
    }

    @Test("A cancelled progressStream sync ends with .cancelled")
    func progressStreamCancelled() async throws {
        let harness = try await Harness()
        let gated = GatedTransport(EngineTransport(server: harness.server))
        let client = Self.client(harness, MemorySource(), transport: gated, state: try ClientState.inMemory())
        let running = client.progressStream()
        await gated.waitUntilHeld()
        running.cancel()
        await gated.release()
        await Self.expectFailure(of: running, .cancelled)
    }

    @Test("SyncClientError.Kind is open: kinds are values compared by name, a host's switch has a default")
    func errorKindIsExtensible() {
        let hostKind = SyncClientError.Kind(rawValue: "hostQuota")
        #expect(hostKind != .transport)
        #expect(SyncClientError.Kind(rawValue: "transport") == .transport)
        #expect("\(SyncClientError(hostKind, "over quota"))" == "hostQuota: over quota")
        func advice(_ kind: SyncClientError.Kind) -> String {
            switch kind {
            case .transport: "try again later"
            case .authentication: "check the password"
            default: "report it"
            }
        }
        #expect(advice(.transport) == "try again later")
        #expect(advice(.syncInProgress) == "report it")
        #expect(advice(hostKind) == "report it")
    }

    @Test("A host creates its state from a path, syncs, reopens it in a new client and continues with a two-way sync")
    func stateReopened() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-client-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.sqlite").path
        let harness = try await Harness()
        let crm = MemorySource()
        await crm.put(vCard("Anna", "Meier"))

        let first = try await Self.client(harness, crm, transport: EngineTransport(server: harness.server), state: ClientState(path: path)).sync()
        #expect(first.datastores.map(\.performed) == [.slow])
        await crm.put(vCard("Bernd", "Kurz"))

        // A new process: the same file, a new state object and client.
        let second = try await Self.client(harness, crm, transport: EngineTransport(server: harness.server), state: ClientState(path: path)).sync()
        #expect(second.datastores.map(\.performed) == [.twoWay])
        #expect(second.datastores[0].remote.added == 1)
        #expect(try await harness.serverItems().count == 2)
    }

    @Test("A state that cannot be opened is a .local error naming why")
    func stateUnopenable() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-client-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let notAState = directory.appendingPathComponent("notes.txt")
        try Data(repeating: 0x41, count: 4096).write(to: notAState)
        for path in [notAState.path, directory.appendingPathComponent("missing/state.sqlite").path] {
            do throws(SyncClientError) {
                _ = try ClientState(path: path)
                Issue.record("\(path) opened as a state")
            } catch {
                #expect(error.kind == .local)
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test("The logger hears a sync's start and end and the granted mode at info, each message at debug")
    func logging() async throws {
        let harness = try await Harness()
        let crm = MemorySource()
        await crm.put(vCard("Anna", "Meier"))
        let handler = InMemoryLogHandler()
        var logger = Logger(label: "client-test") { _ in handler }
        logger.logLevel = .debug
        let client = Self.client(harness, crm, transport: EngineTransport(server: harness.server), state: try ClientState.inMemory(),
                                 logger: logger)
        try await client.sync()
        let events = handler.entries
        let started = try #require(events.first { $0.message == "sync started" })
        #expect(started.level == .info)
        #expect(started.metadata["syncml.device"] == "crm")
        let granted = try #require(events.first { $0.message == "mode granted" })
        #expect(granted.level == .info)
        #expect(granted.metadata["syncml.datastore"] == "contacts")
        #expect(granted.metadata["syncml.granted"] == "slow")
        #expect(granted.metadata["syncml.session"] != nil)
        let sent = events.filter { $0.message == "message sent" }
        #expect(sent.count >= 3 && sent.allSatisfy { $0.level == .debug })
        #expect(events.filter { $0.message == "reply received" }.count == sent.count)
        #expect(events.last?.message == "sync finished")
    }
}

/// Holds the first message it is given until the test releases it, so the
/// test knows a sync is running; every other message passes.
actor GatedTransport: SyncTransport {
    private let inner: any SyncTransport
    private var released = false
    private var held: CheckedContinuation<Void, Never>?
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var isHolding = false

    init(_ inner: any SyncTransport) { self.inner = inner }

    func send(_ body: [UInt8], contentType: String, to url: String) async throws -> TransportReply {
        if !released && !isHolding {
            isHolding = true
            for waiter in waiting { waiter.resume() }
            waiting = []
            await withCheckedContinuation { held = $0 }
        }
        return try await inner.send(body, contentType: contentType, to: url)
    }

    /// Returns once a message is being held.
    func waitUntilHeld() async {
        if isHolding { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Lets the held message through.
    func release() {
        released = true
        held?.resume()
        held = nil
    }
}
