import Foundation
import Testing

extension InteropTests {
    /// Suspend and resume with SyncEvolution as the client: its first Ctrl-C
    /// suspends the running sync (libsynthesis saves its resume state and stops
    /// after the message in flight), and its next run sends Alert 225.
    @Suite("Suspend and resume")
    struct Resume {
        static let contacts = 1_500

        @Test("a slow sync suspended with Ctrl-C resumes: the rest is sent once, nothing already confirmed again, no duplicate")
        func suspendedSlowSyncResumes() async throws {
            try await InteropWorkspace.with { workspace in
                let server = try await workspace.startServer()
                let phone = try await workspace.client("phone", of: server)
                for index in 0..<Self.contacts {
                    try phone.write(Samples.contact("Person \(index) Resume", "EMAIL;TYPE=INTERNET:p\(index)@example.org", "TEL;TYPE=CELL:+49 30 \(200_000 + index)"),
                                    as: "p\(index).vcf", in: .addressbook)
                }
                // About 25 contacts per message: Ctrl-C once the first of them went out.
                let suspended = try await phone.sync(.slow, [.addressbook], maxMsgSize: 4_000, interruptWhenOutputContains: "addressbook: sent ")
                #expect(!suspended.succeeded)
                #expect(suspended.output.contains("suspended"), "\(suspended)")
                // Every message the client sent before stopping was answered: what the server holds is what it confirmed.
                let confirmed = try await server.titles(of: .alice, in: .addressbook).count
                #expect(confirmed > 0 && confirmed < Self.contacts, "\(suspended)")

                let resumed = try await requireSuccess(phone.sync(.twoWay, [.addressbook], maxMsgSize: 4_000), server)
                print("resume up: \(confirmed) of \(Self.contacts) confirmed before the suspend; the resumed session sent "
                      + "\(resumed.report?[.addressbook].count(.remote, .added) ?? -1)")
                #expect(resumed.report?[.addressbook].count(.remote, .added) == Self.contacts - confirmed, "\(resumed)")
                #expect(resumed.report?[.addressbook].count(.local, .added) == 0, "\(resumed)")
                #expect(server.log.contains("session resumed"), "\(server.log.suffix(2_000))")
                let titles = try await server.titles(of: .alice, in: .addressbook)
                #expect(titles.count == Self.contacts)
                #expect(Set(titles).count == Self.contacts)

                let again = try await requireSuccess(phone.sync(.twoWay, [.addressbook]), server)
                #expect(again.report?[.addressbook].count(.remote, .added) == 0, "\(again)")
                #expect(again.report?[.addressbook].count(.local, .added) == 0, "\(again)")
                #expect(try phone.items(in: .addressbook).count == Self.contacts)
            }
        }

        @Test("a slow sync to an empty phone suspended while the server's contacts arrive resumes: the server sends only the rest")
        func suspendedDownloadResumes() async throws {
            try await InteropWorkspace.with { workspace in
                let server = try await workspace.startServer()
                let crm = try await workspace.client("crm", of: server), phone = try await workspace.client("phone", of: server)
                for index in 0..<Self.contacts {
                    try crm.write(Samples.contact("Person \(index) Download", "EMAIL;TYPE=INTERNET:d\(index)@example.org"), as: "d\(index).vcf", in: .addressbook)
                }
                try await requireSuccess(crm.sync(.slow, [.addressbook]), server)

                let suspended = try await phone.sync(.slow, [.addressbook], maxMsgSize: 4_000, interruptWhenOutputContains: "addressbook: received ")
                #expect(!suspended.succeeded)
                #expect(suspended.output.contains("suspended"), "\(suspended)")
                let before = try phone.items(in: .addressbook).count
                #expect(before > 0 && before < Self.contacts, "\(suspended)")

                let resumed = try await requireSuccess(phone.sync(.twoWay, [.addressbook], maxMsgSize: 4_000), server)
                let added = resumed.report?[.addressbook].count(.local, .added) ?? -1
                print("resume down: the phone held \(before) of \(Self.contacts) at the suspend; the resumed session added \(added)")
                #expect(server.log.contains("session resumed"), "\(server.log.suffix(2_000))")
                // The server resends at most the items of the last message, whose statuses the suspended client never sent.
                #expect(added <= Self.contacts - before, "\(resumed)")
                #expect(added >= Self.contacts - before - 40, "\(resumed)")
                let titles = try phone.titles(in: .addressbook)
                #expect(titles.count == Self.contacts)
                #expect(Set(titles).count == Self.contacts)
                #expect(try await server.titles(of: .alice, in: .addressbook).count == Self.contacts)
            }
        }
    }
}
