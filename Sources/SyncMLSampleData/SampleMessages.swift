package import SyncMLCodec
package import SyncMLRecords
/// Realistic SyncML messages built from generated contacts, for benchmarks,
/// load tests and the `syncml generate` command.
package enum SampleMessages {
    /// The server URL the sample client talks to.
    package static let serverURI = "http://127.0.0.1:9600/sync"

    /// Message 2 of a client's slow sync (OMA-TS-DS_Protocol §5.4, §6): the
    /// client answers the server's message 1 (a `Status` for its `SyncHdr`
    /// and one for its `Alert` 201) and sends its whole address book as one
    /// `Sync` holding one `Add` per contact, then `Final`.
    ///
    /// - `SyncHdr`: SessionID derived from the seed, MsgID 2, Target
    ///   ``serverURI``, Source the device id.
    /// - `Sync`: Target `addressbook`, Source `./addressbook`, `NumberOfChanges`.
    /// - `Add` *i* (1-based): Meta Type `text/vcard` (`text/x-vcard` for 2.1),
    ///   Item Source `"i.vcf"`, Data contact *i* of the ``ContactBook`` of
    ///   `seed` in `format` (vCard 3.0: ``ContactGenerator``'s bytes).
    ///
    /// The same arguments give the same message, and the same bytes once encoded.
    package static func slowSync(
        contacts: Int, seed: UInt64, version: SyncMLVersion = .v1_2, format: VFormat = .vCard30
    ) -> SyncMLMessage {
        var events = SlowSyncEvents(contacts: contacts, seed: seed, version: version, format: format)
        guard case .header(let header)? = events.next() else { preconditionFailure("a message begins with its header") }
        var message = SyncMLMessage(header: header, commands: [], isFinal: false)
        var sync: Sync?
        while let event = events.next() {
            switch event {
            case .command(let command):
                if sync != nil { sync!.commands.append(command) } else { message.commands.append(command) }
            case .begin(.sync(let opened)):
                sync = opened
                sync!.commands.reserveCapacity(contacts)
            case .end:
                if let sync { message.commands.append(.sync(sync)) }
                sync = nil
            case .final:
                message.isFinal = true
            case .header, .begin, .endOfMessage:
                break
            }
        }
        return message
    }

    /// ``slowSync(contacts:seed:version:format:)`` as the events `SyncMLDecoder`
    /// would produce for it, generated lazily: encode them one by one with a
    /// `SyncMLEncoder` to write a message of any size without holding it.
    package static func slowSyncEvents(
        contacts: Int, seed: UInt64, version: SyncMLVersion = .v1_2, format: VFormat = .vCard30
    ) -> SlowSyncEvents {
        SlowSyncEvents(contacts: contacts, seed: seed, version: version, format: format)
    }

    /// The events of a sample slow-sync message, contact by contact.
    package struct SlowSyncEvents: Sequence, IteratorProtocol, Sendable {
        private enum Stage { case header, statuses, syncOpening, adds, syncEnd, final, end, done }

        private let contacts: Int
        private let seed: UInt64
        private let version: SyncMLVersion
        private var book: ContactBook
        private var stage = Stage.header
        private var statusIndex = 0
        private var addIndex = 0

        /// The CmdID of the first `Add`; the statuses and the `Sync` come first.
        private static let firstAddCmdID = 4

        init(contacts: Int, seed: UInt64, version: SyncMLVersion, format: VFormat) {
            precondition(contacts >= 0)
            self.contacts = contacts
            self.seed = seed
            self.version = version
            // The contacts use their own stream, so the session id does not shift them.
            book = ContactBook(seed: seed, format: format)
        }

        private var sessionID: String { String(seed % 1_000_000 + 1) }
        private static let deviceID = "IMEI:493015467123456"

        package mutating func next() -> SyncMLDecoder.Event? {
            switch stage {
            case .header:
                stage = .statuses
                return .header(SyncHeader(
                    version: version, sessionID: sessionID, msgID: "2",
                    target: Location(SampleMessages.serverURI),
                    source: Location(Self.deviceID),
                    meta: Meta(maxMsgSize: 1_000_000, maxObjSize: 4_000_000)
                ))
            case .statuses:
                statusIndex += 1
                if statusIndex == 1 {
                    // The server's SyncHdr (message 1) was accepted.
                    return .command(.status(Status(
                        cmdID: "1", msgRef: "1", cmdRef: "0", cmd: "SyncHdr", code: .ok,
                        targetRefs: [Self.deviceID], sourceRefs: [SampleMessages.serverURI]
                    )))
                }
                // The server's Alert 201 (slow sync) for the address book was accepted.
                stage = .syncOpening
                return .command(.status(Status(
                    cmdID: "2", msgRef: "1", cmdRef: "1", cmd: "Alert", code: .ok,
                    targetRefs: ["./addressbook"], sourceRefs: ["addressbook"],
                    items: [Item(data: .anchor(Anchor(next: "20250101T000000Z")))]
                )))
            case .syncOpening:
                stage = contacts > 0 ? .adds : .syncEnd
                return .begin(.sync(Sync(
                    cmdID: "3", target: Location("addressbook"), source: Location("./addressbook"),
                    numberOfChanges: contacts
                )))
            case .adds:
                addIndex += 1
                if addIndex == contacts { stage = .syncEnd }
                let vcard = book.next()
                return .command(.add(ItemCommand(
                    cmdID: String(Self.firstAddCmdID + addIndex - 1),
                    meta: Meta(type: SampleRecordWriter.mimeType(for: book.format)),
                    items: [Item(source: Location("\(addIndex).vcf"), data: .bytes(vcard[...]))]
                )))
            case .syncEnd:
                stage = .final
                return .end
            case .final:
                stage = .end
                return .final
            case .end:
                stage = .done
                return .endOfMessage
            case .done:
                return nil
            }
        }
    }
}
