import Foundation
import SyncMLPostgres
@testable import SyncMLStore
import TestSupport

/// The backends the shared store suite runs against: the same tests, with
/// `arguments: StoreBackend.allCases`, prove each backend's SQL.
///
/// Shared (run on both): StoreTests (but for the SQLite file's migrations and
/// error codes), RetentionTests (but for
/// statement timing, which only SQLite reports), SessionStateTests, UserTests
/// (but for the PBKDF2 vectors and the SQLite migration), UserRemovalTests,
/// DedupeStoreTests, MatchKeyStorageTests (but for migration 5),
/// PostgresConnectionTests (PostgreSQL's own errors and transactions).
/// SQLite only for now: ApplyLookupTests and ResolveTests, whose statement counts
/// are SQLite's (PostgreSQL's map insert is two statements) and one of which opens
/// a second connection on the file. SQLite only: what is about the file — CrashTests, migrations of old SQLite
/// stores, TransactionTests (a deferred foreign key failing at COMMIT), the
/// size per contact, query plans — and the frames (FrameTests, LegacyFrameTests),
/// which no backend touches.
enum StoreBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue }
}

enum TestStores {
    /// A new, empty store on `backend`: an in-memory SQLite store, or a schema of
    /// its own in this process's PostgreSQL cluster; nil when PostgreSQL is not
    /// installed (after the loud skip; under `SYNCML_REQUIRE_PEERS=1` that throws).
    static func make(_ backend: StoreBackend, useDictionary: Bool = true,
                     clock: @escaping @Sendable () -> Date = { Date() }) async throws -> SyncStore? {
        switch backend {
        case .sqlite:
            return try SyncStore(path: ":memory:", useDictionary: useDictionary, clock: clock)
        case .postgres:
            guard let url = try await freshSchemaURL() else { return nil }
            return try PostgresStore.open(url: url, useDictionary: useDictionary, clock: clock)
        }
    }

    /// The shared cluster's URL with a schema no other test uses; nil without PostgreSQL.
    static func freshSchemaURL() async throws -> String? {
        guard let cluster = try await PostgresCluster.shared() else { return nil }
        return cluster.url + "?schema=t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
}

extension Fixture {
    /// The fixture on `backend`; nil when that backend is not available here.
    init?(_ backend: StoreBackend, clock: @escaping @Sendable () -> Date = { Date() }) async throws {
        guard let store = try await TestStores.make(backend, clock: clock) else { return nil }
        try await self.init(store: store)
    }
}
