import Foundation
@testable import SyncMLStore
import Testing

@Suite("Store: retention, size, probe and statement timing")
struct RetentionTests {
    @Test("compacting the whole store under a policy drops old acknowledged versions in every datastore, never one a device still needs", arguments: StoreBackend.allCases)
    func wholeStore(_ backend: StoreBackend) async throws {
        let clock = TestClock()
        guard let f = try await Fixture(backend, clock: { clock.now }) else { return }
        let calendar = try await f.store.datastore(named: "calendar", user: f.user)
        let contact = try await f.store.apply([change(.add, luid: "c", card("C0"))], datastore: f.contacts, device: f.phone)[0].guid!
        let event = try await f.store.apply([change(.add, luid: "e", card("E0"))], datastore: calendar, device: f.phone)[0].guid!
        for version in 1...4 {
            clock.advance(days: 10)
            _ = try await f.store.apply([change(.replace, luid: "c", card("C\(version)"))], datastore: f.contacts, device: f.phone)
            _ = try await f.store.apply([change(.replace, luid: "e", card("E\(version)"))], datastore: calendar, device: f.phone)
        }
        let contactHistory = try await f.store.history(guid: contact, datastore: f.contacts).map(\.sequence)
        let eventHistory = try await f.store.history(guid: event, datastore: calendar).map(\.sequence)
        // The phone has everything; the laptop syncs contacts and acknowledged only up to version 1.
        try await f.store.acknowledge(f.phone, datastore: f.contacts, through: contactHistory[4])
        try await f.store.acknowledge(f.phone, datastore: calendar, through: eventHistory[4])
        try await f.store.acknowledge(f.laptop, datastore: f.contacts, through: contactHistory[1])
        clock.advance(days: 5)

        // 24 days of history: versions 0-2 of each are older (45, 35, 25 days); 3 and 4 are younger.
        let report = try await f.store.compact(keeping: RetentionPolicy(keepHistory: .seconds(24 * 86_400)))
        #expect(report.datastores == 2)
        // Calendar: 0, 1, 2 go. Contacts: only 0 goes, since version 1 is the laptop's base and later ones it has not acknowledged.
        #expect(report.removedVersions == 4)
        #expect(report.removedBytes > 0)
        #expect(try await f.store.history(guid: contact, datastore: f.contacts).map(\.sequence) == Array(contactHistory[1...]))
        #expect(try await f.store.history(guid: event, datastore: calendar).map(\.sequence) == Array(eventHistory[3...]))
        let laptop = try await f.store.changes(for: f.laptop, datastore: f.contacts)
        #expect(laptop.changes.first?.payload == Array(card("C4").utf8), "the laptop still gets the newest version")

        // Again: nothing more to drop; then with every version kept by count, nothing either.
        #expect(try await f.store.compact(keeping: RetentionPolicy(keepHistory: .seconds(24 * 86_400))).removedVersions == 0)
        #expect(try await f.store.compact(keeping: RetentionPolicy(keepHistory: .zero, keepVersions: 10)).removedVersions == 0)
        #expect(try await f.store.integrityCheck() == ["ok"])
    }

    @Test("a negative history or keeping no version is refused", arguments: StoreBackend.allCases)
    func badPolicies(_ backend: StoreBackend) async throws {
        guard let f = try await Fixture(backend) else { return }
        await #expect(throws: StoreError.self) { try await f.store.compact(keeping: RetentionPolicy(keepHistory: .seconds(-1))) }
        await #expect(throws: StoreError.self) { try await f.store.compact(keeping: RetentionPolicy(keepHistory: .zero, keepVersions: 0)) }
    }

    @Test("the approximate size counts the store's pages and grows with it; the probe answers", arguments: StoreBackend.allCases)
    func sizeAndProbe(_ backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let on: Fixture? = backend == .sqlite ? try await Fixture(path: directory.path("size.sqlite")) : try await Fixture(backend)
        guard let f = on else { return }
        let before = try await f.store.approximateSize()
        #expect(before > 0)
        let cards = AddressBook.contacts(200)
        _ = try await f.store.apply(cards.enumerated().map { change(.add, luid: "\($0.offset)", String(decoding: $0.element, as: UTF8.self)) },
                                    datastore: f.contacts, device: f.phone)
        #expect(try await f.store.approximateSize() > before)
        try await f.store.probe()
    }

    @Test("statement time goes to the timer of the task that ran the statements, and to no other")
    func statementTimer() async throws {
        let f = try await Fixture()
        await f.store.measureStatementTime()
        let mine = StatementTimer(), idle = StatementTimer()
        let cards = AddressBook.contacts(100)
        try await SyncStore.$statementTimer.withValue(mine) {
            _ = try await f.store.apply(cards.enumerated().map { change(.add, luid: "\($0.offset)", String(decoding: $0.element, as: UTF8.self)) },
                                        datastore: f.contacts, device: f.phone)
        }
        _ = try await SyncStore.$statementTimer.withValue(idle) { () async throws -> Void in
            try await Task.detached { _ = try await f.store.liveItems(datastore: f.contacts) }.value
        }
        #expect(mine.total > .zero)
        #expect(idle.total == .zero, "a detached task does not carry the timer")
    }
}
