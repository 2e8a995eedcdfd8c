import Foundation
import SyncMLCodec
import SyncMLProtocol
import SyncMLServer
import Testing

/// Conflict resolution alone: the two versions and the policy in, a decision out; no store, no session.
@Suite("Server: conflict resolution")
struct ConflictResolutionTests {
    static func record(_ text: String) -> ReceivedRecord { ReceivedRecord(type: "text/vcard", payload: Array(text.utf8)) }

    static let client = record(vCard("Anna", "Meier", tel: "+41 79 000 00 01"))
    static let serverWithEmail = ServerVersion(type: "text/vcard", payload: Array(vCard("Anna", "Meier", email: "anna@example.org").utf8),
                                               changed: Date(timeIntervalSince1970: 1_700_000_000))

    static func stamped(rev: String) -> ReceivedRecord {
        record("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Meier;Anna;;;\r\nFN:Anna Meier\r\nREV:\(rev)\r\nEND:VCARD\r\n")
    }

    static func name(_ decision: ConflictDecision) -> String {
        switch decision {
        case .keepServer: "keepServer"
        case .takeClient: "takeClient"
        case .merge: "merge"
        case .duplicate: "duplicate"
        }
    }

    @Test("client-wins takes the client's version (208), server-wins keeps the server's (419), duplicate keeps both (209)",
          arguments: [(ConflictPolicy.clientWins, "takeClient", 208), (.serverWins, "keepServer", 419), (.duplicate, "duplicate", 209)])
    func fixedPolicies(policy: ConflictPolicy, expected: String, status: Int) {
        let decision = ConflictResolution.resolve(client: Self.client, server: Self.serverWithEmail, policy: policy)
        #expect(Self.name(decision) == expected)
        #expect(decision.status.rawValue == status)
    }

    @Test("merge: the fields of both in the client's format (207), the client's value winning a field both set")
    func mergeBoth() throws {
        let decision = ConflictResolution.resolve(client: Self.client, server: Self.serverWithEmail, policy: .merge)
        guard case .merge(let merged) = decision else { Issue.record("expected a merge, got \(Self.name(decision))"); return }
        let text = String(decoding: merged.payload, as: UTF8.self)
        #expect(text.contains("anna@example.org"))
        #expect(text.contains("+41 79 000 00 01"))
        #expect(merged.type == "text/vcard")
        #expect(decision.status.rawValue == 207)
    }

    @Test("merge: a server version that adds nothing, or has no payload, leaves the client's version standing (208)")
    func mergeAddsNothing() {
        let same = ServerVersion(type: "text/vcard", payload: Self.client.payload, changed: .distantPast)
        let empty = ServerVersion(type: "text/vcard", payload: nil, changed: .distantPast)
        for server in [same, empty] {
            let decision = ConflictResolution.resolve(client: Self.client, server: server, policy: .merge)
            #expect(Self.name(decision) == "takeClient")
            #expect(decision.status.rawValue == 208)
        }
    }

    @Test("newest-wins: the client's REV after the server's change takes the client's; before it, or none, keeps the server's")
    func newestWins() {
        let server = Self.serverWithEmail // changed 2023-11-14
        #expect(Self.name(ConflictResolution.resolve(client: Self.stamped(rev: "20300101T000000Z"), server: server, policy: .newestWins)) == "takeClient")
        #expect(Self.name(ConflictResolution.resolve(client: Self.stamped(rev: "20200101T000000Z"), server: server, policy: .newestWins)) == "keepServer")
        #expect(Self.name(ConflictResolution.resolve(client: Self.client, server: server, policy: .newestWins)) == "keepServer")
    }

    @Test("delete against an edit: only client-wins lets the delete through; every other policy keeps the edit",
          arguments: ConflictPolicy.allCases)
    func deleteAgainstEdit(policy: ConflictPolicy) {
        let decision = ConflictResolution.resolveDelete(policy: policy)
        #expect(Self.name(decision) == (policy == .clientWins ? "takeClient" : "keepServer"))
    }
}
