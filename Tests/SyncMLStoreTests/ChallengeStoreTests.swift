import Testing
@testable import SyncMLStore

/// What the servers on one store share to verify each other's challenge nonces.
@Suite("Store: challenge key and used challenges")
struct ChallengeStoreTests {
    @Test("The first secret offered is kept; later offers get it back")
    func secretIsKeptOnce() async throws {
        let store = try SyncStore(path: ":memory:")
        let kept = try await store.secret(named: "k", orNew: [1, 2, 3])
        #expect(kept == [1, 2, 3])
        #expect(try await store.secret(named: "k", orNew: [9, 9]) == [1, 2, 3])
        #expect(try await store.secret(named: "other", orNew: [7]) == [7])
    }

    @Test("A generation is used up once however many race for it; the next one then; expired windows are forgotten")
    func generationsAreUsedOnce() async throws {
        let store = try SyncStore(path: ":memory:")
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<6 {
                group.addTask { try await store.useChallenge(user: "u", devID: "d", window: 10, generation: 0, expiredBefore: 9) }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(winners == 1)
        #expect(try await store.challengeGenerations(user: "u", devID: "d", windows: [10, 9]) == [10: 1])
        #expect(try await store.useChallenge(user: "u", devID: "d", window: 10, generation: 0, expiredBefore: 9) == false)
        #expect(try await store.useChallenge(user: "u", devID: "d", window: 10, generation: 1, expiredBefore: 9))
        #expect(try await store.challengeGenerations(user: "u", devID: "d", windows: [10]) == [10: 2])
        #expect(try await store.challengeGenerations(user: "u", devID: "other", windows: [10]).isEmpty)

        #expect(try await store.useChallenge(user: "u", devID: "d", window: 12, generation: 0, expiredBefore: 11))
        #expect(try await store.challengeGenerations(user: "u", devID: "d", windows: [10, 12]) == [12: 1])
    }
}
