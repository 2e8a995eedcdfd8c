import Foundation
@testable import SyncMLStore
import Testing

@Suite("Store: typed session states")
struct SessionStateTests {
    /// What `sessions.state` holds for `session`, read as text past the store's conversion.
    static func storedState(_ store: SyncStore, _ session: SessionID) async throws -> String? {
        try await store.withDatabase { db throws(StoreError) in
            try db.first("SELECT state FROM sessions WHERE id = ?", [.integer(session.rawValue)]) { $0.text(0) }
        }
    }

    @Test("Each state is stored as the word existing stores hold and reads back as itself", arguments: StoreBackend.allCases)
    func roundTrip(_ backend: StoreBackend) async throws {
        #expect(SessionState.allCases.map(\.rawValue) == ["active", "suspended", "completed", "failed", "undone"])
        guard let f = try await Fixture(backend) else { return }
        let sync = try await f.store.beginSession(device: f.phone)
        var seen: [(SessionState?, String?)] = [(try await f.store.sessionState(sync), try await Self.storedState(f.store, sync))]
        try await f.store.suspendSession(sync, resumeState: [1])
        seen.append((try await f.store.sessionState(sync), try await Self.storedState(f.store, sync)))
        try await f.store.resumeSession(sync)
        seen.append((try await f.store.sessionState(sync), try await Self.storedState(f.store, sync)))
        _ = try await f.store.apply([change(.add, luid: "a", card("Adams"))], datastore: f.contacts, device: f.phone, session: sync)
        try await f.store.endSession(sync)
        seen.append((try await f.store.sessionState(sync), try await Self.storedState(f.store, sync)))
        let aborted = try await f.store.beginSession(device: f.laptop)
        try await f.store.endSession(aborted, succeeded: false)
        seen.append((try await f.store.sessionState(aborted), try await Self.storedState(f.store, aborted)))
        let undo = try await f.store.undo(session: sync).session
        seen.append((try await f.store.sessionState(sync), try await Self.storedState(f.store, sync)))
        seen.append((try await f.store.sessionState(undo), try await Self.storedState(f.store, undo)))
        let expected: [SessionState] = [.active, .suspended, .active, .completed, .failed, .undone, .completed]
        #expect(seen.map(\.0) == expected)
        #expect(seen.map(\.1) == expected.map(\.rawValue))
        #expect(try await f.store.sessions().map(\.state) == [.undone, .failed, .completed])
        #expect(try await f.store.sessionState(SessionID(rawValue: 99)) == nil)
    }

    @Test("A state this build does not know is a corrupt-row error, not a guess", arguments: StoreBackend.allCases)
    func unknownState(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        let session = try await f.store.beginSession(device: f.phone)
        _ = try await f.store.withDatabase { db throws(StoreError) in
            try db.run("UPDATE sessions SET state = 'paused' WHERE id = ?", [.integer(session.rawValue)])
        }
        await #expect { try await f.store.sessionState(session) } throws: { ($0 as? StoreError)?.kind == .corruptRow }
        await #expect { try await f.store.sessions() } throws: { ($0 as? StoreError)?.kind == .corruptRow }
        await #expect { try await f.store.undo(session: session) } throws: { ($0 as? StoreError)?.kind == .corruptRow }
    }
}
